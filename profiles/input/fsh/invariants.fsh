// Invariants of the standard. zkg-1 .. zkg-5 are the rules of the naming contract
// (profiles/README.md); zkg-6 .. zkg-8 are additions, each with a file in fixtures/invalid/.
// Expressions are R4 FHIRPath; resolve() is used where a rule needs a referenced resource.

Invariant: zkg-1
Description: "Een doel noemt minstens één kinderleefdomein. / A goal names at least one kinderleefdomein (child life domain)."
Severity: #error
Expression: "category.coding.where(system = 'http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein').exists()"

Invariant: zkg-2
Description: "Een interventie verwijst naar minstens één doel (pertainsToGoal). / An intervention points to at least one goal (pertainsToGoal)."
Severity: #error
Expression: "extension('http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal').value.exists()"

Invariant: zkg-3
Description: "Een actief plan heeft een zorgcoördinator in zijn zorgnetwerk, of een vastgelegde afwijzing van het aanbod. / An active plan has a zorgcoordinator (care coordinator) in its care team, or a recorded decline of the offer."
Severity: #warning
Expression: "status = 'active' implies (careTeam.resolve().participant.where(role.coding.where(system = 'http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol' and code = 'zorgcoordinator').exists() and member.exists() and (period.end.empty() or period.end >= now())).exists() or extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/zorgcoordinatie-aanbod').extension('status').where(value = 'afgewezen').exists())"

Invariant: zkg-4
Description: "Een plan in fase zorgplan verwijst naar een hulpbehoeftescan (een QuestionnaireResponse in supportingInfo). / A plan in phase zorgplan refers to a hulpbehoeftescan (needs assessment: a QuestionnaireResponse in supportingInfo)."
Severity: #warning
Expression: "extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/mks-fase').value.where(system = 'http://fhir.zorgplankindgezin.nl/CodeSystem/mks-fase' and code = 'zorgplan').exists() implies supportingInfo.where(type = 'QuestionnaireResponse' or reference.contains('QuestionnaireResponse/') or (resolve() is QuestionnaireResponse)).exists()"

Invariant: zkg-5
Description: "Een actief overkoepelend plan dekt alle vier kinderleefdomeinen: met doelen, of met een expliciete geen-hulpvraag-domein. / An active overarching plan covers all four child life domains: with goals, or with an explicit geen-hulpvraag-domein (no need in domain)."
Severity: #warning
Expression: "(status = 'active' and category.coding.where(system = 'http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-categorie' and code = 'zorgplan-kind-gezin').exists()) implies (goal.resolve().where(lifecycleStatus != 'cancelled' and lifecycleStatus != 'rejected' and lifecycleStatus != 'entered-in-error').category.coding | extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/geen-hulpvraag-domein').value.coding).where(system = 'http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein').code.supersetOf('medisch' | 'ontwikkeling' | 'sociaal' | 'veiligheid')"

Invariant: zkg-6
Description: "Een BSN bestaat uit 9 cijfers en voldoet aan de elfproef. / A BSN (Dutch citizen service number) has 9 digits and passes the 11-check."
Severity: #error
Expression: "value.exists() implies (value.matches('^[0-9]{9}$') and ((value.substring(0, 1).toInteger() * 9 + value.substring(1, 1).toInteger() * 8 + value.substring(2, 1).toInteger() * 7 + value.substring(3, 1).toInteger() * 6 + value.substring(4, 1).toInteger() * 5 + value.substring(5, 1).toInteger() * 4 + value.substring(6, 1).toInteger() * 3 + value.substring(7, 1).toInteger() * 2 - value.substring(8, 1).toInteger()) mod 11 = 0))"

Invariant: zkg-7
Description: "Een eindverantwoordelijke voor een domein noemt dat domein (verantwoordelijk-domein). / A participant with role eindverantwoordelijke-domein names that domain (verantwoordelijk-domein)."
Severity: #warning
Expression: "role.coding.where(system = 'http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol' and code = 'eindverantwoordelijke-domein').exists() implies extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/verantwoordelijk-domein').exists()"

Invariant: zkg-8
Description: "Een afgesloten plan (completed of revoked) noemt de reden van afsluiten (afsluitreden). / A closed plan (completed or revoked) records its reason for closure (afsluitreden)."
Severity: #warning
Expression: "(status = 'completed' or status = 'revoked') implies extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/afsluitreden').exists()"
