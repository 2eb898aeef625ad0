Profile: Zorgverlener
Parent: Practitioner
Id: zorgverlener
Title: "Zorgverlener"
Description: "Een professional rond het kind: in de zorg, op school of bij de gemeente. Identificatie (AGB, BIG, UZI) en naamgeving volgens nl-core; het profiel is open, zodat nl-core-instanties geldig blijven. / A professional around the child: in care, at school or at the municipality. Identifiers (AGB, BIG, UZI) and names as in nl-core; the profile is open, so nl-core instances stay valid."
* insert ProfielMetadata
* . ^short = "Zorgverlener / Practitioner"
* . ^definition = "Een professional rond het kind. / A professional around the child."
* insert IdentifierPerSysteem
* identifier ^short = "Identificatie van de zorgverlener / Identifier of the practitioner"
* identifier ^definition = "AGB-, BIG- of UZI-nummer, of een andere identificatie. / AGB, BIG or UZI number, or another identifier."
* identifier contains agb 0..1 and big 0..1 and uzi 0..1
* identifier[agb] ^short = "AGB-code (8 cijfers) / AGB code (8 digits)"
* identifier[agb] ^definition = "De AGB-zorgverlenerscode. / The Dutch AGB practitioner code."
* identifier[agb].system 1..1
* identifier[agb].system = $agb
* identifier[agb].system ^short = "AGB-naamsysteem / AGB naming system"
* identifier[agb].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/agb-z. / Always http://fhir.nl/fhir/NamingSystem/agb-z."
* identifier[big] ^short = "BIG-registratienummer / BIG registration number"
* identifier[big] ^definition = "Het nummer in het BIG-register. / The number in the Dutch register of healthcare professionals (BIG)."
* identifier[big].system 1..1
* identifier[big].system = $big
* identifier[big].system ^short = "BIG-naamsysteem / BIG naming system"
* identifier[big].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/big. / Always http://fhir.nl/fhir/NamingSystem/big."
* identifier[uzi] ^short = "UZI-nummer (9 cijfers) / UZI number (9 digits)"
* identifier[uzi] ^definition = "Het UZI-nummer van de zorgverlener. / The practitioner's UZI number."
* identifier[uzi].system 1..1
* identifier[uzi].system = $uzi
* identifier[uzi].system ^short = "UZI-naamsysteem / UZI naming system"
* identifier[uzi].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/uzi-nr-pers. / Always http://fhir.nl/fhir/NamingSystem/uzi-nr-pers."
* insert NederlandseNaam
* qualification ^short = "Kwalificatie / Qualification"
* qualification ^definition = "Opleiding en bevoegdheid, zoals kinderverpleegkundige niveau 4 of 5, verpleegkundig specialist of een KKPZ-scholing; van belang voor wie mag indiceren. / Training and competence, such as paediatric nurse level 4 or 5, nurse specialist or palliative care training; it matters for who may assess care needs."
