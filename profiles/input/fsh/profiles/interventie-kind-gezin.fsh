Profile: InterventieKindGezin
Parent: ServiceRequest
Id: interventie-kind-gezin
Title: "Interventie Kind&Gezin"
Description: "Een interventie in het zorgplan: wie doet wat, waar, waarom (voor welk doel), hoe vaak, en hoe is het gefinancierd (wet, leveringsvorm, dekking). Elke organisatie schrijft haar eigen interventies. / An intervention in the care plan: who does what, where, why (for which goal), how often, and how it is funded (law, delivery form, coverage). Each organisation writes its own interventions."
* insert ProfielMetadata
* . ^short = "Interventie / Intervention"
* . ^definition = "Een interventie in het zorgplan. / An intervention in the care plan."
* obeys zkg-2
* extension contains
    $pertainsToGoal named pertainsToGoal 1..* and
    ExtWettelijkKader named wettelijkKader 1..1 and
    ExtLeveringsvorm named leveringsvorm 0..1
* extension[pertainsToGoal] ^short = "Waarom: het doel / Why: the goal"
* extension[pertainsToGoal] ^definition = "Het doel of de doelen waaraan deze interventie bijdraagt; een interventie zonder doel is een fout (zkg-2). / The goal(s) this intervention contributes to; an intervention without a goal is an error (zkg-2)."
* extension[pertainsToGoal].value[x] only Reference(DoelKindGezin)
* extension[pertainsToGoal].value[x] ^short = "Het doel / The goal"
* extension[pertainsToGoal].value[x] ^definition = "Verwijzing naar een DoelKindGezin. / Reference to a DoelKindGezin."
* extension[wettelijkKader] ^short = "Wettelijk kader / Legal framework"
* extension[wettelijkKader] ^definition = "De wet waaronder de interventie valt; 'in-discussie' en 'geen-betaaltitel' maken gaten in de financiering zichtbaar. / The law that covers the intervention; 'in-discussie' and 'geen-betaaltitel' make funding gaps visible."
* extension[leveringsvorm] ^short = "ZIN of pgb / Care in kind or personal budget"
* extension[leveringsvorm] ^definition = "De leveringsvorm van de interventie. / The delivery form of the intervention."
* insert CodesPerPatroon(category)
* category 1..*
* category ^short = "Kinderleefdomein(en) / Life domain(s)"
* category ^definition = "Minstens één kinderleefdomein; andere indelingen mogen erbij. / At least one life domain; other classifications may be added."
* category contains kinderleefdomein 1..*
* category[kinderleefdomein] from KinderleefdomeinVS (required)
* category[kinderleefdomein] ^short = "Kinderleefdomein / Life domain"
* category[kinderleefdomein] ^definition = "Medisch, ontwikkeling, sociaal of veiligheid. / Medical, development, social or safety."
* code ^short = "Wat / What"
* code ^definition = "De interventie, bij voorkeur SNOMED CT, met een omschrijving in code.text. / The intervention, preferably SNOMED CT, with a description in code.text."
* subject only Reference(KindPatient)
* subject ^short = "Het kind / The child"
* subject ^definition = "Het kind; gaat het om steun aan een gezinslid, dan blijkt dat uit het doel (focus-gezinslid). / The child; support for a family member shows through the goal (focus-gezinslid)."
* occurrence[x] ^short = "Hoe vaak en hoe lang / How often and how long"
* occurrence[x] ^definition = "Frequentie en omvang, bijvoorbeeld 12 uur per week (Timing met duration en period), met de geldigheid in occurrenceTiming.repeat.boundsPeriod. / Frequency and volume, for example 12 hours per week (Timing with duration and period), with the validity in occurrenceTiming.repeat.boundsPeriod."
* requester only Reference(ZorgverlenerRol or Zorgverlener or Zorgorganisatie or Gezinslid or KindPatient)
* requester ^short = "Wie het afsprak / Who agreed it"
* requester ^definition = "De professional of partij die de interventie heeft afgesproken of aangevraagd. / The professional or party who agreed or requested the intervention."
* performer 1..*
* performer only Reference(ZorgverlenerRol or Zorgverlener or Zorgorganisatie or ZorgnetwerkKind or Gezinslid or KindPatient or HealthcareService)
* performer ^short = "Wie / Who"
* performer ^definition = "Wie de interventie uitvoert: een professional, organisatie, team, gezinslid of het kind zelf. / Who carries out the intervention: a professional, organisation, team, family member or the child."
* locationCode from ZorgsettingVS (preferred)
* locationCode ^short = "Waar / Where"
* locationCode ^definition = "De setting: thuis, school, kinderdagverblijf, kinderzorghuis, ziekenhuis, digitaal, ... / The setting: home, school, day-care centre, children's care home, hospital, remote, ..."
* insurance only Reference(FinancieringKindGezin)
* insurance ^short = "Financiering / Funding"
* insurance ^definition = "De regel van het dekkingsplan die deze interventie betaalt. / The line of the coverage plan that pays for this intervention."
