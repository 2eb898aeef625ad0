Profile: FinancieringKindGezin
Parent: Coverage
Id: financiering-kind-gezin
Title: "Financiering Kind&Gezin"
Description: "Eén regel van het dekkingsplan: welke wet, welke financier, voor welk kind, in welke periode en in welke leveringsvorm. Het dekkingsplan is het geheel van interventies met hun financiering. / One line of the coverage plan: which law, which payor, for which child, in which period and in which delivery form. The coverage plan is the set of interventions with their funding."
* insert ProfielMetadata
* . ^short = "Financiering / Funding"
* . ^definition = "Eén regel van het dekkingsplan. / One line of the coverage plan."
* extension contains ExtLeveringsvorm named leveringsvorm 0..1
* extension[leveringsvorm] ^short = "ZIN of pgb / Care in kind or personal budget"
* extension[leveringsvorm] ^definition = "De leveringsvorm van deze financiering. / The delivery form of this funding."
* status ^short = "Status / Status"
* status ^definition = "De status van de financiering. / The status of the funding."
* type 1..1
* type from WettelijkKaderVS (required)
* type ^short = "Wettelijk kader / Legal framework"
* type ^definition = "De wet of financieringsbron: zvw, wlz, jeugdwet, wmo, onderwijs, eigen middelen, geen betaaltitel of in discussie. / The law or funding source: Health Insurance Act, Long-term Care Act, Youth Act, Social Support Act, education, own means, no funding or under discussion."
* beneficiary only Reference(KindPatient)
* beneficiary ^short = "Het kind / The child"
* beneficiary ^definition = "Het kind voor wie de financiering geldt. / The child the funding is for."
* period ^short = "Periode / Period"
* period ^definition = "De geldigheid; mag beginnen vóór de datum van vastleggen (financiering met terugwerkende kracht). / The validity; may start before the date it was recorded (retroactive funding)."
* payor only Reference(Zorgorganisatie or Gezinslid or KindPatient)
* payor ^short = "Financier / Payor"
* payor ^definition = "Wie betaalt: zorgverzekeraar, zorgkantoor, gemeente, samenwerkingsverband, of het gezin zelf. / Who pays: health insurer, care office, municipality, education partnership, or the family itself."
* class ^short = "Indicatie, profiel of regeling / Assessment, profile or scheme"
* class ^definition = "Nadere indeling, zoals het Wlz-zorgprofiel (class.type plan, value VG8), de Ikz-status of het nummer van de beschikking. / Further classification, such as the Long-term Care Act care profile (class.type plan, value VG8), the intensive child care status or the number of the decision."
