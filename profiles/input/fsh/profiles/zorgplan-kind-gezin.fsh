Profile: ZorgplanKindGezin
Parent: CarePlan
Id: zorgplan-kind-gezin
Title: "Zorgplan Kind&Gezin"
Description: "Het overkoepelende zorgplan van één kind en gezin, over alle vier kinderleefdomeinen en over de grenzen van wetten en organisaties heen; ook de deelplannen (IZP palliatief, ACP, plan van de gemeente) volgen dit profiel, met partOf naar het overkoepelende plan. Interventies en taken zijn aparte resources, zodat elke organisatie haar eigen deel schrijft. / The overarching care plan of one child and family, across all four life domains and across laws and organisations; sub-plans (palliative plan, advance care plan, municipal plan) follow this profile too, with partOf pointing to the overarching plan. Interventions and tasks are separate resources, so that each organisation writes its own part."
* insert ProfielMetadata
* . ^short = "Zorgplan Kind&Gezin / Care plan child and family"
* . ^definition = "Het overkoepelende zorgplan van kind en gezin, of een deelplan daarvan. / The overarching care plan of child and family, or a sub-plan of it."
* obeys zkg-3 and zkg-4 and zkg-5 and zkg-8
* extension contains
    ExtMksFase named mksFase 0..1 and
    ExtAkkoord named akkoord 0..* and
    ExtZorgcoordinatieAanbod named zorgcoordinatieAanbod 0..1 and
    ExtGeenHulpvraagDomein named geenHulpvraagDomein 0..* and
    ExtAfsluitreden named afsluitreden 0..1
* extension[mksFase] ^short = "MKS-fase / MKS phase"
* extension[mksFase] ^definition = "De MKS-fase: verwijsboom en hulpbehoeftescan (status draft), zorgplan (active of on-hold), afsluiten (completed of revoked). / The MKS phase: referral tree and needs assessment (status draft), care plan (active or on-hold), closure (completed or revoked)."
* extension[akkoord] ^short = "Akkoord van kind, ouders en hoofdbehandelaar / Agreement of child, parents and lead physician"
* extension[akkoord] ^definition = "Het akkoord met het plan, per partij met rol en datum; het plan wordt opgesteld in overeenstemming met kind en gezin en geaccordeerd door de hoofdbehandelaar. / Agreement to the plan, per party with role and date; the plan is made in agreement with child and family and approved by the lead physician."
* extension[zorgcoordinatieAanbod] ^short = "Aanbod zorgcoördinator / Care coordinator offer"
* extension[zorgcoordinatieAanbod] ^definition = "Het aanbod van een zorgcoördinator of zorgcoach aan het gezin en de uitkomst daarvan. / The offer of a care coordinator or care coach to the family and its outcome."
* extension[geenHulpvraagDomein] ^short = "Domein zonder hulpvraag / Domain without a need"
* extension[geenHulpvraagDomein] ^definition = "Een kinderleefdomein waarin uitdrukkelijk geen hulpvraag is; telt mee voor de dekking van alle vier domeinen (zkg-5). / A life domain with explicitly no need for help; counts towards covering all four domains (zkg-5)."
* extension[afsluitreden] ^short = "Reden van afsluiten / Reason for closure"
* extension[afsluitreden] ^definition = "Waarom het plan is afgesloten (MKS-fase 4); de einddatum staat in period.end. / Why the plan was closed (MKS phase 4); the end date is in period.end."
* status ^short = "Status van het plan / Status of the plan"
* status ^definition = "De status: draft tijdens verwijsboom en hulpbehoeftescan, active tijdens uitvoering, completed of revoked na afsluiten. / The status: draft during referral tree and needs assessment, active while carried out, completed or revoked after closure."
* intent ^short = "Meestal plan / Usually plan"
* intent ^definition = "De bedoeling van het plan; voor het zorgplan Kind&Gezin meestal 'plan'. / The intent of the plan; for the care plan usually 'plan'."
* insert CodesPerPatroon(category)
* category 1..*
* category ^short = "Soort plan / Kind of plan"
* category ^definition = "De soort: altijd SNOMED CT 734163000 (care plan) en een code uit zorgplan-categorie, elk in een eigen CodeableConcept. / The kind: always SNOMED CT 734163000 (care plan) and a code from zorgplan-categorie, each in its own CodeableConcept."
* category contains
    careplan 1..1 and
    zorgplanCategorie 1..1
* category[careplan] = $sct#734163000
* category[careplan] ^short = "Zorgplan (SNOMED CT 734163000) / Care plan (SNOMED CT 734163000)"
* category[careplan] ^definition = "Het plan is een zorgplan (SNOMED CT 734163000 |Care plan (record artifact)|). / The plan is a care plan (SNOMED CT 734163000 |Care plan (record artifact)|)."
* category[zorgplanCategorie] from ZorgplanCategorieVS (required)
* category[zorgplanCategorie] ^short = "Overkoepelend plan of deelplan / Overarching plan or sub-plan"
* category[zorgplanCategorie] ^definition = "zorgplan-kind-gezin voor het overkoepelende plan, of de code van een deelplan (izp-palliatief, acp, gemeentelijk-plan, deelplan-organisatie). / zorgplan-kind-gezin for the overarching plan, or the code of a sub-plan (izp-palliatief, acp, gemeentelijk-plan, deelplan-organisatie)."
* subject only Reference(KindPatient)
* subject ^short = "Het kind / The child"
* subject ^definition = "Het kind om wie het plan draait; het gezin hoort erbij via het zorgnetwerk en de doelen. / The child the plan is about; the family is included through the care network and the goals."
* period ^short = "Looptijd / Period"
* period ^definition = "Begin en einde van het plan; het plan mag na de 18e verjaardag doorlopen. / Start and end of the plan; the plan may run beyond the 18th birthday."
* partOf only Reference(ZorgplanKindGezin)
* partOf ^short = "Overkoepelend plan van dit deelplan / Overarching plan of this sub-plan"
* partOf ^definition = "Voor een deelplan (IZP palliatief, ACP, plan van de gemeente): het overkoepelende zorgplan waarvan het deel uitmaakt. / For a sub-plan (palliative plan, advance care plan, municipal plan): the overarching care plan it is part of."
* author only Reference(ZorgverlenerRol or Zorgverlener or KindPatient or Gezinslid)
* author ^short = "Opsteller, meestal de zorgcoördinator / Author, usually the care coordinator"
* author ^definition = "Wie het plan opstelt en bijhoudt, meestal de zorgcoördinator; kan ook het kind of een ouder zijn. / Who drafts and maintains the plan, usually the care coordinator; may also be the child or a parent."
* contributor only Reference(ZorgverlenerRol or Zorgverlener or KindPatient or Gezinslid or Zorgorganisatie or ZorgnetwerkKind)
* contributor ^short = "Bijdragers / Contributors"
* contributor ^definition = "Iedereen die een aandeel in het plan heeft: kind, ouders, professionals en organisaties. / Everyone who has a share in the plan: child, parents, professionals and organisations."
* careTeam 1..*
* careTeam only Reference(ZorgnetwerkKind)
* careTeam ^short = "Het zorgnetwerk / The care network"
* careTeam ^definition = "Het zorgnetwerk van het kind, met rollen en perioden. / The child's care network, with roles and periods."
* addresses ^short = "Aandoeningen en problemen / Conditions and problems"
* addresses ^definition = "De aandoeningen of problemen waar het plan op gericht is. / The conditions or problems the plan addresses."
* supportingInfo ^short = "Verwijsboom, hulpbehoeftescan, overdracht, ACP / Referral tree, needs assessment, handover, advance care planning"
* supportingInfo ^definition = "Onderbouwing van het plan: de verwijsboom en de hulpbehoeftescan (QuestionnaireResponse), de verpleegkundige overdracht (Composition of DocumentReference), ACP-documenten. In fase zorgplan hoort hier een hulpbehoeftescan (zkg-4). / Supporting information: the referral tree and the needs assessment (QuestionnaireResponse), the nursing handover (Composition or DocumentReference), advance care planning documents. In phase zorgplan a needs assessment belongs here (zkg-4)."
* goal only Reference(DoelKindGezin)
* goal ^short = "Doelen / Goals"
* goal ^definition = "De doelen van het plan, in de woorden van het gezin, elk in één of meer kinderleefdomeinen. / The goals of the plan, in the family's words, each in one or more life domains."
* activity ^short = "Interventies en taken / Interventions and tasks"
* activity ^definition = "De interventies en taken van het plan, als aparte resources waarnaar activity.reference verwijst. / The interventions and tasks of the plan, as separate resources referenced by activity.reference."
* activity.reference only Reference(InterventieKindGezin or TaakKindGezin or DeviceRequest)
* activity.reference ^short = "Interventie, taak of hulpmiddelaanvraag / Intervention, task or aid request"
* activity.reference ^definition = "Een interventie (wie, wat, waar, waarom), een taak (zoals overdracht of verwijzing) of een aanvraag voor een hulpmiddel. / An intervention (who, what, where, why), a task (such as handover or referral) or a request for an aid."
