Profile: ZorgnetwerkKind
Parent: CareTeam
Id: zorgnetwerk-kind
Title: "Zorgnetwerk kind"
Description: "Iedereen rond het kind, met rol, organisatie, periode en verantwoordelijk domein: het kind, de ouders, gezinsleden, professionals, organisaties en geneste teams (KCT, NIK). De periode per deelnemer bewaart de geschiedenis van overdrachten. / Everyone around the child, with role, organisation, period and domain of responsibility: the child, the parents, family members, professionals, organisations and nested teams. The period per participant keeps the history of handovers."
* insert ProfielMetadata
* . ^short = "Zorgnetwerk / Care network"
* . ^definition = "Het zorgnetwerk van het kind. / The child's care network."
* subject 1..1
* subject only Reference(KindPatient)
* subject ^short = "Het kind / The child"
* subject ^definition = "Het kind om wie het netwerk zich vormt. / The child the network forms around."
* participant ^short = "Deelnemer / Participant"
* participant ^definition = "Een deelnemer met rol(len), periode en eventueel verantwoordelijk domein. / A participant with role(s), period and, where applicable, domain of responsibility."
* participant obeys zkg-7
* participant.extension contains ExtVerantwoordelijkDomein named verantwoordelijkDomein 0..*
* participant.extension[verantwoordelijkDomein] ^short = "Verantwoordelijk domein / Domain of responsibility"
* participant.extension[verantwoordelijkDomein] ^definition = "Het kinderleefdomein waarvoor deze deelnemer (eind)verantwoordelijk is; verwacht bij de rol eindverantwoordelijke-domein (zkg-7). / The life domain this participant is (finally) responsible for; expected with the role eindverantwoordelijke-domein (zkg-7)."
* insert CodesPerPatroon(participant.role)
* participant.role 1..*
* participant.role ^short = "Rol(len) / Role(s)"
* participant.role ^definition = "De rol(len) van de deelnemer; minstens één uit zorgplan-rol. Andere codes (zoals SNOMED CT) mogen erbij in een eigen CodeableConcept. / The participant's role(s); at least one from zorgplan-rol. Other codes (such as SNOMED CT) may be added in their own CodeableConcept."
* participant.role contains zorgplanRol 1..*
* participant.role[zorgplanRol] from ZorgplanRolVS (required)
* participant.role[zorgplanRol] ^short = "Rol in het zorgplan / Role in the care plan"
* participant.role[zorgplanRol] ^definition = "De rol uit zorgplan-rol, zoals kind, ouder-gezaghebbend, hoofdbehandelaar of zorgcoordinator. / The role from zorgplan-rol, such as child, parent with authority, lead physician or care coordinator."
* participant.member only Reference(Zorgverlener or ZorgverlenerRol or Gezinslid or KindPatient or Zorgorganisatie or ZorgnetwerkKind)
* participant.member ^short = "Wie / Who"
* participant.member ^definition = "De deelnemer: een professional, gezinslid, het kind, een organisatie of een genest team (KCT, NIK). / The participant: a professional, family member, the child, an organisation or a nested team."
* participant.onBehalfOf only Reference(Zorgorganisatie)
* participant.onBehalfOf ^short = "Namens organisatie / On behalf of organisation"
* participant.onBehalfOf ^definition = "De organisatie namens welke de deelnemer optreedt; alleen bij een Zorgverlener (Practitioner) als member (R4 ctm-1). Bij een ZorgverlenerRol volgt de organisatie uit PractitionerRole.organization. / The organisation the participant acts for; only with a Zorgverlener (Practitioner) as member (R4 ctm-1). With a ZorgverlenerRol the organisation follows from PractitionerRole.organization."
* participant.period ^short = "Periode in het netwerk / Period in the network"
* participant.period ^definition = "Van wanneer tot wanneer de deelnemer deze rol heeft; een einddatum legt een overdracht vast. / From when until when the participant holds this role; an end date records a handover."
