Profile: ZorgverlenerRol
Parent: PractitionerRole
Id: zorgverlener-rol
Title: "Zorgverlener in organisatie"
Description: "Een professional in een organisatie, met rol en specialisme. Het profiel is open, zodat nl-core-instanties geldig blijven. / A professional in an organisation, with role and specialty. The profile is open, so nl-core instances stay valid."
* insert ProfielMetadata
* . ^short = "Zorgverlener in organisatie / Practitioner in an organisation"
* . ^definition = "Een professional in een organisatie. / A professional in an organisation."
* insert IdentifierPerSysteem
* identifier ^short = "Identificatie van de rol / Identifier of the role"
* identifier ^definition = "Identificatie van de zorgverlener in deze rol, zoals de AGB-code. / Identifier of the practitioner in this role, such as the AGB code."
* identifier contains agb 0..1
* identifier[agb] ^short = "AGB-code / AGB code"
* identifier[agb] ^definition = "De AGB-code van de zorgverlener in deze rol. / The AGB code of the practitioner in this role."
* identifier[agb].system 1..1
* identifier[agb].system = $agb
* identifier[agb].system ^short = "AGB-naamsysteem / AGB naming system"
* identifier[agb].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/agb-z. / Always http://fhir.nl/fhir/NamingSystem/agb-z."
* practitioner only Reference(Zorgverlener)
* practitioner ^short = "De zorgverlener / The practitioner"
* practitioner ^definition = "De professional die deze rol vervult. / The professional in this role."
* organization only Reference(Zorgorganisatie)
* organization ^short = "De organisatie / The organisation"
* organization ^definition = "De organisatie waarvoor de professional werkt. / The organisation the professional works for."
* code from ZorgplanRolVS (preferred)
* code ^short = "Rol / Role"
* code ^definition = "De rol van de professional, bij voorkeur uit zorgplan-rol, zoals kinderverpleegkundige, huisarts of leerkracht. / The professional's role, preferably from zorgplan-rol, such as paediatric nurse, general practitioner or teacher."
* specialty ^short = "Specialisme / Specialty"
* specialty ^definition = "Het specialisme, bijvoorbeeld kindergeneeskunde (AGB-specialismecode 0316). / The specialty, for example paediatrics (AGB specialty code 0316)."
