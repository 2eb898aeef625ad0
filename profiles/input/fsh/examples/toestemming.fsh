// Example: the privacy consent for Noor's plan. Noor is under 12, so both parents with
// parental authority give and verify the consent (WGBO).

Instance: voorbeeld-toestemming
InstanceOf: ToestemmingKindGezin
Usage: #example
Title: "Voorbeeld: privacytoestemming voor het zorgplan van Noor"
Description: "De ouders geven het zorgnetwerk toegang tot het zorgplan, behalve de gemeente tot het medische domein. / The parents give the care network access to the care plan, except the municipality to the medical domain."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>privacytoestemming voor het zorgplan van Noor</b></p><p>De ouders geven het zorgnetwerk toegang tot het zorgplan, behalve de gemeente tot het medische domein.</p></div>"
* status = #active
* scope = $consentscope#patient-privacy "Privacy Consent"
* category[0] = $v3-ActCode#INFA "information access"
* patient = Reference(voorbeeld-kind) "Noor van den Berg"
* dateTime = "2026-09-14T16:00:00+02:00"
* performer[0] = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* performer[1] = Reference(voorbeeld-vader) "Thomas van den Berg"
* organization[0] = Reference(voorbeeld-kinderthuiszorg) "Kinderthuiszorg Midden-Nederland"
* policy[0].authority = "https://wetten.overheid.nl"
* policy[0].uri = "https://wetten.overheid.nl/BWBR0005290/"
* verification[0].verified = true
* verification[0].verifiedWith = Reference(voorbeeld-moeder) "Lotte van den Berg-de Vries"
* verification[0].verificationDate = "2026-09-14T16:00:00+02:00"
* verification[1].verified = true
* verification[1].verifiedWith = Reference(voorbeeld-vader) "Thomas van den Berg"
* verification[1].verificationDate = "2026-09-14T16:05:00+02:00"
// the care network may read and write the plan ...
* provision.type = #permit
* provision.period.start = "2026-09-14"
* provision.actor[0].role = $v3-ParticipationType#IRCP "information recipient"
* provision.actor[0].reference = Reference(voorbeeld-zorgnetwerk) "Zorgnetwerk Noor van den Berg"
* provision.action[0] = $consentaction#access "Access"
* provision.action[1] = $consentaction#correct "Access and Correct"
// ... except that the municipality does not see the medical domain
* provision.provision[0].type = #deny
* provision.provision[0].actor[0].role = $v3-ParticipationType#IRCP "information recipient"
* provision.provision[0].actor[0].reference = Reference(voorbeeld-gemeente) "Gemeente Utrecht"
* provision.provision[0].action[0] = $consentaction#access "Access"
* provision.provision[0].code[0] = $kinderleefdomein#medisch "Medisch"
