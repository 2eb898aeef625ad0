// Rule sets shared by the profiles.

RuleSet: ProfielMetadata
* ^status = #draft
* ^experimental = false
* ^jurisdiction = urn:iso:std:iso:3166#NL "Netherlands"

// Identifiers sliced by system (nl-core style); open, so other identifiers stay allowed.
RuleSet: IdentifierPerSysteem
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "Per identificatiesysteem. / By identifier system."

// A CodeableConcept list sliced by pattern on the concept itself; slices that carry no pattern
// are told apart by their required binding.
RuleSet: CodesPerPatroon(pad)
* {pad} ^slicing.discriminator.type = #pattern
* {pad} ^slicing.discriminator.path = "$this"
* {pad} ^slicing.rules = #open
* {pad} ^slicing.description = "Per code (patroon of verplichte binding). / By code (pattern or required binding)."

// Dutch name parts on HumanName, as in nl-core-NameInformation: the full family name in
// name.family, its parts in extensions on name.family (JSON: _family.extension).
RuleSet: NederlandseNaam
* name ^short = "Naam / Name"
* name ^definition = "De naam. Nederlandse achternamen: de volledige achternaam in family, de delen (voorvoegsels, eigen naam, partnernaam) in extensies op family. / The name. Dutch family names: the full family name in family, its parts (prefixes, own name, partner's name) in extensions on family."
* name.extension contains $humanname-assembly-order named nameUsage 0..1
* name.extension[nameUsage] ^short = "Naamgebruik (NL1-NL4) / Name usage (NL1-NL4)"
* name.extension[nameUsage] ^definition = "Welke achternamen in welke volgorde worden gebruikt: eigen naam, partnernaam of een combinatie. / Which family names are used in which order: own name, partner's name or a combination."
* name.family ^short = "Volledige achternaam / Full family name"
* name.family ^definition = "De volledige achternaam zoals gebruikt, bijvoorbeeld 'van den Berg' of 'van den Berg-de Vries'. / The full family name as used, for example 'van den Berg' or 'van den Berg-de Vries'."
* name.family.extension contains
    $humanname-own-prefix named prefix 0..1 and
    $humanname-own-name named lastName 0..1 and
    $humanname-partner-prefix named partnerPrefix 0..1 and
    $humanname-partner-name named partnerLastName 0..1
* name.family.extension[prefix] ^short = "Voorvoegsels eigen achternaam / Prefixes of own family name"
* name.family.extension[prefix] ^definition = "Voorvoegsels van de eigen geslachtsnaam, zoals 'van den'. / Prefixes of the person's own family name, such as 'van den'."
* name.family.extension[lastName] ^short = "Eigen achternaam / Own family name"
* name.family.extension[lastName] ^definition = "De eigen geslachtsnaam zonder voorvoegsels, zoals 'Berg'. / The person's own family name without prefixes, such as 'Berg'."
* name.family.extension[partnerPrefix] ^short = "Voorvoegsels partnernaam / Prefixes of partner's name"
* name.family.extension[partnerPrefix] ^definition = "Voorvoegsels van de geslachtsnaam van de partner. / Prefixes of the partner's family name."
* name.family.extension[partnerLastName] ^short = "Achternaam partner / Partner's family name"
* name.family.extension[partnerLastName] ^definition = "De geslachtsnaam van de partner zonder voorvoegsels. / The partner's family name without prefixes."

// Dutch address parts on Address.line, as in nl-core-AddressInformation.
RuleSet: NederlandsAdres
* address ^short = "Adres / Address"
* address ^definition = "Het adres. Straat, huisnummer en toevoeging kunnen apart in extensies op line staan. / The address. Street, house number and suffix may be given separately in extensions on line."
* address.line.extension contains
    $adxp-streetName named streetName 0..1 and
    $adxp-houseNumber named houseNumber 0..1 and
    $adxp-buildingNumberSuffix named houseNumberLetter-houseNumberAddition 0..1
* address.line.extension[streetName] ^short = "Straatnaam / Street name"
* address.line.extension[streetName] ^definition = "De straatnaam. / The street name."
* address.line.extension[houseNumber] ^short = "Huisnummer / House number"
* address.line.extension[houseNumber] ^definition = "Het huisnummer. / The house number."
* address.line.extension[houseNumberLetter-houseNumberAddition] ^short = "Huisletter of toevoeging / House letter or suffix"
* address.line.extension[houseNumberLetter-houseNumberAddition] ^definition = "Huisletter of huisnummertoevoeging. / House letter or house number suffix."
