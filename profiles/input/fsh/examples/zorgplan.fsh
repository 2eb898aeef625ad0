// Examples: Noor's care network, goals and overarching care plan (scenario S1, after
// discharge: MKS phase zorgplan, plan active).

Instance: voorbeeld-zorgnetwerk
InstanceOf: ZorgnetwerkKind
Usage: #example
Title: "Voorbeeld: zorgnetwerk van Noor"
Description: "Het zorgnetwerk van Noor: het gezin, de kinderarts, de zorgcoördinator in de kinderthuiszorg, de transferverpleegkundige (tot het ontslag), de gemeente en het kinderdagverblijf. / Noor's care network: the family, the paediatrician, the care coordinator in home care, the transfer nurse (until discharge), the municipality and the day-care centre."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>zorgnetwerk van Noor</b></p><p>Het zorgnetwerk van Noor: het gezin, de kinderarts, de zorgcoördinator in de kinderthuiszorg, de transferverpleegkundige (tot het ontslag), de gemeente en het kinderdagverblijf.</p></div>"
* status = #active
* name = "Zorgnetwerk Noor van den Berg"
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* period.start = "2026-08-01"
// the family
* participant[0].role[zorgplanRol] = $zorgplan-rol#kind "Kind"
* participant[0].member = Reference(voorbeeld-kind) "Noor van den Berg"
* participant[1].role[zorgplanRol] = $zorgplan-rol#ouder-gezaghebbend "Ouder met gezag"
* participant[1].member = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* participant[2].role[zorgplanRol] = $zorgplan-rol#ouder-gezaghebbend "Ouder met gezag"
* participant[2].member = Reference(voorbeeld-vader) "Thomas van den Berg"
* participant[3].role[zorgplanRol] = $zorgplan-rol#gezinslid "Gezinslid"
* participant[3].member = Reference(voorbeeld-zus) "Eva van den Berg"
// the lead physician, responsible for the medical domain
* participant[4].role[zorgplanRol][0] = $zorgplan-rol#hoofdbehandelaar "Hoofdbehandelaar"
* participant[4].role[zorgplanRol][1] = $zorgplan-rol#eindverantwoordelijke-domein "Eindverantwoordelijke kinderleefdomein"
* participant[4].extension[verantwoordelijkDomein].valueCodeableConcept = $kinderleefdomein#medisch "Medisch"
* participant[4].member = Reference(voorbeeld-kinderarts-rol) "dr. S. de Groot, kinderarts"
* participant[4].period.start = "2026-08-01"
// the care coordinator since discharge, responsible for the safety domain
* participant[5].role[zorgplanRol][0] = $zorgplan-rol#zorgcoordinator "Zorgcoördinator / zorgcoach"
* participant[5].role[zorgplanRol][1] = $zorgplan-rol#kinderverpleegkundige "Kinderverpleegkundige"
* participant[5].role[zorgplanRol][2] = $zorgplan-rol#eindverantwoordelijke-domein "Eindverantwoordelijke kinderleefdomein"
* participant[5].role[3] = $sct#768821004 "Care team coordinator"
* participant[5].extension[verantwoordelijkDomein].valueCodeableConcept = $kinderleefdomein#veiligheid "Veiligheid"
* participant[5].member = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, kinderverpleegkundige"
* participant[5].period.start = "2026-09-15"
// the transfer nurse until discharge (handover history)
* participant[6].role[zorgplanRol] = $zorgplan-rol#transferverpleegkundige "Transferverpleegkundige"
* participant[6].member = Reference(voorbeeld-transferverpleegkundige-rol) "Ingrid Bakker, transferverpleegkundige"
* participant[6].period.start = "2026-08-01"
* participant[6].period.end = "2026-09-15"
// the municipality's consultant (a Practitioner acting on behalf of the municipality),
// responsible for the social domain
* participant[7].role[zorgplanRol][0] = $zorgplan-rol#wmo-jeugdconsulent "Wmo- of Jeugdwetconsulent"
* participant[7].role[zorgplanRol][1] = $zorgplan-rol#eindverantwoordelijke-domein "Eindverantwoordelijke kinderleefdomein"
* participant[7].extension[verantwoordelijkDomein].valueCodeableConcept = $kinderleefdomein#sociaal "Sociaal"
* participant[7].member = Reference(voorbeeld-jeugdconsulent) "Mark van Dijk"
* participant[7].onBehalfOf = Reference(voorbeeld-gemeente) "Gemeente Utrecht"
* participant[7].period.start = "2026-09-01"
// the nursing day-care centre, responsible for the development domain
* participant[8].role[zorgplanRol][0] = $zorgplan-rol#pedagogisch-medewerker "Pedagogisch medewerker"
* participant[8].role[zorgplanRol][1] = $zorgplan-rol#eindverantwoordelijke-domein "Eindverantwoordelijke kinderleefdomein"
* participant[8].extension[verantwoordelijkDomein].valueCodeableConcept = $kinderleefdomein#ontwikkeling "Ontwikkeling"
* participant[8].member = Reference(voorbeeld-kinderdagverblijf) "Verpleegkundig Kinderdagverblijf De Kleine Beer"
* participant[8].period.start = "2026-10-01"
* managingOrganization = Reference(voorbeeld-kinderthuiszorg) "Kinderthuiszorg Midden-Nederland"

Instance: voorbeeld-aandoening
InstanceOf: Condition
Usage: #example
Title: "Voorbeeld: slikstoornis"
Description: "De slikstoornis waardoor Noor sondevoeding krijgt. / The swallowing disorder that makes Noor depend on tube feeding."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>slikstoornis</b></p><p>De slikstoornis waardoor Noor sondevoeding krijgt.</p></div>"
* clinicalStatus = $condition-clinical#active "Active"
* code = $sct#40739000 "Dysphagia"
* code.text = "Ernstige slikstoornis; sondevoeding via neusmaagsonde"
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* onsetDateTime = "2025-09"

Instance: voorbeeld-hulpbehoeftescan
InstanceOf: QuestionnaireResponse
Usage: #example
Title: "Voorbeeld: hulpbehoeftescan"
Description: "De ingevulde Hulpbehoeftescan Kind & Gezin (MKS-fase 2), per kinderleefdomein. / The completed needs assessment (MKS phase 2), per life domain."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>hulpbehoeftescan</b></p><p>De ingevulde Hulpbehoeftescan Kind &amp; Gezin (MKS-fase 2), per kinderleefdomein.</p></div>"
* status = #completed
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* authored = "2026-09-05T14:00:00+02:00"
* author = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, kinderverpleegkundige"
* source = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* item[0].linkId = "medisch"
* item[0].text = "Medisch"
* item[0].item[0].linkId = "medisch.hulpvraag"
* item[0].item[0].text = "Hulpvraag"
* item[0].item[0].answer[0].valueString = "Sondevoeding dag en nacht; ouders willen dit zelf leren. Saturatiebewaking 's nachts."
* item[1].linkId = "ontwikkeling"
* item[1].text = "Ontwikkeling"
* item[1].item[0].linkId = "ontwikkeling.hulpvraag"
* item[1].item[0].text = "Hulpvraag"
* item[1].item[0].answer[0].valueString = "Noor loopt achter in haar motoriek en heeft weinig contact met andere kinderen."
* item[2].linkId = "sociaal"
* item[2].text = "Sociaal"
* item[2].item[0].linkId = "sociaal.hulpvraag"
* item[2].item[0].text = "Hulpvraag"
* item[2].item[0].answer[0].valueString = "Moeder wil weer gaan werken; de oudste dochter Eva mist aandacht."
* item[3].linkId = "veiligheid"
* item[3].text = "Veiligheid"
* item[3].item[0].linkId = "veiligheid.hulpvraag"
* item[3].item[0].text = "Hulpvraag"
* item[3].item[0].answer[0].valueString = "Ouders zijn onzeker wat te doen bij benauwdheid of een dalende saturatie, vooral 's nachts."

Instance: voorbeeld-doel-sondevoeding
InstanceOf: DoelKindGezin
Usage: #example
Title: "Voorbeeld: doel sondevoeding (medisch)"
Description: "De ouders geven de sondevoeding zelf. / The parents give the tube feeding themselves."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>doel sondevoeding (medisch)</b></p><p>De ouders geven de sondevoeding zelf.</p></div>"
* lifecycleStatus = #active
* achievementStatus = $goal-achievement#in-progress "In Progress"
* category[kinderleefdomein] = $kinderleefdomein#medisch "Medisch"
* description.text = "Wij geven Noor zelf haar sondevoeding, ook 's nachts, zonder hulp van de thuiszorg."
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* startDate = "2026-09-15"
* target[0].measure.text = "Ouders geven de sondevoeding zelfstandig"
* target[0].detailBoolean = true
* target[0].dueDate = "2026-12-15"
* expressedBy = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* addresses[0] = Reference(voorbeeld-aandoening) "Slikstoornis"
* extension[acceptance][0].extension[individual].valueReference = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[acceptance][0].extension[status].valueCode = #agree
* extension[acceptance][1].extension[individual].valueReference = Reference(voorbeeld-vader) "Thomas van den Berg"
* extension[acceptance][1].extension[status].valueCode = #agree
* extension[acceptance][2].extension[individual].valueReference = Reference(voorbeeld-kinderarts) "dr. S. de Groot"
* extension[acceptance][2].extension[status].valueCode = #agree
* extension[verantwoordelijke][0].valueReference = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, kinderverpleegkundige"

Instance: voorbeeld-doel-kinderdagverblijf
InstanceOf: DoelKindGezin
Usage: #example
Title: "Voorbeeld: doel kinderdagverblijf (ontwikkeling)"
Description: "Noor gaat twee dagen per week naar het verpleegkundig kinderdagverblijf. / Noor attends the nursing day-care centre two days a week."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>doel kinderdagverblijf (ontwikkeling)</b></p><p>Noor gaat twee dagen per week naar het verpleegkundig kinderdagverblijf.</p></div>"
* lifecycleStatus = #active
* achievementStatus = $goal-achievement#in-progress "In Progress"
* category[kinderleefdomein] = $kinderleefdomein#ontwikkeling "Ontwikkeling"
* description.text = "Noor gaat twee dagen per week naar het kinderdagverblijf en speelt daar met andere kinderen."
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* startDate = "2026-10-01"
* target[0].measure.text = "Dagen per week op het kinderdagverblijf"
* target[0].detailQuantity = 2 'd/wk' "dagen per week"
* target[0].dueDate = "2026-11-30"
* expressedBy = Reference(voorbeeld-vader) "Thomas van den Berg"
* extension[acceptance][0].extension[individual].valueReference = Reference(voorbeeld-vader) "Thomas van den Berg"
* extension[acceptance][0].extension[status].valueCode = #agree
* extension[verantwoordelijke][0].valueReference = Reference(voorbeeld-kinderdagverblijf) "Verpleegkundig Kinderdagverblijf De Kleine Beer"

Instance: voorbeeld-doel-werk-moeder
InstanceOf: DoelKindGezin
Usage: #example
Title: "Voorbeeld: doel moeder weer aan het werk (sociaal)"
Description: "Een doel over een gezinslid: de moeder gaat weer 24 uur per week werken. / A goal about a family member: the mother returns to work 24 hours a week."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>doel moeder weer aan het werk (sociaal)</b></p><p>Een doel over een gezinslid: de moeder gaat weer 24 uur per week werken.</p></div>"
* lifecycleStatus = #active
* achievementStatus = $goal-achievement#in-progress "In Progress"
* category[kinderleefdomein] = $kinderleefdomein#sociaal "Sociaal"
* description.text = "Ik ga weer 24 uur per week werken."
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* startDate = "2026-10-01"
* target[0].measure.text = "Uren per week werk van moeder"
* target[0].detailQuantity = 24 'h/wk' "uur per week"
* target[0].dueDate = "2027-01-31"
* expressedBy = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[focusGezinslid][0].valueReference = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[acceptance][0].extension[individual].valueReference = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[acceptance][0].extension[status].valueCode = #agree
* extension[verantwoordelijke][0].valueReference = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"

Instance: voorbeeld-doel-veiligheid
InstanceOf: DoelKindGezin
Usage: #example
Title: "Voorbeeld: doel alarmsignalen (veiligheid)"
Description: "De ouders herkennen alarmsignalen en kunnen dag en nacht de kinderarts bereiken. / The parents recognise warning signs and can reach the paediatrician day and night."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>doel alarmsignalen (veiligheid)</b></p><p>De ouders herkennen alarmsignalen en kunnen dag en nacht de kinderarts bereiken.</p></div>"
* lifecycleStatus = #active
* achievementStatus = $goal-achievement#improving "Improving"
* category[kinderleefdomein][0] = $kinderleefdomein#veiligheid "Veiligheid"
* category[kinderleefdomein][1] = $kinderleefdomein#medisch "Medisch"
* description.text = "We weten wat we moeten doen als Noor benauwd wordt of haar saturatie daalt, en we kunnen dag en nacht de kinderarts bereiken."
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* startDate = "2026-09-15"
* expressedBy = Reference(voorbeeld-vader) "Thomas van den Berg"
* addresses[0] = Reference(voorbeeld-aandoening) "Slikstoornis"
* extension[acceptance][0].extension[individual].valueReference = Reference(voorbeeld-vader) "Thomas van den Berg"
* extension[acceptance][0].extension[status].valueCode = #agree
* extension[acceptance][1].extension[individual].valueReference = Reference(voorbeeld-kinderarts) "dr. S. de Groot"
* extension[acceptance][1].extension[status].valueCode = #agree
* extension[verantwoordelijke][0].valueReference = Reference(voorbeeld-kinderarts-rol) "dr. S. de Groot, kinderarts"

Instance: voorbeeld-doel-zus
InstanceOf: DoelKindGezin
Usage: #example
Title: "Voorbeeld: doel voor de zus (sociaal)"
Description: "Een doel over de zus van Noor. / A goal about Noor's sister."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>doel voor de zus (sociaal)</b></p><p>Een doel over de zus van Noor.</p></div>"
* lifecycleStatus = #proposed
* category[kinderleefdomein] = $kinderleefdomein#sociaal "Sociaal"
* description.text = "Eva heeft iemand om mee te praten over haar zusje en doet ook zelf leuke dingen."
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* expressedBy = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[focusGezinslid][0].valueReference = Reference(voorbeeld-zus) "Eva van den Berg"
* extension[acceptance][0].extension[individual].valueReference = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[acceptance][0].extension[status].valueCode = #agree
* extension[verantwoordelijke][0].valueReference = Reference(voorbeeld-jeugdconsulent-rol) "Mark van Dijk, consulent gemeente"

Instance: voorbeeld-zorgplan
InstanceOf: ZorgplanKindGezin
Usage: #example
Title: "Voorbeeld: Zorgplan Kind&Gezin van Noor"
Description: "Het actieve overkoepelende zorgplan van Noor en haar gezin in MKS-fase zorgplan: doelen in alle vier domeinen, een zorgcoördinator, de hulpbehoeftescan en het akkoord van ouders en hoofdbehandelaar. / The active overarching care plan of Noor and her family in MKS phase zorgplan: goals in all four domains, a care coordinator, the needs assessment and the agreement of the parents and the lead physician."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Zorgplan Kind&amp;Gezin van Noor</b></p><p>Het actieve overkoepelende zorgplan van Noor en haar gezin in MKS-fase zorgplan: doelen in alle vier domeinen, een zorgcoördinator, de hulpbehoeftescan en het akkoord van ouders en hoofdbehandelaar.</p></div>"
* extension[mksFase].valueCoding = $mks-fase#zorgplan "Zorgplan"
* extension[akkoord][0].extension[partij].valueReference = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* extension[akkoord][0].extension[rol].valueCodeableConcept = $zorgplan-rol#ouder-gezaghebbend "Ouder met gezag"
* extension[akkoord][0].extension[datum].valueDateTime = "2026-09-14T16:00:00+02:00"
* extension[akkoord][1].extension[partij].valueReference = Reference(voorbeeld-vader) "Thomas van den Berg"
* extension[akkoord][1].extension[rol].valueCodeableConcept = $zorgplan-rol#ouder-gezaghebbend "Ouder met gezag"
* extension[akkoord][1].extension[datum].valueDateTime = "2026-09-14T16:00:00+02:00"
* extension[akkoord][2].extension[partij].valueReference = Reference(voorbeeld-kinderarts-rol) "dr. S. de Groot, kinderarts"
* extension[akkoord][2].extension[rol].valueCodeableConcept = $zorgplan-rol#hoofdbehandelaar "Hoofdbehandelaar"
* extension[akkoord][2].extension[datum].valueDateTime = "2026-09-14T17:30:00+02:00"
* extension[zorgcoordinatieAanbod].extension[status].valueCode = #geaccepteerd
* extension[zorgcoordinatieAanbod].extension[datum].valueDateTime = "2026-09-12T11:00:00+02:00"
* extension[zorgcoordinatieAanbod].extension[aangebodenDoor].valueReference = Reference(voorbeeld-transferverpleegkundige-rol) "Ingrid Bakker, transferverpleegkundige"
* status = #active
* intent = #plan
* category[careplan] = $sct#734163000 "Care plan"
* category[zorgplanCategorie] = $zorgplan-categorie#zorgplan-kind-gezin "Zorgplan Kind&Gezin"
* title = "Zorgplan Kind&Gezin van Noor van den Berg"
* description = "Noor gaat na een lange opname naar huis met sondevoeding en saturatiebewaking. Het gezin wil de zorg zoveel mogelijk zelf doen, Noor laten meedoen op het kinderdagverblijf en de moeder weer laten werken."
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* period.start = "2026-09-15"
* created = "2026-09-10"
* author = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, zorgcoördinator"
* contributor[0] = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* contributor[1] = Reference(voorbeeld-vader) "Thomas van den Berg"
* contributor[2] = Reference(voorbeeld-kinderarts-rol) "dr. S. de Groot, kinderarts"
* contributor[3] = Reference(voorbeeld-jeugdconsulent-rol) "Mark van Dijk, consulent gemeente"
* contributor[4] = Reference(voorbeeld-kinderdagverblijf) "Verpleegkundig Kinderdagverblijf De Kleine Beer"
* careTeam[0] = Reference(voorbeeld-zorgnetwerk) "Zorgnetwerk Noor van den Berg"
* addresses[0] = Reference(voorbeeld-aandoening) "Slikstoornis"
* supportingInfo[0] = Reference(voorbeeld-hulpbehoeftescan) "Hulpbehoeftescan Kind & Gezin"
* goal[0] = Reference(voorbeeld-doel-sondevoeding)
* goal[1] = Reference(voorbeeld-doel-kinderdagverblijf)
* goal[2] = Reference(voorbeeld-doel-werk-moeder)
* goal[3] = Reference(voorbeeld-doel-veiligheid)
* goal[4] = Reference(voorbeeld-doel-zus)
* activity[0].reference = Reference(voorbeeld-interventie-verpleging)
* activity[1].reference = Reference(voorbeeld-interventie-training-sondevoeding)
* activity[2].reference = Reference(voorbeeld-interventie-kinderdagverblijf)
* activity[3].reference = Reference(voorbeeld-interventie-brussengroep)
* activity[4].reference = Reference(voorbeeld-taak-overdracht)
* activity[5].reference = Reference(voorbeeld-taak-bindende-verwijzing)
