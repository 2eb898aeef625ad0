Profile: DoelKindGezin
Parent: Goal
Id: doel-kind-gezin
Title: "Doel Kind&Gezin"
Description: "Een doel in de woorden van het gezin, in één of meer kinderleefdomeinen, met wie het heeft uitgesproken, wie het accepteert en wie ervoor verantwoordelijk is. / A goal in the family's words, in one or more life domains, with who expressed it, who accepts it and who is responsible for it."
* insert ProfielMetadata
* . ^short = "Doel / Goal"
* . ^definition = "Een doel van kind en gezin. / A goal of child and family."
* obeys zkg-1
* extension contains
    $goal-acceptance named acceptance 0..* and
    ExtVerantwoordelijke named verantwoordelijke 0..* and
    ExtFocusGezinslid named focusGezinslid 0..*
* extension[acceptance] ^short = "Akkoord met het doel / Acceptance of the goal"
* extension[acceptance] ^definition = "Of het kind, elke ouder en de behandelaar het doel onderschrijven (agree, disagree, pending), met prioriteit. In R4 is individual een Patient, RelatedPerson of Practitioner (geen PractitionerRole). / Whether the child, each parent and the practitioner accept the goal (agree, disagree, pending), with priority. In R4 individual is a Patient, RelatedPerson or Practitioner (not a PractitionerRole)."
* extension[verantwoordelijke] ^short = "Verantwoordelijke / Responsible party"
* extension[verantwoordelijke] ^definition = "Wie verantwoordelijk is voor het doel en erover verantwoording aflegt. / Who is responsible for the goal and accountable for it."
* extension[focusGezinslid] ^short = "Doel gaat over gezinslid / Goal is about a family member"
* extension[focusGezinslid] ^definition = "Het gezinslid om wie het doel gaat als dat niet het kind is, zoals een zus of een ouder. / The family member the goal is about when it is not the child, such as a sister or a parent."
* lifecycleStatus ^short = "Stand van het doel / State of the goal"
* lifecycleStatus ^definition = "De levensloop van het doel (proposed, active, completed, ...). / The lifecycle of the goal (proposed, active, completed, ...)."
* achievementStatus ^short = "Evaluatie / Evaluation"
* achievementStatus ^definition = "Het resultaat van de laatste evaluatie (in-progress, improving, achieved, ...). / The result of the latest evaluation (in-progress, improving, achieved, ...)."
* insert CodesPerPatroon(category)
* category 1..*
* category ^short = "Kinderleefdomein(en) en andere indelingen / Life domain(s) and other classifications"
* category ^definition = "Minstens één kinderleefdomein; een doel kan meerdere domeinen hebben. Andere indelingen (zoals positieve gezondheid) mogen erbij. / At least one life domain; a goal may have several. Other classifications (such as positive health) may be added."
* category contains kinderleefdomein 1..*
* category[kinderleefdomein] from KinderleefdomeinVS (required)
* category[kinderleefdomein] ^short = "Kinderleefdomein / Life domain"
* category[kinderleefdomein] ^definition = "Medisch, ontwikkeling, sociaal of veiligheid. / Medical, development, social or safety."
* description ^short = "Het doel in de woorden van het gezin / The goal in the family's words"
* description ^definition = "Het doel zoals met het gezin afgesproken, in hun eigen woorden (description.text). / The goal as agreed with the family, in their own words (description.text)."
* subject only Reference(KindPatient)
* subject ^short = "Het kind / The child"
* subject ^definition = "Het kind; gaat het doel over een gezinslid, dan staat dat in focus-gezinslid. / The child; when the goal is about a family member, that is given in focus-gezinslid."
* target ^short = "Meetbaar streven / Measurable target"
* target ^definition = "Meetbaar streven, zoals schoolverzuim onder een aantal dagen per periode of een ouder die een aantal uur per week werkt, met streefdatum. / Measurable target, such as school absence below a number of days per term or a parent working a number of hours per week, with a due date."
* expressedBy only Reference(KindPatient or Gezinslid or Zorgverlener or ZorgverlenerRol)
* expressedBy ^short = "Wiens doel / Whose goal"
* expressedBy ^definition = "Wie het doel heeft uitgesproken: het kind, een ouder of een professional; zo wordt de regie vastgelegd. / Who expressed the goal: the child, a parent or a professional; this records who holds control."
* addresses ^short = "Aanleiding / Reason"
* addresses ^definition = "De aandoening, het probleem of de bevinding uit de hulpbehoeftescan waar het doel op antwoordt. / The condition, problem or needs-assessment finding the goal responds to."
