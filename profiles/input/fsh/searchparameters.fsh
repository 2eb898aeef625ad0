// Search parameters of the standard (profiles/README.md). Expressions are R4 FHIRPath.

RuleSet: ZoekparameterMetadata(id, code)
* url = "http://fhir.zorgplankindgezin.nl/SearchParameter/{id}"
* version = "0.1.0"
* status = #active
* experimental = false
* code = #{code}

Instance: goal-kinderleefdomein
InstanceOf: SearchParameter
Usage: #definition
Title: "Goal: kinderleefdomein"
* insert ZoekparameterMetadata(goal-kinderleefdomein, kinderleefdomein)
* name = "GoalKinderleefdomein"
* description = "Doelen per kinderleefdomein (Goal.category). / Goals by child life domain (Goal.category)."
* base = #Goal
* type = #token
* expression = "Goal.category"
* xpathUsage = #normal

Instance: careplan-mks-fase
InstanceOf: SearchParameter
Usage: #definition
Title: "CarePlan: mks-fase"
* insert ZoekparameterMetadata(careplan-mks-fase, mks-fase)
* name = "CarePlanMksFase"
* description = "Zorgplannen per MKS-fase (extensie mks-fase). / Care plans by MKS phase (extension mks-fase)."
* base = #CarePlan
* type = #token
* expression = "CarePlan.extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/mks-fase').value"
* xpathUsage = #normal

Instance: careplan-care-team-member
InstanceOf: SearchParameter
Usage: #definition
Title: "CarePlan: care-team-member"
* insert ZoekparameterMetadata(careplan-care-team-member, care-team-member)
* name = "CarePlanCareTeamMember"
* description = "Zorgplannen waarvan het zorgnetwerk deze deelnemer heeft (CarePlan.careTeam -> CareTeam.participant.member). / Care plans whose care team has this member (CarePlan.careTeam -> CareTeam.participant.member)."
* base = #CarePlan
* type = #reference
* expression = "CarePlan.careTeam.resolve().participant.member"
* xpathUsage = #normal
* target[0] = #Practitioner
* target[+] = #PractitionerRole
* target[+] = #RelatedPerson
* target[+] = #Patient
* target[+] = #Organization
* target[+] = #CareTeam

Instance: careteam-rol
InstanceOf: SearchParameter
Usage: #definition
Title: "CareTeam: rol"
* insert ZoekparameterMetadata(careteam-rol, rol)
* name = "CareTeamRol"
* description = "Zorgnetwerken met een deelnemer in deze rol (CareTeam.participant.role, zoals zorgplan-rol#zorgcoordinator). / Care teams with a participant in this role (CareTeam.participant.role, such as zorgplan-rol#zorgcoordinator)."
* base = #CareTeam
* type = #token
* expression = "CareTeam.participant.role"
* xpathUsage = #normal

Instance: servicerequest-wettelijk-kader
InstanceOf: SearchParameter
Usage: #definition
Title: "ServiceRequest: wettelijk-kader"
* insert ZoekparameterMetadata(servicerequest-wettelijk-kader, wettelijk-kader)
* name = "ServiceRequestWettelijkKader"
* description = "Interventies per wettelijk kader (extensie wettelijk-kader). / Interventions by legal framework (extension wettelijk-kader)."
* base = #ServiceRequest
* type = #token
* expression = "ServiceRequest.extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/wettelijk-kader').value"
* xpathUsage = #normal

Instance: servicerequest-doel
InstanceOf: SearchParameter
Usage: #definition
Title: "ServiceRequest: doel"
* insert ZoekparameterMetadata(servicerequest-doel, doel)
* name = "ServiceRequestDoel"
* description = "Interventies voor dit doel (extensie resource-pertainsToGoal). / Interventions for this goal (extension resource-pertainsToGoal)."
* base = #ServiceRequest
* type = #reference
* expression = "ServiceRequest.extension('http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal').value"
* xpathUsage = #normal
* target = #Goal

Instance: coverage-wettelijk-kader
InstanceOf: SearchParameter
Usage: #definition
Title: "Coverage: wettelijk-kader"
* insert ZoekparameterMetadata(coverage-wettelijk-kader, wettelijk-kader)
* name = "CoverageWettelijkKader"
* description = "Financiering per wettelijk kader (Coverage.type). / Funding by legal framework (Coverage.type)."
* base = #Coverage
* type = #token
* expression = "Coverage.type"
* xpathUsage = #normal

Instance: task-taak-type
InstanceOf: SearchParameter
Usage: #definition
Title: "Task: taak-type"
* insert ZoekparameterMetadata(task-taak-type, taak-type)
* name = "TaskTaakType"
* description = "Taken per taaktype (Task.code, zoals taak-type#overdracht). / Tasks by task type (Task.code, such as taak-type#overdracht)."
* base = #Task
* type = #token
* expression = "Task.code"
* xpathUsage = #normal
