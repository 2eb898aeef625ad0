Profile: Gezinslid
Parent: RelatedPerson
Id: gezinslid
Title: "Gezinslid"
Description: "Een ouder, verzorger, broer, zus, grootouder of ander gezinslid van het kind. Een broer of zus die zelf zorg krijgt, heeft daarnaast een eigen Patient. Het profiel is open, zodat nl-core-ContactPerson-instanties met een relatie geldig blijven. / A parent, carer, brother, sister, grandparent or other family member of the child. A sibling who receives care also has an own Patient. The profile is open, so nl-core ContactPerson instances with a relationship stay valid."
* insert ProfielMetadata
* . ^short = "Gezinslid / Family member"
* . ^definition = "Een gezinslid of naaste van het kind. / A family member or close person of the child."
* insert IdentifierPerSysteem
* identifier ^short = "Identificatie van het gezinslid / Identifier of the family member"
* identifier ^definition = "Identificatie van het gezinslid, zoals het BSN. / Identifier of the family member, such as the BSN."
* identifier contains bsn 0..1
* identifier[bsn] ^short = "Burgerservicenummer (BSN) / Citizen service number"
* identifier[bsn] ^definition = "Het BSN van het gezinslid: 9 cijfers die de elfproef doorstaan. / The family member's citizen service number: 9 digits passing the 11-check."
* identifier[bsn] obeys zkg-6
* identifier[bsn].system 1..1
* identifier[bsn].system = $bsn
* identifier[bsn].system ^short = "BSN-naamsysteem / BSN naming system"
* identifier[bsn].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/bsn. / Always http://fhir.nl/fhir/NamingSystem/bsn."
* patient only Reference(KindPatient)
* patient ^short = "Het kind / The child"
* patient ^definition = "Het kind tot wie deze persoon in relatie staat. / The child this person is related to."
* relationship 1..*
* relationship from GezinsrelatieVS (extensible)
* relationship ^short = "Relatie tot het kind / Relationship to the child"
* relationship ^definition = "De relatie tot het kind, zoals moeder (MTH), vader (FTH), ouder (PRN), zus (SIS), broer (BRO) of grootmoeder (GRMTH), uit HL7 v3 RoleCode. Gezag en rol in het zorgplan staan in het zorgnetwerk. / The relationship to the child, such as mother, father, parent, sister, brother or grandmother, from HL7 v3 RoleCode. Parental authority and role in the plan are recorded in the care network."
* insert NederlandseNaam
* insert NederlandsAdres
