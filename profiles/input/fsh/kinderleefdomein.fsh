CodeSystem: Kinderleefdomein
Id: kinderleefdomein
Title: "Kinderleefdomein"
Description: "De vier leefdomeinen van het kind waarin het zorgplan doelen en hulp ordent. / The four life domains of the child in which the plan orders goals and help."
* insert LokaalCodeSysteem
* #medisch "Medisch" "Gezondheid, ziekte en behandeling. / Health, illness and treatment."
* #medisch ^designation[0].language = #en
* #medisch ^designation[0].value = "Medical"
* #medisch ^designation[1].language = #nl
* #medisch ^designation[1].value = "Medisch/verpleegkundig"
* #ontwikkeling "Ontwikkeling" "Ontwikkeling, leren en school. / Development, learning and school."
* #ontwikkeling ^designation[0].language = #en
* #ontwikkeling ^designation[0].value = "Development"
* #sociaal "Sociaal" "Gezin, vrienden, vrije tijd en meedoen. / Family, friends, leisure and taking part."
* #sociaal ^designation[0].language = #en
* #sociaal ^designation[0].value = "Social"
* #sociaal ^designation[1].language = #nl
* #sociaal ^designation[1].value = "Psychosociaal"
* #veiligheid "Veiligheid" "Veilig opgroeien, thuis en daarbuiten. / Growing up safely, at home and elsewhere."
* #veiligheid ^designation[0].language = #en
* #veiligheid ^designation[0].value = "Safety"

ValueSet: KinderleefdomeinVS
Id: kinderleefdomein
Title: "Kinderleefdomein"
Description: "Alle kinderleefdomeinen. / All child life domains."
* insert LokaleWaardelijst
* include codes from system $kinderleefdomein
