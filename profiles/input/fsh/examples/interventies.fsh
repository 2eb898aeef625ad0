// Examples: interventions, their funding (the coverage plan) and tasks in Noor's plan.

Instance: voorbeeld-interventie-verpleging
InstanceOf: InterventieKindGezin
Usage: #example
Title: "Voorbeeld: kinderverpleging thuis (Zvw)"
Description: "Kinderverpleging thuis, 12 uur per week gedurende een jaar, uit de Zvw in natura. / Paediatric nursing at home, 12 hours a week for one year, under the Health Insurance Act, in kind."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>kinderverpleging thuis (Zvw)</b></p><p>Kinderverpleging thuis, 12 uur per week gedurende een jaar, uit de Zvw in natura.</p></div>"
* extension[pertainsToGoal][0].valueReference = Reference(voorbeeld-doel-sondevoeding)
* extension[pertainsToGoal][1].valueReference = Reference(voorbeeld-doel-veiligheid)
* extension[wettelijkKader].valueCodeableConcept = $wettelijk-kader#zvw "Zorgverzekeringswet (Zvw)"
* extension[leveringsvorm].valueCodeableConcept = $leveringsvorm#zin "Zorg in natura (ZIN)"
* status = #active
* intent = #order
* category[kinderleefdomein][0] = $kinderleefdomein#medisch "Medisch"
* category[kinderleefdomein][1] = $kinderleefdomein#veiligheid "Veiligheid"
* code = $sct#60689008 "Home care of patient"
* code.text = "Kinderverpleging thuis, inclusief saturatiebewaking 's nachts"
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* occurrenceTiming.repeat.boundsPeriod.start = "2026-09-15"
* occurrenceTiming.repeat.boundsPeriod.end = "2027-09-14"
* occurrenceTiming.repeat.frequency = 1
* occurrenceTiming.repeat.period = 1
* occurrenceTiming.repeat.periodUnit = #wk
* occurrenceTiming.repeat.duration = 12
* occurrenceTiming.repeat.durationUnit = #h
* authoredOn = "2026-09-10"
* requester = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, indicerend kinderverpleegkundige"
* performer[0] = Reference(voorbeeld-kinderthuiszorg) "Kinderthuiszorg Midden-Nederland"
* locationCode[0] = $zorgsetting#thuis "Thuis"
* reasonReference[0] = Reference(voorbeeld-aandoening) "Slikstoornis"
* insurance[0] = Reference(voorbeeld-financiering-zvw) "Zvw, Zorgverzekeraar De Zorgkring"
* supportingInfo[0] = Reference(voorbeeld-hulpbehoeftescan) "Hulpbehoeftescan Kind & Gezin"

Instance: voorbeeld-interventie-training-sondevoeding
InstanceOf: InterventieKindGezin
Usage: #example
Title: "Voorbeeld: training ouders in sondevoeding (Zvw)"
Description: "De kinderverpleegkundige leert de ouders de sondevoeding zelf te geven: twee keer per week een uur, zes weken lang. / The paediatric nurse teaches the parents to give the tube feeding themselves: twice a week for an hour, for six weeks."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>training ouders in sondevoeding (Zvw)</b></p><p>De kinderverpleegkundige leert de ouders de sondevoeding zelf te geven: twee keer per week een uur, zes weken lang.</p></div>"
* extension[pertainsToGoal][0].valueReference = Reference(voorbeeld-doel-sondevoeding)
* extension[wettelijkKader].valueCodeableConcept = $wettelijk-kader#zvw "Zorgverzekeringswet (Zvw)"
* extension[leveringsvorm].valueCodeableConcept = $leveringsvorm#zin "Zorg in natura (ZIN)"
* status = #active
* intent = #order
* category[kinderleefdomein] = $kinderleefdomein#medisch "Medisch"
* code.text = "Training ouders in het zelfstandig geven van sondevoeding"
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* occurrenceTiming.repeat.boundsPeriod.start = "2026-09-15"
* occurrenceTiming.repeat.boundsPeriod.end = "2026-10-27"
* occurrenceTiming.repeat.frequency = 2
* occurrenceTiming.repeat.period = 1
* occurrenceTiming.repeat.periodUnit = #wk
* occurrenceTiming.repeat.duration = 1
* occurrenceTiming.repeat.durationUnit = #h
* authoredOn = "2026-09-10"
* requester = Reference(voorbeeld-kinderarts-rol) "dr. S. de Groot, kinderarts"
* performer[0] = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, kinderverpleegkundige"
* locationCode[0] = $zorgsetting#thuis "Thuis"
* insurance[0] = Reference(voorbeeld-financiering-zvw) "Zvw, Zorgverzekeraar De Zorgkring"

Instance: voorbeeld-interventie-kinderdagverblijf
InstanceOf: InterventieKindGezin
Usage: #example
Title: "Voorbeeld: verpleegkundig kinderdagverblijf (Jeugdwet)"
Description: "Twee dagen per week verpleegkundig kinderdagverblijf; de verzorging valt onder de Jeugdwet omdat het Ikz-criterium niet van toepassing is. / Two days a week at a nursing day-care centre; personal care falls under the Youth Act because the intensive child care criterion does not apply."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>verpleegkundig kinderdagverblijf (Jeugdwet)</b></p><p>Twee dagen per week verpleegkundig kinderdagverblijf; de verzorging valt onder de Jeugdwet omdat het Ikz-criterium niet van toepassing is.</p></div>"
* extension[pertainsToGoal][0].valueReference = Reference(voorbeeld-doel-kinderdagverblijf)
* extension[pertainsToGoal][1].valueReference = Reference(voorbeeld-doel-werk-moeder)
* extension[wettelijkKader].valueCodeableConcept = $wettelijk-kader#jeugdwet "Jeugdwet"
* extension[leveringsvorm].valueCodeableConcept = $leveringsvorm#zin "Zorg in natura (ZIN)"
* status = #active
* intent = #order
* category[kinderleefdomein][0] = $kinderleefdomein#ontwikkeling "Ontwikkeling"
* category[kinderleefdomein][1] = $kinderleefdomein#sociaal "Sociaal"
* code.text = "Opvang in een verpleegkundig kinderdagverblijf, 2 dagen per week"
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* occurrenceTiming.repeat.boundsPeriod.start = "2026-10-01"
* occurrenceTiming.repeat.boundsPeriod.end = "2027-09-30"
* occurrenceTiming.repeat.frequency = 2
* occurrenceTiming.repeat.period = 1
* occurrenceTiming.repeat.periodUnit = #wk
* occurrenceTiming.repeat.dayOfWeek[0] = #tue
* occurrenceTiming.repeat.dayOfWeek[1] = #thu
* authoredOn = "2026-09-20"
* requester = Reference(voorbeeld-jeugdconsulent-rol) "Mark van Dijk, consulent gemeente"
* performer[0] = Reference(voorbeeld-kinderdagverblijf) "Verpleegkundig Kinderdagverblijf De Kleine Beer"
* locationCode[0] = $zorgsetting#verpleegkundig-kinderdagverblijf "Verpleegkundig kinderdagverblijf"
* insurance[0] = Reference(voorbeeld-financiering-jeugdwet) "Jeugdwet, Gemeente Utrecht"

Instance: voorbeeld-interventie-brussengroep
InstanceOf: InterventieKindGezin
Usage: #example
Title: "Voorbeeld: brussengroep voor de zus (financiering in discussie)"
Description: "Een brussengroep voor Eva; nog niet gestart, want Jeugdwet en Wmo wijzen naar elkaar: wettelijk kader in discussie, nog geen financiering. / A sibling support group for Eva; not started yet because the Youth Act and the Social Support Act point at each other: legal framework under discussion, no funding yet."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>brussengroep voor de zus (financiering in discussie)</b></p><p>Een brussengroep voor Eva; nog niet gestart, want Jeugdwet en Wmo wijzen naar elkaar: wettelijk kader in discussie, nog geen financiering.</p></div>"
* extension[pertainsToGoal][0].valueReference = Reference(voorbeeld-doel-zus)
* extension[wettelijkKader].valueCodeableConcept = $wettelijk-kader#in-discussie "In discussie"
* status = #draft
* intent = #proposal
* category[kinderleefdomein] = $kinderleefdomein#sociaal "Sociaal"
* code.text = "Brussengroep voor broers en zussen van kinderen met een ernstige ziekte, 6 bijeenkomsten"
* subject = Reference(voorbeeld-kind) "Noor van den Berg"
* occurrenceTiming.repeat.count = 6
* occurrenceTiming.repeat.frequency = 1
* occurrenceTiming.repeat.period = 2
* occurrenceTiming.repeat.periodUnit = #wk
* occurrenceTiming.repeat.duration = 90
* occurrenceTiming.repeat.durationUnit = #min
* authoredOn = "2026-10-05"
* requester = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, zorgcoördinator"
* performer[0] = Reference(voorbeeld-gemeente) "Gemeente Utrecht"
* locationCode[0] = $zorgsetting#kindcentrum "Kindcentrum"

Instance: voorbeeld-financiering-zvw
InstanceOf: FinancieringKindGezin
Usage: #example
Title: "Voorbeeld: financiering uit de Zvw"
Description: "De Zvw-regel van het dekkingsplan: de zorgverzekeraar betaalt de kinderverpleging in natura. / The Health Insurance Act line of the coverage plan: the insurer pays the paediatric nursing in kind."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>financiering uit de Zvw</b></p><p>De Zvw-regel van het dekkingsplan: de zorgverzekeraar betaalt de kinderverpleging in natura.</p></div>"
* extension[leveringsvorm].valueCodeableConcept = $leveringsvorm#zin "Zorg in natura (ZIN)"
* status = #active
* type = $wettelijk-kader#zvw "Zorgverzekeringswet (Zvw)"
* beneficiary = Reference(voorbeeld-kind) "Noor van den Berg"
* period.start = "2026-09-15"
* period.end = "2027-09-14"
* payor[0] = Reference(voorbeeld-zorgverzekeraar) "Zorgverzekeraar De Zorgkring"
* class[0].type = $coverage-class#plan "Plan"
* class[0].value = "basisverzekering"
* class[0].name = "Zvw-basisverzekering, wijkverpleging kind"

Instance: voorbeeld-financiering-jeugdwet
InstanceOf: FinancieringKindGezin
Usage: #example
Title: "Voorbeeld: financiering uit de Jeugdwet"
Description: "De Jeugdwet-regel van het dekkingsplan: de gemeente betaalt de verzorging op het kinderdagverblijf; de beschikking gaat in vóór de datum van vastleggen. / The Youth Act line of the coverage plan: the municipality pays the personal care at the day-care centre; the decision takes effect before it was recorded."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>financiering uit de Jeugdwet</b></p><p>De Jeugdwet-regel van het dekkingsplan: de gemeente betaalt de verzorging op het kinderdagverblijf; de beschikking gaat in vóór de datum van vastleggen.</p></div>"
* extension[leveringsvorm].valueCodeableConcept = $leveringsvorm#zin "Zorg in natura (ZIN)"
* status = #active
* type = $wettelijk-kader#jeugdwet "Jeugdwet"
* beneficiary = Reference(voorbeeld-kind) "Noor van den Berg"
* period.start = "2026-10-01"
* period.end = "2027-09-30"
* payor[0] = Reference(voorbeeld-gemeente) "Gemeente Utrecht"
* class[0].type = $coverage-class#plan "Plan"
* class[0].value = "JW-2026-004711"
* class[0].name = "Beschikking jeugdhulp: verzorging in verpleegkundig kinderdagverblijf"

Instance: voorbeeld-taak-overdracht
InstanceOf: TaakKindGezin
Usage: #example
Title: "Voorbeeld: warme overdracht bij ontslag"
Description: "De transferverpleegkundige draagt de zorg warm over aan de kinderthuiszorg; de taak is afgerond. / The transfer nurse hands care over to paediatric home care; the task is completed."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>warme overdracht bij ontslag</b></p><p>De transferverpleegkundige draagt de zorg warm over aan de kinderthuiszorg; de taak is afgerond.</p></div>"
* status = #completed
* intent = #order
* code = $taak-type#overdracht "Overdracht"
* description = "Warme overdracht van het kinderziekenhuis aan de kinderthuiszorg bij ontslag: sondevoeding, saturatiebewaking en de rol van zorgcoördinator."
* basedOn[0] = Reference(voorbeeld-zorgplan)
* focus = Reference(voorbeeld-zorgplan) "Zorgplan Kind&Gezin van Noor van den Berg"
* for = Reference(voorbeeld-kind) "Noor van den Berg"
* authoredOn = "2026-09-10T09:00:00+02:00"
* lastModified = "2026-09-15T15:00:00+02:00"
* executionPeriod.start = "2026-09-10T09:00:00+02:00"
* executionPeriod.end = "2026-09-15T15:00:00+02:00"
* requester = Reference(voorbeeld-transferverpleegkundige-rol) "Ingrid Bakker, transferverpleegkundige"
* owner = Reference(voorbeeld-kinderthuiszorg) "Kinderthuiszorg Midden-Nederland"

Instance: voorbeeld-taak-bindende-verwijzing
InstanceOf: TaakKindGezin
Usage: #example
Title: "Voorbeeld: bindende verwijzing naar de gemeente"
Description: "De zorgcoördinator verwijst bindend naar de gemeente voor de brussengroep van Eva; de gemeente heeft nog niet gereageerd. / The care coordinator makes a binding referral to the municipality for Eva's sibling group; the municipality has not answered yet."
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>bindende verwijzing naar de gemeente</b></p><p>De zorgcoördinator verwijst bindend naar de gemeente voor de brussengroep van Eva; de gemeente heeft nog niet gereageerd.</p></div>"
* status = #requested
* intent = #order
* priority = #routine
* code = $taak-type#bindende-verwijzing "Bindende verwijzing"
* description = "Graag de brussengroep voor Eva organiseren en de financiering (Jeugdwet of Wmo) vastleggen."
* basedOn[0] = Reference(voorbeeld-zorgplan)
* focus = Reference(voorbeeld-interventie-brussengroep) "Brussengroep voor Eva"
* for = Reference(voorbeeld-kind) "Noor van den Berg"
* authoredOn = "2026-10-05T10:00:00+02:00"
* requester = Reference(voorbeeld-kinderverpleegkundige-rol) "Ayşe Yılmaz, zorgcoördinator"
* owner = Reference(voorbeeld-gemeente) "Gemeente Utrecht"
* restriction.period.end = "2026-10-19"
