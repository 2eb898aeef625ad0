// Operations of the standard.

Instance: zorgplan
InstanceOf: OperationDefinition
Usage: #definition
Title: "$zorgplan"
* url = "http://fhir.zorgplankindgezin.nl/OperationDefinition/zorgplan"
* version = "0.1.0"
* name = "Zorgplan"
* title = "Het hele zorgplan als document / The whole care plan as a document"
* status = #active
* kind = #operation
* experimental = false
* description = "Het hele huidige zorgplan van een kind als één FHIR-document (Bundle van type document): een Composition die in gewone taal zegt wat het plan is, de doelen per kinderleefdomein in de woorden van het gezin, wat er gebeurt en wie er helpen, gevolgd door alles wat zij noemt, voor zover de vrager het mag zien. Op een Patient: diens zorgplan Kind&Gezin (het actieve, anders een dat stilstaat, anders een concept, anders het laatst gewijzigde). / A child's whole current care plan as one FHIR document (a Bundle of type document): a Composition that says in plain language what the plan is, the goals per child life domain in the family's words, what is being done and who helps, followed by everything it names, as far as the caller may see it. On a Patient: its Zorgplan Kind&Gezin (the active one, else one on hold, else a draft, else the last changed)."
* code = #zorgplan
* resource[0] = #CarePlan
* resource[1] = #Patient
* system = false
* type = false
* instance = true
* affectsState = false
* parameter[0].name = #return
* parameter[0].use = #out
* parameter[0].min = 1
* parameter[0].max = "1"
* parameter[0].documentation = "Het document. / The document."
* parameter[0].type = #Bundle
