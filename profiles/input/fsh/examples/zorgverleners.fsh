// Examples: organisations and professionals around Noor. All names and numbers are fictitious.

Instance: voorbeeld-umc
InstanceOf: Zorgorganisatie
Usage: #example
Title: "Voorbeeld: academisch kinderziekenhuis"
Description: "Het academisch kinderziekenhuis waar Noor was opgenomen. / The academic children's hospital where Noor was admitted."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>academisch kinderziekenhuis</b></p><p>Het academisch kinderziekenhuis waar Noor was opgenomen.</p></div>"
* identifier[ura].system = $ura
* identifier[ura].value = "87654321"
* identifier[agb].system = $agb
* identifier[agb].value = "06010123"
* active = true
* type[0] = $organization-type#prov "Healthcare Provider"
* type[1] = http://nictiz.nl/fhir/NamingSystem/organization-type#V5 "Universitair Medisch Centrum"
* name = "Universitair Kinderziekenhuis Utrecht"
* telecom[0].system = #phone
* telecom[0].value = "+31 88 0000000"
* address[0].line[0] = "Kinderzorgplein 1"
* address[0].postalCode = "3584 EA"
* address[0].city = "Utrecht"
* address[0].country = "NL"

Instance: voorbeeld-kinderthuiszorg
InstanceOf: Zorgorganisatie
Usage: #example
Title: "Voorbeeld: kinderthuiszorg"
Description: "De kinderthuiszorgorganisatie die de verpleging thuis levert en de zorgcoördinator levert. / The paediatric home-care organisation that delivers nursing at home and provides the care coordinator."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>kinderthuiszorg</b></p><p>De kinderthuiszorgorganisatie die de verpleging thuis levert en de zorgcoördinator levert.</p></div>"
* identifier[ura].system = $ura
* identifier[ura].value = "23456789"
* identifier[agb].system = $agb
* identifier[agb].value = "75012345"
* active = true
* type[0] = $organization-type#prov "Healthcare Provider"
* type[1] = http://nictiz.nl/fhir/NamingSystem/organization-type#T2 "Thuiszorg"
* name = "Kinderthuiszorg Midden-Nederland"
* telecom[0].system = #phone
* telecom[0].value = "+31 30 0000000"
* address[0].line[0] = "Croeselaan 100"
* address[0].postalCode = "3521 CA"
* address[0].city = "Utrecht"
* address[0].country = "NL"

Instance: voorbeeld-kinderdagverblijf
InstanceOf: Zorgorganisatie
Usage: #example
Title: "Voorbeeld: verpleegkundig kinderdagverblijf"
Description: "Het verpleegkundig kinderdagverblijf waar Noor twee dagen per week naartoe gaat. / The nursing day-care centre Noor attends two days a week."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>verpleegkundig kinderdagverblijf</b></p><p>Het verpleegkundig kinderdagverblijf waar Noor twee dagen per week naartoe gaat.</p></div>"
* identifier[agb].system = $agb
* identifier[agb].value = "75023456"
* active = true
* type[0] = $organization-type#prov "Healthcare Provider"
* name = "Verpleegkundig Kinderdagverblijf De Kleine Beer"
* address[0].line[0] = "Vleutenseweg 210"
* address[0].postalCode = "3532 HL"
* address[0].city = "Utrecht"
* address[0].country = "NL"

Instance: voorbeeld-gemeente
InstanceOf: Zorgorganisatie
Usage: #example
Title: "Voorbeeld: gemeente"
Description: "De gemeente, financier onder Jeugdwet en Wmo. / The municipality, payor under the Youth Act and the Social Support Act."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>gemeente</b></p><p>De gemeente, financier onder Jeugdwet en Wmo.</p></div>"
* active = true
* type[0] = $organization-type#govt "Government"
* name = "Gemeente Utrecht"
* address[0].line[0] = "Stadsplateau 1"
* address[0].postalCode = "3521 AZ"
* address[0].city = "Utrecht"
* address[0].country = "NL"

Instance: voorbeeld-zorgverzekeraar
InstanceOf: Zorgorganisatie
Usage: #example
Title: "Voorbeeld: zorgverzekeraar"
Description: "De zorgverzekeraar van Noor (Zvw). / Noor's health insurer (Health Insurance Act)."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>zorgverzekeraar</b></p><p>De zorgverzekeraar van Noor (Zvw).</p></div>"
* identifier[uzovi].system = $uzovi
* identifier[uzovi].value = "3399"
* active = true
* type[0] = $organization-type#ins "Insurance Company"
* name = "Zorgverzekeraar De Zorgkring"

Instance: voorbeeld-kinderarts
InstanceOf: Zorgverlener
Usage: #example
Title: "Voorbeeld: kinderarts"
Description: "Dr. Sophie de Groot, kinderarts en hoofdbehandelaar. / Dr Sophie de Groot, paediatrician and lead physician."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>kinderarts</b></p><p>Dr. Sophie de Groot, kinderarts en hoofdbehandelaar.</p></div>"
* identifier[agb].system = $agb
* identifier[agb].value = "03012345"
* identifier[big].system = $big
* identifier[big].value = "19012345601"
* identifier[uzi].system = $uzi
* identifier[uzi].value = "900012345"
* active = true
* name[0].use = #official
* name[0].text = "dr. S. de Groot"
* name[0].family = "de Groot"
* name[0].family.extension[prefix].valueString = "de"
* name[0].family.extension[lastName].valueString = "Groot"
* name[0].given[0] = "Sophie"
* name[0].prefix[0] = "dr."
* gender = #female
* qualification[0].code.text = "Kinderarts (specialisme kindergeneeskunde)"

Instance: voorbeeld-kinderverpleegkundige
InstanceOf: Zorgverlener
Usage: #example
Title: "Voorbeeld: kinderverpleegkundige"
Description: "Ayşe Yılmaz, kinderverpleegkundige niveau 5 in de kinderthuiszorg, indiceert en is zorgcoördinator. / Ayşe Yılmaz, paediatric nurse level 5 in paediatric home care, assesses care needs and is the care coordinator."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>kinderverpleegkundige</b></p><p>Ayşe Yılmaz, kinderverpleegkundige niveau 5 in de kinderthuiszorg, indiceert en is zorgcoördinator.</p></div>"
* identifier[agb].system = $agb
* identifier[agb].value = "90012345"
* identifier[big].system = $big
* identifier[big].value = "49012345630"
* active = true
* name[0].use = #official
* name[0].text = "Ayşe Yılmaz"
* name[0].family = "Yılmaz"
* name[0].family.extension[lastName].valueString = "Yılmaz"
* name[0].given[0] = "Ayşe"
* gender = #female
* qualification[0].code.text = "Kinderverpleegkundige niveau 5"
* qualification[1].code.text = "Scholing kinderpalliatieve zorg"

Instance: voorbeeld-transferverpleegkundige
InstanceOf: Zorgverlener
Usage: #example
Title: "Voorbeeld: transferverpleegkundige"
Description: "Ingrid Bakker, transferverpleegkundige in het kinderziekenhuis. / Ingrid Bakker, transfer nurse in the children's hospital."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>transferverpleegkundige</b></p><p>Ingrid Bakker, transferverpleegkundige in het kinderziekenhuis.</p></div>"
* identifier[big].system = $big
* identifier[big].value = "29012345630"
* active = true
* name[0].use = #official
* name[0].text = "Ingrid Bakker"
* name[0].family = "Bakker"
* name[0].family.extension[lastName].valueString = "Bakker"
* name[0].given[0] = "Ingrid"
* gender = #female

Instance: voorbeeld-jeugdconsulent
InstanceOf: Zorgverlener
Usage: #example
Title: "Voorbeeld: Wmo- en jeugdconsulent"
Description: "Mark van Dijk, consulent van het buurtteam voor Wmo en Jeugdwet; geen BIG-registratie. / Mark van Dijk, consultant of the neighbourhood team for the Social Support Act and the Youth Act; not BIG-registered."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Wmo- en jeugdconsulent</b></p><p>Mark van Dijk, consulent van het buurtteam voor Wmo en Jeugdwet; geen BIG-registratie.</p></div>"
* active = true
* name[0].use = #official
* name[0].text = "Mark van Dijk"
* name[0].family = "van Dijk"
* name[0].family.extension[prefix].valueString = "van"
* name[0].family.extension[lastName].valueString = "Dijk"
* name[0].given[0] = "Mark"
* gender = #male

Instance: voorbeeld-kinderarts-rol
InstanceOf: ZorgverlenerRol
Usage: #example
Title: "Voorbeeld: kinderarts in het kinderziekenhuis"
Description: "De kinderarts in het academisch kinderziekenhuis. / The paediatrician in the academic children's hospital."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>kinderarts in het kinderziekenhuis</b></p><p>De kinderarts in het academisch kinderziekenhuis.</p></div>"
* identifier[agb].system = $agb
* identifier[agb].value = "03012345"
* active = true
* practitioner = Reference(voorbeeld-kinderarts) "dr. S. de Groot"
* organization = Reference(voorbeeld-umc) "Universitair Kinderziekenhuis Utrecht"
* code[0] = $zorgplan-rol#hoofdbehandelaar "Hoofdbehandelaar"
* specialty[0] = $agb-specialisme#0316 "Kindergeneeskunde"
* telecom[0].system = #phone
* telecom[0].value = "+31 88 0000001"
* telecom[0].use = #work

Instance: voorbeeld-kinderverpleegkundige-rol
InstanceOf: ZorgverlenerRol
Usage: #example
Title: "Voorbeeld: kinderverpleegkundige in de kinderthuiszorg"
Description: "De kinderverpleegkundige en zorgcoördinator in de kinderthuiszorg. / The paediatric nurse and care coordinator in paediatric home care."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>kinderverpleegkundige in de kinderthuiszorg</b></p><p>De kinderverpleegkundige en zorgcoördinator in de kinderthuiszorg.</p></div>"
* identifier[agb].system = $agb
* identifier[agb].value = "90012345"
* active = true
* practitioner = Reference(voorbeeld-kinderverpleegkundige) "Ayşe Yılmaz"
* organization = Reference(voorbeeld-kinderthuiszorg) "Kinderthuiszorg Midden-Nederland"
* code[0] = $zorgplan-rol#kinderverpleegkundige "Kinderverpleegkundige"
* code[1] = $zorgplan-rol#zorgcoordinator "Zorgcoördinator / zorgcoach"
* telecom[0].system = #phone
* telecom[0].value = "+31 30 0000001"
* telecom[0].use = #work

Instance: voorbeeld-transferverpleegkundige-rol
InstanceOf: ZorgverlenerRol
Usage: #example
Title: "Voorbeeld: transferverpleegkundige in het kinderziekenhuis"
Description: "De transferverpleegkundige die het ontslag naar huis regelde. / The transfer nurse who arranged the discharge home."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>transferverpleegkundige in het kinderziekenhuis</b></p><p>De transferverpleegkundige die het ontslag naar huis regelde.</p></div>"
* active = true
* practitioner = Reference(voorbeeld-transferverpleegkundige) "Ingrid Bakker"
* organization = Reference(voorbeeld-umc) "Universitair Kinderziekenhuis Utrecht"
* code[0] = $zorgplan-rol#transferverpleegkundige "Transferverpleegkundige"

Instance: voorbeeld-jeugdconsulent-rol
InstanceOf: ZorgverlenerRol
Usage: #example
Title: "Voorbeeld: consulent van de gemeente"
Description: "De Wmo- en jeugdconsulent van de gemeente. / The municipality's social support and youth care consultant."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>consulent van de gemeente</b></p><p>De Wmo- en jeugdconsulent van de gemeente.</p></div>"
* active = true
* practitioner = Reference(voorbeeld-jeugdconsulent) "Mark van Dijk"
* organization = Reference(voorbeeld-gemeente) "Gemeente Utrecht"
* code[0] = $zorgplan-rol#wmo-jeugdconsulent "Wmo- of Jeugdwetconsulent"
