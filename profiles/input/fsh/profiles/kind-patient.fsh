Profile: KindPatient
Parent: Patient
Id: kind-patient
Title: "Kind"
Description: "Het kind om wie het zorgplan draait (0-18 jaar, en daarna zolang het plan loopt). Nederlandse identificatie en naamgeving volgens nl-core; het profiel is open, zodat nl-core-Patient-instanties met geboortedatum geldig blijven. / The child at the centre of the care plan (0-18, and beyond while the plan runs). Dutch identifiers and names as in nl-core; the profile is open, so nl-core Patient instances with a birth date stay valid."
* insert ProfielMetadata
* . ^short = "Kind / Child"
* . ^definition = "Het kind om wie het zorgplan draait. / The child at the centre of the care plan."
* insert IdentifierPerSysteem
* identifier ^short = "Identificatie van het kind / Identifier of the child"
* identifier ^definition = "Identificatie van het kind, zoals het BSN. / Identifier of the child, such as the BSN."
* identifier contains bsn 0..1
* identifier[bsn] ^short = "Burgerservicenummer (BSN) / Citizen service number"
* identifier[bsn] ^definition = "Het BSN van het kind: 9 cijfers die de elfproef doorstaan. De waarde mag ontbreken (gemaskeerd, met data-absent-reason). / The child's citizen service number: 9 digits passing the 11-check. The value may be absent (masked, with data-absent-reason)."
* identifier[bsn] obeys zkg-6
* identifier[bsn].system 1..1
* identifier[bsn].system = $bsn
* identifier[bsn].system ^short = "BSN-naamsysteem / BSN naming system"
* identifier[bsn].system ^definition = "Altijd http://fhir.nl/fhir/NamingSystem/bsn. / Always http://fhir.nl/fhir/NamingSystem/bsn."
* insert NederlandseNaam
* insert NederlandsAdres
* gender ^short = "Geslacht / Gender"
* gender ^definition = "Het administratief geslacht van het kind. / The child's administrative gender."
* birthDate 1..1
* birthDate ^short = "Geboortedatum (verplicht) / Date of birth (required)"
* birthDate ^definition = "De geboortedatum; verplicht, omdat de leeftijd de WGBO-toestemmingsregels en de 18-/18+-overgang bepaalt. / The date of birth; required because age drives the Dutch consent rules (WGBO) and the transition at 18."
* deceased[x] ^short = "Overleden / Deceased"
* deceased[x] ^definition = "Of en wanneer het kind is overleden; het plan kan dan worden afgesloten, nazorg voor het gezin gaat door. / Whether and when the child died; the plan can then be closed, aftercare for the family continues."
