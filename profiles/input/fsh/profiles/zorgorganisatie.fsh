Profile: Zorgorganisatie
Parent: Organization
Id: zorgorganisatie
Title: "Zorgorganisatie"
Description: "Een organisatie rond het kind: ziekenhuis, kinderthuiszorg, kinderzorghuis, verpleegkundig kinderdagverblijf, gemeente, school, zorgverzekeraar, zorgkantoor, CIZ of netwerk. Het profiel is open, zodat nl-core-instanties geldig blijven. / An organisation around the child: hospital, paediatric home care, children's care home, nursing day-care centre, municipality, school, health insurer, care office, assessment centre or network. The profile is open, so nl-core instances stay valid."
* insert ProfielMetadata
* . ^short = "Organisatie / Organisation"
* . ^definition = "Een organisatie rond het kind. / An organisation around the child."
* insert IdentifierPerSysteem
* identifier ^short = "Identificatie van de organisatie / Identifier of the organisation"
* identifier ^definition = "URA-, AGB- of UZOVI-nummer, of een andere identificatie. / URA, AGB or UZOVI number, or another identifier."
* identifier contains ura 0..1 and agb 0..* and uzovi 0..1
* identifier[ura] ^short = "URA-nummer (8 cijfers) / URA number (8 digits)"
* identifier[ura] ^definition = "Het UZI-register abonneenummer (URA) van de zorgaanbieder. / The care provider's UZI register subscriber number (URA)."
* identifier[ura].system 1..1
* identifier[ura].system = $ura
* identifier[ura].system ^short = "URA-naamsysteem / URA naming system"
* identifier[ura].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/ura. / Always http://fhir.nl/fhir/NamingSystem/ura."
* identifier[agb] ^short = "AGB-code (8 cijfers) / AGB code (8 digits)"
* identifier[agb] ^definition = "De AGB-code van de organisatie; een organisatie kan per vestiging een eigen AGB-code hebben. / The organisation's AGB code; an organisation may have one per location."
* identifier[agb].system 1..1
* identifier[agb].system = $agb
* identifier[agb].system ^short = "AGB-naamsysteem / AGB naming system"
* identifier[agb].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/agb-z. / Always http://fhir.nl/fhir/NamingSystem/agb-z."
* identifier[uzovi] ^short = "UZOVI-code (4 cijfers) / UZOVI code (4 digits)"
* identifier[uzovi] ^definition = "De UZOVI-code van een zorgverzekeraar. / A health insurer's UZOVI code."
* identifier[uzovi].system 1..1
* identifier[uzovi].system = $uzovi
* identifier[uzovi].system ^short = "UZOVI-naamsysteem / UZOVI naming system"
* identifier[uzovi].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/uzovi. / Always http://fhir.nl/fhir/NamingSystem/uzovi."
* type ^short = "Soort organisatie / Kind of organisation"
* type ^definition = "Het soort organisatie, bijvoorbeeld uit de nl-core organisatietypen of de HL7 organization-type codes (prov, govt, edu, ins). / The kind of organisation, for example from the nl-core organisation types or the HL7 organization-type codes (prov, govt, edu, ins)."
* name 1..1
* name ^short = "Naam (verplicht) / Name (required)"
* name ^definition = "De naam van de organisatie, zoals het gezin die kent. / The name of the organisation, as the family knows it."
