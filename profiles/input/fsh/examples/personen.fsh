// Examples: the child and the family (scenario S1: a toddler goes home from an academic
// hospital with tube feeding and saturation monitoring). All data is fictitious; the BSNs
// are test numbers that pass the 11-check.

Instance: voorbeeld-kind
InstanceOf: KindPatient
Usage: #example
Title: "Voorbeeld: Noor van den Berg (kind)"
Description: "Noor, 14 maanden bij ontslag uit het ziekenhuis, met sondevoeding en saturatiebewaking thuis. / Noor, 14 months old at discharge from hospital, with tube feeding and saturation monitoring at home."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Noor van den Berg (kind)</b></p><p>Noor, 14 maanden bij ontslag uit het ziekenhuis, met sondevoeding en saturatiebewaking thuis.</p></div>"
* identifier[bsn].system = $bsn
* identifier[bsn].value = "999911120"
* active = true
* name[0].use = #official
* name[0].text = "Noor van den Berg"
* name[0].extension[nameUsage].valueCode = $name-assembly-order#NL1
* name[0].family = "van den Berg"
* name[0].family.extension[prefix].valueString = "van den"
* name[0].family.extension[lastName].valueString = "Berg"
* name[0].given[0] = "Noor"
* gender = #female
* birthDate = "2025-07-10"
* address[0].use = #home
* address[0].line[0] = "Kanaalstraat 45 A"
* address[0].line[0].extension[streetName].valueString = "Kanaalstraat"
* address[0].line[0].extension[houseNumber].valueString = "45"
* address[0].line[0].extension[houseNumberLetter-houseNumberAddition].valueString = "A"
* address[0].postalCode = "3531 CH"
* address[0].city = "Utrecht"
* address[0].district = "Utrecht"
* address[0].country = "NL"
* communication[0].language = urn:ietf:bcp:47#nl "Dutch"

Instance: voorbeeld-moeder
InstanceOf: Gezinslid
Usage: #example
Title: "Voorbeeld: Lotte van den Berg-de Vries (moeder)"
Description: "Moeder van Noor, met gezag; gebruikt de naam van haar partner gevolgd door haar eigen naam. / Noor's mother, with parental authority; uses her partner's name followed by her own name."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Lotte van den Berg-de Vries (moeder)</b></p><p>Moeder van Noor, met gezag; gebruikt de naam van haar partner gevolgd door haar eigen naam.</p></div>"
* identifier[bsn].system = $bsn
* identifier[bsn].value = "999912355"
* active = true
* patient = Reference(voorbeeld-kind) "Noor van den Berg"
* relationship[0] = $v3-RoleCode#MTH "mother"
* name[0].use = #official
* name[0].text = "Lotte van den Berg-de Vries"
* name[0].extension[nameUsage].valueCode = $name-assembly-order#NL3
* name[0].family = "van den Berg-de Vries"
* name[0].family.extension[partnerPrefix].valueString = "van den"
* name[0].family.extension[partnerLastName].valueString = "Berg"
* name[0].family.extension[prefix].valueString = "de"
* name[0].family.extension[lastName].valueString = "Vries"
* name[0].given[0] = "Lotte"
* telecom[0].system = #phone
* telecom[0].value = "+31 6 12345678"
* telecom[0].use = #mobile
* telecom[1].system = #email
* telecom[1].value = "lotte.vandenberg@example.nl"
* telecom[1].use = #home
* gender = #female
* birthDate = "1991-03-02"
* address[0].use = #home
* address[0].line[0] = "Kanaalstraat 45 A"
* address[0].line[0].extension[streetName].valueString = "Kanaalstraat"
* address[0].line[0].extension[houseNumber].valueString = "45"
* address[0].line[0].extension[houseNumberLetter-houseNumberAddition].valueString = "A"
* address[0].postalCode = "3531 CH"
* address[0].city = "Utrecht"
* address[0].country = "NL"

Instance: voorbeeld-vader
InstanceOf: Gezinslid
Usage: #example
Title: "Voorbeeld: Thomas van den Berg (vader)"
Description: "Vader van Noor, met gezag. / Noor's father, with parental authority."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Thomas van den Berg (vader)</b></p><p>Vader van Noor, met gezag.</p></div>"
* identifier[bsn].system = $bsn
* identifier[bsn].value = "999955032"
* active = true
* patient = Reference(voorbeeld-kind) "Noor van den Berg"
* relationship[0] = $v3-RoleCode#FTH "father"
* name[0].use = #official
* name[0].text = "Thomas van den Berg"
* name[0].extension[nameUsage].valueCode = $name-assembly-order#NL1
* name[0].family = "van den Berg"
* name[0].family.extension[prefix].valueString = "van den"
* name[0].family.extension[lastName].valueString = "Berg"
* name[0].given[0] = "Thomas"
* telecom[0].system = #phone
* telecom[0].value = "+31 6 87654321"
* telecom[0].use = #mobile
* gender = #male
* birthDate = "1989-11-23"
* address[0].use = #home
* address[0].line[0] = "Kanaalstraat 45 A"
* address[0].postalCode = "3531 CH"
* address[0].city = "Utrecht"
* address[0].country = "NL"

Instance: voorbeeld-zus
InstanceOf: Gezinslid
Usage: #example
Title: "Voorbeeld: Eva van den Berg (zus)"
Description: "De zus van Noor, 5 jaar; zij krijgt zelf geen zorg en is daarom een gezinslid, geen eigen Patient. / Noor's sister, aged 5; she receives no care herself and is therefore a family member, not a Patient of her own."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Eva van den Berg (zus)</b></p><p>De zus van Noor, 5 jaar; zij krijgt zelf geen zorg en is daarom een gezinslid, geen eigen Patient.</p></div>"
* identifier[bsn].system = $bsn
* identifier[bsn].value = "999911041"
* active = true
* patient = Reference(voorbeeld-kind) "Noor van den Berg"
* relationship[0] = $v3-RoleCode#SIS "sister"
* name[0].use = #official
* name[0].text = "Eva van den Berg"
* name[0].family = "van den Berg"
* name[0].family.extension[prefix].valueString = "van den"
* name[0].family.extension[lastName].valueString = "Berg"
* name[0].given[0] = "Eva"
* gender = #female
* birthDate = "2021-05-20"
