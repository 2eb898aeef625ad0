// Extensions of the standard. HL7 core extensions are used where they exist:
// resource-pertainsToGoal, goal-acceptance and the humanname-* name parts.

RuleSet: LokaleExtensie
* ^status = #draft
* ^experimental = false
* ^jurisdiction = urn:iso:std:iso:3166#NL "Netherlands"

Extension: ExtMksFase
Id: mks-fase
Title: "MKS-fase"
Description: "De MKS-fase waarin het zorgplan zich bevindt (verwijsboom, hulpbehoeftescan, zorgplan, afsluiten); loopt naast CarePlan.status. / The MKS phase the care plan is in (referral tree, needs assessment, care plan, closure); kept alongside CarePlan.status."
Context: CarePlan
* insert LokaleExtensie
* . ^short = "MKS-fase van het zorgplan / MKS phase of the care plan"
* . ^definition = "De MKS-fase waarin het zorgplan zich bevindt (verwijsboom, hulpbehoeftescan, zorgplan, afsluiten); loopt naast CarePlan.status. / The MKS phase the care plan is in (referral tree, needs assessment, care plan, closure); kept alongside CarePlan.status."
* value[x] 1..1
* value[x] only Coding
* value[x] from MksFaseVS (required)
* value[x] ^short = "De fase / The phase"
* value[x] ^definition = "De MKS-fase, uit de code system mks-fase. / The MKS phase, from the mks-fase code system."

Extension: ExtAkkoord
Id: akkoord
Title: "Akkoord met het zorgplan"
Description: "Het akkoord van een partij (kind, ouder, hoofdbehandelaar, ...) met het zorgplan, met rol en datum. / The agreement of a party (child, parent, lead physician, ...) to the care plan, with role and date."
Context: CarePlan
* insert LokaleExtensie
* . ^short = "Akkoord met het plan / Agreement to the plan"
* . ^definition = "Het akkoord van een partij (kind, ouder, hoofdbehandelaar, ...) met het zorgplan, met rol en datum. / The agreement of a party (child, parent, lead physician, ...) to the care plan, with role and date."
* extension contains
    partij 1..1 and
    rol 0..1 and
    datum 1..1
* extension[partij] ^short = "Wie akkoord gaf / Who agreed"
* extension[partij] ^definition = "De partij die akkoord gaf: het kind, een gezinslid of een zorgverlener. / The party who agreed: the child, a family member or a practitioner."
* extension[partij].value[x] 1..1
* extension[partij].value[x] only Reference(KindPatient or Gezinslid or Zorgverlener or ZorgverlenerRol)
* extension[partij].value[x] ^short = "Kind, gezinslid of zorgverlener / Child, family member or practitioner"
* extension[partij].value[x] ^definition = "Verwijzing naar de partij die akkoord gaf. / Reference to the party who agreed."
* extension[rol] ^short = "In welke rol / In which role"
* extension[rol] ^definition = "De rol waarin de partij akkoord gaf, bijvoorbeeld ouder met gezag of hoofdbehandelaar. / The role in which the party agreed, for example parent with parental authority or lead physician."
* extension[rol].value[x] 1..1
* extension[rol].value[x] only CodeableConcept
* extension[rol].value[x] from ZorgplanRolVS (extensible)
* extension[rol].value[x] ^short = "Rol uit zorgplan-rol / Role from zorgplan-rol"
* extension[rol].value[x] ^definition = "De rol, bij voorkeur uit zorgplan-rol. / The role, preferably from zorgplan-rol."
* extension[datum] ^short = "Wanneer / When"
* extension[datum] ^definition = "Datum en tijd van het akkoord. / Date and time of the agreement."
* extension[datum].value[x] 1..1
* extension[datum].value[x] only dateTime
* extension[datum].value[x] ^short = "Datum en tijd / Date and time"
* extension[datum].value[x] ^definition = "Datum en tijd. / Date and time."

Extension: ExtZorgcoordinatieAanbod
Id: zorgcoordinatie-aanbod
Title: "Aanbod zorgcoördinatie"
Description: "Het aanbod van een zorgcoördinator of zorgcoach aan het gezin (kwaliteitsstandaard, kernaanbeveling 6) en de uitkomst: aangeboden, geaccepteerd of afgewezen. / The offer of a care coordinator or care coach to the family (quality standard, core recommendation 6) and its outcome: offered, accepted or declined."
Context: CarePlan
* insert LokaleExtensie
* . ^short = "Aanbod zorgcoördinatie / Care coordination offer"
* . ^definition = "Het aanbod van een zorgcoördinator of zorgcoach aan het gezin (kwaliteitsstandaard, kernaanbeveling 6) en de uitkomst: aangeboden, geaccepteerd of afgewezen. / The offer of a care coordinator or care coach to the family (quality standard, core recommendation 6) and its outcome: offered, accepted or declined."
* extension contains
    status 1..1 and
    datum 0..1 and
    aangebodenDoor 0..1
* extension[status] ^short = "Stand van het aanbod / State of the offer"
* extension[status] ^definition = "Aangeboden, geaccepteerd of afgewezen. / Offered, accepted or declined."
* extension[status].value[x] 1..1
* extension[status].value[x] only code
* extension[status].value[x] from ZorgcoordinatieAanbodVS (required)
* extension[status].value[x] ^short = "aangeboden | geaccepteerd | afgewezen / offered | accepted | declined"
* extension[status].value[x] ^definition = "De stand van het aanbod, uit zorgcoordinatie-aanbod. / The state of the offer, from zorgcoordinatie-aanbod."
* extension[datum] ^short = "Datum van de laatste stand / Date of the latest state"
* extension[datum] ^definition = "Datum en tijd waarop het aanbod is gedaan of beantwoord. / Date and time the offer was made or answered."
* extension[datum].value[x] 1..1
* extension[datum].value[x] only dateTime
* extension[datum].value[x] ^short = "Datum en tijd / Date and time"
* extension[datum].value[x] ^definition = "Datum en tijd. / Date and time."
* extension[aangebodenDoor] ^short = "Wie het aanbod deed / Who made the offer"
* extension[aangebodenDoor] ^definition = "De zorgverlener of organisatie die het aanbod deed. / The practitioner or organisation that made the offer."
* extension[aangebodenDoor].value[x] 1..1
* extension[aangebodenDoor].value[x] only Reference(ZorgverlenerRol or Zorgverlener or Zorgorganisatie)
* extension[aangebodenDoor].value[x] ^short = "Zorgverlener of organisatie / Practitioner or organisation"
* extension[aangebodenDoor].value[x] ^definition = "Verwijzing naar wie het aanbod deed. / Reference to who made the offer."

Extension: ExtGeenHulpvraagDomein
Id: geen-hulpvraag-domein
Title: "Geen hulpvraag in domein"
Description: "Expliciete vaststelling dat er in dit kinderleefdomein geen hulpvraag is, zodat het plan toch alle vier domeinen dekt. / Explicit statement that there is no need for help in this life domain, so that the plan still covers all four domains."
Context: CarePlan
* insert LokaleExtensie
* . ^short = "Geen hulpvraag in domein / No need in domain"
* . ^definition = "Expliciete vaststelling dat er in dit kinderleefdomein geen hulpvraag is, zodat het plan toch alle vier domeinen dekt. / Explicit statement that there is no need for help in this life domain, so that the plan still covers all four domains."
* value[x] 1..1
* value[x] only CodeableConcept
* value[x] from KinderleefdomeinVS (required)
* value[x] ^short = "Het domein zonder hulpvraag / The domain without a need"
* value[x] ^definition = "Het kinderleefdomein waarin geen hulpvraag is. / The life domain without a need for help."

Extension: ExtAfsluitreden
Id: afsluitreden
Title: "Reden van afsluiten"
Description: "De reden waarom het zorgplan is afgesloten (MKS-fase 4). / The reason why the care plan was closed (MKS phase 4)."
Context: CarePlan
* insert LokaleExtensie
* . ^short = "Reden van afsluiten / Reason for closure"
* . ^definition = "De reden waarom het zorgplan is afgesloten (MKS-fase 4). / The reason why the care plan was closed (MKS phase 4)."
* value[x] 1..1
* value[x] only CodeableConcept
* value[x] from AfsluitredenVS (required)
* value[x] ^short = "De reden / The reason"
* value[x] ^definition = "De reden van afsluiten. / The reason for closure."

Extension: ExtVerantwoordelijke
Id: verantwoordelijke
Title: "Verantwoordelijke voor het doel"
Description: "De partij die verantwoordelijk is voor het bereiken van het doel en erover verantwoording aflegt. / The party responsible for achieving the goal and accountable for it."
Context: Goal
* insert LokaleExtensie
* . ^short = "Verantwoordelijke / Responsible party"
* . ^definition = "De partij die verantwoordelijk is voor het bereiken van het doel en erover verantwoording aflegt. / The party responsible for achieving the goal and accountable for it."
* value[x] 1..1
* value[x] only Reference(Zorgverlener or ZorgverlenerRol or Zorgorganisatie or Gezinslid or KindPatient)
* value[x] ^short = "Wie verantwoordelijk is / Who is responsible"
* value[x] ^definition = "Een zorgverlener, organisatie, gezinslid of het kind. / A practitioner, organisation, family member or the child."

Extension: ExtFocusGezinslid
Id: focus-gezinslid
Title: "Doel voor gezinslid"
Description: "Het gezinslid om wie het doel gaat, als dat niet het kind zelf is, zoals steun voor een zus of een ouder die weer gaat werken. / The family member the goal is about when it is not the child, such as support for a sister or a parent returning to work."
Context: Goal
* insert LokaleExtensie
* . ^short = "Doel gaat over gezinslid / Goal is about a family member"
* . ^definition = "Het gezinslid om wie het doel gaat, als dat niet het kind zelf is, zoals steun voor een zus of een ouder die weer gaat werken. / The family member the goal is about when it is not the child, such as support for a sister or a parent returning to work."
* value[x] 1..1
* value[x] only Reference(Gezinslid or KindPatient)
* value[x] ^short = "Het gezinslid / The family member"
* value[x] ^definition = "Het gezinslid, of de eigen Patient van een broer of zus die zelf zorg krijgt. / The family member, or the own Patient of a sibling who receives care."

Extension: ExtVerantwoordelijkDomein
Id: verantwoordelijk-domein
Title: "Verantwoordelijk voor domein"
Description: "Het kinderleefdomein waarvoor deze deelnemer aan het zorgnetwerk (eind)verantwoordelijk is. / The life domain this care network participant is (finally) responsible for."
Context: CareTeam.participant
* insert LokaleExtensie
* . ^short = "Verantwoordelijk domein / Domain of responsibility"
* . ^definition = "Het kinderleefdomein waarvoor deze deelnemer aan het zorgnetwerk (eind)verantwoordelijk is. / The life domain this care network participant is (finally) responsible for."
* value[x] 1..1
* value[x] only CodeableConcept
* value[x] from KinderleefdomeinVS (required)
* value[x] ^short = "Het domein / The domain"
* value[x] ^definition = "Het kinderleefdomein. / The life domain."

Extension: ExtWettelijkKader
Id: wettelijk-kader
Title: "Wettelijk kader"
Description: "De wet waaronder de interventie valt; kan 'in discussie' of 'geen betaaltitel' zijn. / The law that covers the intervention; may be 'under discussion' or 'no funding'."
Context: ServiceRequest
* insert LokaleExtensie
* . ^short = "Wettelijk kader / Legal framework"
* . ^definition = "De wet waaronder de interventie valt; kan 'in discussie' of 'geen betaaltitel' zijn. / The law that covers the intervention; may be 'under discussion' or 'no funding'."
* value[x] 1..1
* value[x] only CodeableConcept
* value[x] from WettelijkKaderVS (required)
* value[x] ^short = "De wet / The law"
* value[x] ^definition = "Het wettelijk kader. / The legal framework."

Extension: ExtLeveringsvorm
Id: leveringsvorm
Title: "Leveringsvorm"
Description: "De leveringsvorm: zorg in natura (ZIN) of persoonsgebonden budget (pgb). / The delivery form: care in kind or personal budget."
Context: ServiceRequest, Coverage
* insert LokaleExtensie
* . ^short = "Leveringsvorm / Delivery form"
* . ^definition = "De leveringsvorm: zorg in natura (ZIN) of persoonsgebonden budget (pgb). / The delivery form: care in kind or personal budget."
* value[x] 1..1
* value[x] only CodeableConcept
* value[x] from LeveringsvormVS (required)
* value[x] ^short = "ZIN of pgb / Care in kind or personal budget"
* value[x] ^definition = "De leveringsvorm. / The delivery form."
