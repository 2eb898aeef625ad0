// Aliases shared by every FSH file of the guide.
Alias: $kinderleefdomein = http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein
Alias: $sct = http://snomed.info/sct
Alias: $bsn = http://fhir.nl/fhir/NamingSystem/bsn
Alias: $agb = http://fhir.nl/fhir/NamingSystem/agb-z
Alias: $big = http://fhir.nl/fhir/NamingSystem/big
Alias: $uzi = http://fhir.nl/fhir/NamingSystem/uzi-nr-pers
Alias: $ura = http://fhir.nl/fhir/NamingSystem/ura
Alias: $uzovi = http://fhir.nl/fhir/NamingSystem/uzovi

// Local code systems of the guide.
Alias: $mks-fase = http://fhir.zorgplankindgezin.nl/CodeSystem/mks-fase
Alias: $wettelijk-kader = http://fhir.zorgplankindgezin.nl/CodeSystem/wettelijk-kader
Alias: $leveringsvorm = http://fhir.zorgplankindgezin.nl/CodeSystem/leveringsvorm
Alias: $zorgplan-rol = http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol
Alias: $afsluitreden = http://fhir.zorgplankindgezin.nl/CodeSystem/afsluitreden
Alias: $taak-type = http://fhir.zorgplankindgezin.nl/CodeSystem/taak-type
Alias: $zorgplan-categorie = http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-categorie
Alias: $zorgcoordinatie-aanbod = http://fhir.zorgplankindgezin.nl/CodeSystem/zorgcoordinatie-aanbod
Alias: $zorgsetting = http://fhir.zorgplankindgezin.nl/CodeSystem/zorgsetting

// HL7 core extensions used by the guide.
Alias: $pertainsToGoal = http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal
Alias: $goal-acceptance = http://hl7.org/fhir/StructureDefinition/goal-acceptance
Alias: $humanname-own-name = http://hl7.org/fhir/StructureDefinition/humanname-own-name
Alias: $humanname-own-prefix = http://hl7.org/fhir/StructureDefinition/humanname-own-prefix
Alias: $humanname-partner-name = http://hl7.org/fhir/StructureDefinition/humanname-partner-name
Alias: $humanname-partner-prefix = http://hl7.org/fhir/StructureDefinition/humanname-partner-prefix
Alias: $humanname-assembly-order = http://hl7.org/fhir/StructureDefinition/humanname-assembly-order
Alias: $adxp-streetName = http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetName
Alias: $adxp-houseNumber = http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber
Alias: $adxp-buildingNumberSuffix = http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-buildingNumberSuffix

// HL7 terminology used by the guide (all in the FHIR R4 core package).
Alias: $v3-RoleCode = http://terminology.hl7.org/CodeSystem/v3-RoleCode
Alias: $v3-ActCode = http://terminology.hl7.org/CodeSystem/v3-ActCode
Alias: $v3-ParticipationType = http://terminology.hl7.org/CodeSystem/v3-ParticipationType
Alias: $consentscope = http://terminology.hl7.org/CodeSystem/consentscope
Alias: $consentaction = http://terminology.hl7.org/CodeSystem/consentaction
Alias: $name-assembly-order = http://terminology.hl7.org/CodeSystem/name-assembly-order
Alias: $organization-type = http://terminology.hl7.org/CodeSystem/organization-type
Alias: $coverage-class = http://terminology.hl7.org/CodeSystem/coverage-class
Alias: $goal-achievement = http://terminology.hl7.org/CodeSystem/goal-achievement
Alias: $condition-clinical = http://terminology.hl7.org/CodeSystem/condition-clinical
Alias: $resource-types = http://hl7.org/fhir/resource-types

// Dutch code systems used in examples only (not in the core package; not validated offline).
Alias: $agb-specialisme = urn:oid:2.16.840.1.113883.2.4.6.7
