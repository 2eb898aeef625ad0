Profile: TaakKindGezin
Parent: Task
Id: taak-kind-gezin
Title: "Taak Kind&Gezin"
Description: "Een taak in het zorgnetwerk: overdracht, (bindende) verwijzing, transitie 18-/18+, bezwaar, escalatie, herindicatie of herziening van het plan, met eigenaar en status. / A task in the care network: handover, (binding) referral, transition at 18, objection, escalation, reassessment or plan review, with owner and status."
* insert ProfielMetadata
* . ^short = "Taak / Task"
* . ^definition = "Een taak in het zorgnetwerk van kind en gezin. / A task in the care network of child and family."
* basedOn ^short = "Het zorgplan / The care plan"
* basedOn ^definition = "Het zorgplan of de interventie waaruit de taak voortkomt. / The care plan or intervention the task comes from."
* status ^short = "Status / Status"
* status ^definition = "De status, bijvoorbeeld requested, accepted, rejected (met statusReason) of completed. / The status, for example requested, accepted, rejected (with statusReason) or completed."
* statusReason ^short = "Reden van de status / Reason for the status"
* statusReason ^definition = "Waarom de taak is geweigerd of gestopt; bij een geweigerde bindende verwijzing volgt escalatie. / Why the task was rejected or stopped; a rejected binding referral leads to escalation."
* intent ^short = "Meestal order / Usually order"
* intent ^definition = "De bedoeling; voor een (bindende) verwijzing of overdracht 'order'. / The intent; 'order' for a (binding) referral or handover."
* code 1..1
* code from TaakTypeVS (required)
* code ^short = "Soort taak / Kind of task"
* code ^definition = "Overdracht, verwijzing, bindende verwijzing, transitie 18-/18+, bezwaar, escalatie, herindicatie of herziening zorgplan. / Handover, referral, binding referral, transition at 18, objection, escalation, reassessment or care plan review."
* focus ^short = "Waar de taak over gaat / What the task is about"
* focus ^definition = "Bijvoorbeeld de interventie bij een verwijzing, de indicatie bij een bezwaar, of het zorgplan bij een overdracht. / For example the intervention for a referral, the assessment for an objection, or the care plan for a handover."
* for only Reference(KindPatient)
* for ^short = "Het kind / The child"
* for ^definition = "Het kind voor wie de taak is. / The child the task is for."
* requester only Reference(ZorgverlenerRol or Zorgverlener or Zorgorganisatie or Gezinslid or KindPatient)
* requester ^short = "Aanvrager / Requester"
* requester ^definition = "Wie de taak heeft uitgezet, bijvoorbeeld de overkoepelend coördinator. / Who created the task, for example the overarching coordinator."
* owner only Reference(ZorgverlenerRol or Zorgverlener or Zorgorganisatie or ZorgnetwerkKind or Gezinslid or KindPatient)
* owner ^short = "Eigenaar / Owner"
* owner ^definition = "Wie de taak moet uitvoeren, bijvoorbeeld de ontvangende organisatie of het escalatieorgaan. / Who has to carry out the task, for example the receiving organisation or the escalation body."
