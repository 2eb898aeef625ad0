// Local code systems of the standard (kinderleefdomein is in kinderleefdomein.fsh).
// Every code has a Dutch display, a bilingual definition (Dutch. / English.) and an English
// designation.

RuleSet: LokaalCodeSysteem
* ^status = #draft
* ^experimental = false
* ^caseSensitive = true
* ^content = #complete
* ^language = #nl
* ^jurisdiction = urn:iso:std:iso:3166#NL "Netherlands"

CodeSystem: MksFase
Id: mks-fase
Title: "MKS-fase"
Description: "De vier fasen van het Medisch Kindzorgsysteem (MKS) waarin het zorgplan zich bevindt. / The four phases of the Dutch paediatric care system (MKS) a care plan is in."
* insert LokaalCodeSysteem
* #verwijsboom "Verwijsboom" "Fase 1: met de verwijsboom wordt bepaald onder welke wetgeving de zorg voor het kind valt. / Phase 1: the referral tree determines under which laws the child's care falls."
* #verwijsboom ^designation[0].language = #en
* #verwijsboom ^designation[0].value = "Referral tree"
* #hulpbehoeftescan "Hulpbehoeftescan" "Fase 2: de behoeften van kind en gezin op de vier kinderleefdomeinen worden in kaart gebracht met de Hulpbehoeftescan Kind & Gezin. / Phase 2: the needs of child and family in the four life domains are mapped with the needs assessment."
* #hulpbehoeftescan ^designation[0].language = #en
* #hulpbehoeftescan ^designation[0].value = "Needs assessment"
* #zorgplan "Zorgplan" "Fase 3: met de uitkomsten van de hulpbehoeftescan is een dynamisch overkoepelend zorgplan opgesteld, dat wordt uitgevoerd en geëvalueerd. / Phase 3: based on the needs assessment a dynamic overarching care plan has been drawn up, and is carried out and evaluated."
* #zorgplan ^designation[0].language = #en
* #zorgplan ^designation[0].value = "Care plan"
* #afsluiten "Afsluiten" "Fase 4: het zorgplan wordt afgesloten, met een reden van afsluiten. / Phase 4: the care plan is being closed, with a reason for closure."
* #afsluiten ^designation[0].language = #en
* #afsluiten ^designation[0].value = "Closure"

CodeSystem: WettelijkKader
Id: wettelijk-kader
Title: "Wettelijk kader"
Description: "De wet of financieringsbron waaronder zorg of ondersteuning valt, inclusief de gaten (geen betaaltitel, in discussie). / The law or funding source that covers care or support, including the gaps (no funding, under discussion)."
* insert LokaalCodeSysteem
* #zvw "Zorgverzekeringswet (Zvw)" "Zorg uit de basisverzekering, zoals verpleging thuis, ziekenhuiszorg en hulpmiddelen. / Care from the basic health insurance, such as home nursing, hospital care and medical aids."
* #zvw ^designation[0].language = #en
* #zvw ^designation[0].value = "Health Insurance Act"
* #zvw-ikz "Zvw, intensieve kindzorg (Ikz)" "Zvw-zorg onder het Ikz-criterium: verpleging, verzorging en ziektegerelateerde begeleiding komen alle uit de Zvw. / Health Insurance Act care under the intensive child care criterion: nursing, personal care and illness-related support all come from the Zvw."
* #zvw-ikz ^designation[0].language = #en
* #zvw-ikz ^designation[0].value = "Health Insurance Act, intensive child care"
* #zvw-aanvullend "Aanvullende zorgverzekering" "Zorg uit een aanvullende zorgverzekering, zoals rouw- en verliestherapie. / Care from a supplementary health insurance, such as grief and loss therapy."
* #zvw-aanvullend ^designation[0].language = #en
* #zvw-aanvullend ^designation[0].value = "Supplementary health insurance"
* #wlz "Wet langdurige zorg (Wlz)" "Langdurige zorg na een indicatie van het CIZ, uitgevoerd via het zorgkantoor. / Long-term care after an assessment by the CIZ, arranged through the care office."
* #wlz ^designation[0].language = #en
* #wlz ^designation[0].value = "Long-term Care Act"
* #jeugdwet "Jeugdwet" "Jeugdhulp door de gemeente, zoals verzorging en begeleiding wanneer het Ikz-criterium niet van toepassing is. / Youth care by the municipality, such as personal care and support when the intensive child care criterion does not apply."
* #jeugdwet ^designation[0].language = #en
* #jeugdwet ^designation[0].value = "Youth Act"
* #wmo "Wet maatschappelijke ondersteuning (Wmo)" "Ondersteuning door de gemeente, zoals hulpmiddelen, woningaanpassingen, vervoer, logeeropvang en steun voor het gezin. / Support by the municipality, such as aids, home adaptations, transport, respite care and support for the family."
* #wmo ^designation[0].language = #en
* #wmo ^designation[0].value = "Social Support Act"
* #onderwijs "Onderwijs (passend onderwijs)" "Ondersteuning vanuit het onderwijs, zoals passend onderwijs via het samenwerkingsverband. / Support from education, such as inclusive education through the regional education partnership."
* #onderwijs ^designation[0].language = #en
* #onderwijs ^designation[0].value = "Education (inclusive education)"
* #eigen-middelen "Eigen middelen" "Betaald door het gezin zelf. / Paid by the family itself."
* #eigen-middelen ^designation[0].language = #en
* #eigen-middelen ^designation[0].value = "Own means"
* #geen-betaaltitel "Geen betaaltitel" "Nodige zorg of ondersteuning waarvoor geen financiering bestaat. / Needed care or support for which no funding exists."
* #geen-betaaltitel ^designation[0].language = #en
* #geen-betaaltitel ^designation[0].value = "No funding"
* #in-discussie "In discussie" "Nog niet duidelijk onder welke wet de zorg valt; de financiering wordt besproken. / Not yet clear which law covers the care; the funding is under discussion."
* #in-discussie ^designation[0].language = #en
* #in-discussie ^designation[0].value = "Under discussion"

CodeSystem: Leveringsvorm
Id: leveringsvorm
Title: "Leveringsvorm"
Description: "De vorm waarin zorg of ondersteuning wordt geleverd en betaald. / The form in which care or support is delivered and paid for."
* insert LokaalCodeSysteem
* #zin "Zorg in natura (ZIN)" "De financier betaalt de zorgaanbieder rechtstreeks. / The payor pays the care provider directly."
* #zin ^designation[0].language = #en
* #zin ^designation[0].value = "Care in kind"
* #pgb "Persoonsgebonden budget (pgb)" "Het gezin ontvangt een budget en koopt de zorg zelf in. / The family receives a budget and purchases the care itself."
* #pgb ^designation[0].language = #en
* #pgb ^designation[0].value = "Personal budget"

CodeSystem: ZorgplanRol
Id: zorgplan-rol
Title: "Rol in het zorgplan"
Description: "De rol die iemand heeft in het zorgnetwerk en het zorgplan van kind en gezin. / The role someone has in the care network and care plan of child and family."
* insert LokaalCodeSysteem
* #kind "Kind" "Het kind zelf, dat samen met de ouders de regie heeft. / The child, who holds control together with the parents."
* #kind ^designation[0].language = #en
* #kind ^designation[0].value = "Child"
* #ouder-gezaghebbend "Ouder met gezag" "Ouder of voogd met ouderlijk gezag, die volgens de WGBO mee beslist en toestemming geeft. / Parent or guardian with parental authority, who decides and consents under the Dutch Medical Treatment Contracts Act."
* #ouder-gezaghebbend ^designation[0].language = #en
* #ouder-gezaghebbend ^designation[0].value = "Parent with parental authority"
* #verzorger "Ouder of verzorger zonder gezag" "Ouder, stiefouder of pleegouder die het kind verzorgt maar geen ouderlijk gezag heeft. / Parent, step-parent or foster parent who cares for the child without parental authority."
* #verzorger ^designation[0].language = #en
* #verzorger ^designation[0].value = "Parent or carer without parental authority"
* #gezinslid "Gezinslid" "Ander lid van het gezin, zoals een broer, zus of grootouder. / Other member of the family, such as a brother, sister or grandparent."
* #gezinslid ^designation[0].language = #en
* #gezinslid ^designation[0].value = "Family member"
* #mantelzorger "Mantelzorger" "Naaste buiten het gezin die onbetaald zorg geeft. / Person outside the family who gives unpaid care."
* #mantelzorger ^designation[0].language = #en
* #mantelzorger ^designation[0].value = "Informal carer"
* #hoofdbehandelaar "Hoofdbehandelaar" "Arts met de medische eindverantwoordelijkheid, meestal de kinderarts. / Physician with final medical responsibility, usually the paediatrician."
* #hoofdbehandelaar ^designation[0].language = #en
* #hoofdbehandelaar ^designation[0].value = "Lead physician"
* #regiebehandelaar "Regiebehandelaar" "Behandelaar die bij toenemende complexiteit de behandeling coördineert. / Practitioner who coordinates treatment when complexity increases."
* #regiebehandelaar ^designation[0].language = #en
* #regiebehandelaar ^designation[0].value = "Coordinating practitioner"
* #eindverantwoordelijke-domein "Eindverantwoordelijke kinderleefdomein" "Eindverantwoordelijke voor één of meer kinderleefdomeinen; het domein staat in de extensie verantwoordelijk-domein. / Person with final responsibility for one or more life domains; the domain is given in the extension verantwoordelijk-domein."
* #eindverantwoordelijke-domein ^designation[0].language = #en
* #eindverantwoordelijke-domein ^designation[0].value = "Person responsible for a life domain"
* #zorgcoordinator "Zorgcoördinator / zorgcoach" "Zorgcoördinator, zorgcoach, casemanager of overkoepelend coördinator: coördineert zorg en ondersteuning rond kind en gezin, als aanbod aan het gezin. / Care coordinator, care coach, case manager or overarching coordinator: coordinates care and support around child and family, as an offer to the family."
* #zorgcoordinator ^designation[0].language = #en
* #zorgcoordinator ^designation[0].value = "Care coordinator"
* #gezinscoach "Gezinscoach" "Professional die de sociale situatie van het gezin kent en thuis verbindt met de behandelaars. / Professional who knows the family's social situation and links home with the treating professionals."
* #gezinscoach ^designation[0].language = #en
* #gezinscoach ^designation[0].value = "Family coach"
* #kinderverpleegkundige "Kinderverpleegkundige" "Kinderverpleegkundige in het ziekenhuis of in de kinderthuiszorg. / Paediatric nurse in hospital or in paediatric home care."
* #kinderverpleegkundige ^designation[0].language = #en
* #kinderverpleegkundige ^designation[0].value = "Paediatric nurse"
* #indicerend-kinderverpleegkundige "Indicerend kinderverpleegkundige" "Kinderverpleegkundige (niveau 5) of verpleegkundig specialist die de indicatie voor zorg thuis stelt. / Paediatric nurse (level 5) or nurse specialist who assesses and indicates care at home."
* #indicerend-kinderverpleegkundige ^designation[0].language = #en
* #indicerend-kinderverpleegkundige ^designation[0].value = "Assessing paediatric nurse"
* #transferverpleegkundige "Transferverpleegkundige" "Verpleegkundige die de overgang van ziekenhuis naar huis regelt. / Nurse who arranges the transition from hospital to home."
* #transferverpleegkundige ^designation[0].language = #en
* #transferverpleegkundige ^designation[0].value = "Transfer nurse"
* #kct-verpleegkundige "Coördinerend verpleegkundige KCT" "Coördinerend verpleegkundige of verpleegkundig casemanager van een Kinder Comfort Team. / Coordinating nurse or nurse case manager of a paediatric comfort team."
* #kct-verpleegkundige ^designation[0].language = #en
* #kct-verpleegkundige ^designation[0].value = "Paediatric comfort team coordinating nurse"
* #verpleegkundige "Verpleegkundige of verzorgende" "Verpleegkundige of verzorgende die geen kinderverpleegkundige is, bijvoorbeeld in een pgb-team. / Nurse or carer who is not a paediatric nurse, for example in a personal-budget team."
* #verpleegkundige ^designation[0].language = #en
* #verpleegkundige ^designation[0].value = "Nurse or carer"
* #huisarts "Huisarts" "Huisarts van het kind. / The child's general practitioner."
* #huisarts ^designation[0].language = #en
* #huisarts ^designation[0].value = "General practitioner"
* #medisch-specialist "Medisch specialist" "Medisch specialist die niet de hoofdbehandelaar is, zoals een kinderneuroloog of kinderintensivist. / Medical specialist who is not the lead physician, such as a paediatric neurologist or intensivist."
* #medisch-specialist ^designation[0].language = #en
* #medisch-specialist ^designation[0].value = "Medical specialist"
* #jeugdarts "Jeugdarts" "Jeugdarts van de jeugdgezondheidszorg of het consultatiebureau. / Youth health care physician or well-baby clinic physician."
* #jeugdarts ^designation[0].language = #en
* #jeugdarts ^designation[0].value = "Youth health care physician"
* #revalidatiearts "Revalidatiearts" "Arts voor (kinder)revalidatie. / (Paediatric) rehabilitation physician."
* #revalidatiearts ^designation[0].language = #en
* #revalidatiearts ^designation[0].value = "Rehabilitation physician"
* #therapeut "Therapeut" "Fysio-, logo-, ergo-, hydro- of speltherapeut, of een eet-team. / Physical, speech, occupational, hydro or play therapist, or a feeding team."
* #therapeut ^designation[0].language = #en
* #therapeut ^designation[0].value = "Therapist"
* #pedagogisch-medewerker "Pedagogisch medewerker" "Pedagogisch medewerker of pedagoog, bijvoorbeeld in een verpleegkundig kinderdagverblijf of kinderzorghuis. / Pedagogical worker or educationalist, for example in a nursing day-care centre or children's care home."
* #pedagogisch-medewerker ^designation[0].language = #en
* #pedagogisch-medewerker ^designation[0].value = "Pedagogical worker"
* #orthopedagoog "Orthopedagoog" "Orthopedagoog. / Remedial educationalist."
* #orthopedagoog ^designation[0].language = #en
* #orthopedagoog ^designation[0].value = "Remedial educationalist"
* #kinderpsycholoog "Kinderpsycholoog" "Kinder- en jeugdpsycholoog. / Child and youth psychologist."
* #kinderpsycholoog ^designation[0].language = #en
* #kinderpsycholoog ^designation[0].value = "Child psychologist"
* #maatschappelijk-werker "Maatschappelijk werker" "Maatschappelijk werker, in het ziekenhuis of in de wijk. / Social worker, in hospital or in the community."
* #maatschappelijk-werker ^designation[0].language = #en
* #maatschappelijk-werker ^designation[0].value = "Social worker"
* #rouwbegeleider "Rouwbegeleider" "Begeleider bij rouw en verlies, voor en na het overlijden. / Grief counsellor, before and after death."
* #rouwbegeleider ^designation[0].language = #en
* #rouwbegeleider ^designation[0].value = "Grief counsellor"
* #geestelijk-verzorger "Geestelijk verzorger" "Geestelijk verzorger voor kind en gezin. / Spiritual care provider for child and family."
* #geestelijk-verzorger ^designation[0].language = #en
* #geestelijk-verzorger ^designation[0].value = "Spiritual care provider"
* #leerkracht "Leerkracht" "Leerkracht of mentor op school. / Teacher or mentor at school."
* #leerkracht ^designation[0].language = #en
* #leerkracht ^designation[0].value = "Teacher"
* #ozk-consulent "Onderwijsconsulent zieke kinderen" "Consulent onderwijsondersteuning zieke leerlingen (OZL/OZK). / Education consultant for sick pupils."
* #ozk-consulent ^designation[0].language = #en
* #ozk-consulent ^designation[0].value = "Education consultant for sick children"
* #leerplichtambtenaar "Leerplichtambtenaar" "Leerplichtambtenaar van de gemeente. / The municipality's compulsory education officer."
* #leerplichtambtenaar ^designation[0].language = #en
* #leerplichtambtenaar ^designation[0].value = "Compulsory education officer"
* #wmo-jeugdconsulent "Wmo- of Jeugdwetconsulent" "Consulent van de gemeente of het wijkteam voor Wmo en Jeugdwet. / Consultant of the municipality or neighbourhood team for the Social Support Act and the Youth Act."
* #wmo-jeugdconsulent ^designation[0].language = #en
* #wmo-jeugdconsulent ^designation[0].value = "Municipal social support and youth care consultant"
* #zorgverzekeraar-adviseur "Adviseur zorgverzekeraar" "Medisch of verpleegkundig adviseur van de zorgverzekeraar. / Medical or nursing adviser of the health insurer."
* #zorgverzekeraar-adviseur ^designation[0].language = #en
* #zorgverzekeraar-adviseur ^designation[0].value = "Health insurer adviser"
* #zorgkantoor-medewerker "Medewerker zorgkantoor" "Medewerker van het zorgkantoor (Wlz). / Staff member of the care office (Long-term Care Act)."
* #zorgkantoor-medewerker ^designation[0].language = #en
* #zorgkantoor-medewerker ^designation[0].value = "Care office staff member"
* #nik-aanspreekpunt "Aanspreekpunt netwerk integrale kindzorg" "Aanspreekpunt van het regionale Netwerk Integrale Kindzorg (NIK). / Contact person of the regional integrated paediatric care network."
* #nik-aanspreekpunt ^designation[0].language = #en
* #nik-aanspreekpunt ^designation[0].value = "Integrated paediatric care network contact"
* #gemandateerd-beslisser "Gemandateerd beslisser" "Zorgverlener met het mandaat van het gezin om in afgesproken situaties te beslissen, bijvoorbeeld de huisarts in de palliatieve fase. / Practitioner mandated by the family to decide in agreed situations, for example the general practitioner in the palliative phase."
* #gemandateerd-beslisser ^designation[0].language = #en
* #gemandateerd-beslisser ^designation[0].value = "Mandated decision-maker"

CodeSystem: Afsluitreden
Id: afsluitreden
Title: "Reden van afsluiten"
Description: "De reden waarom een zorgplan is afgesloten (MKS-fase 4). / The reason why a care plan was closed (MKS phase 4)."
* insert LokaalCodeSysteem
* #doelen-behaald "Doelen behaald" "De doelen zijn bereikt; kind en gezin zijn zelfredzaam en hebben het plan niet meer nodig. / The goals have been achieved; child and family are self-reliant and no longer need the plan."
* #doelen-behaald ^designation[0].language = #en
* #doelen-behaald ^designation[0].value = "Goals achieved"
* #overgang-volwassenenzorg "Overgang naar volwassenenzorg (18+)" "De jongere is 18 geworden en de zorg is overgedragen aan de volwassenenzorg. / The young person has turned 18 and care has been handed over to adult care."
* #overgang-volwassenenzorg ^designation[0].language = #en
* #overgang-volwassenenzorg ^designation[0].value = "Transition to adult care (18+)"
* #overdracht-ander-netwerk "Overdracht naar ander zorgnetwerk" "Het plan is overgedragen aan een ander zorgnetwerk en wordt daar voortgezet. / The plan has been handed over to another care network and continues there."
* #overdracht-ander-netwerk ^designation[0].language = #en
* #overdracht-ander-netwerk ^designation[0].value = "Handover to another care network"
* #overlijden "Overlijden" "Het kind is overleden; nazorg voor het gezin kan in een apart plan doorgaan. / The child has died; aftercare for the family may continue in a separate plan."
* #overlijden ^designation[0].language = #en
* #overlijden ^designation[0].value = "Death of the child"
* #verhuizing "Verhuizing" "Het gezin is verhuisd buiten het werkgebied van het zorgnetwerk. / The family has moved outside the area of the care network."
* #verhuizing ^designation[0].language = #en
* #verhuizing ^designation[0].value = "Moved away"
* #op-verzoek-gezin "Op verzoek van het gezin" "Kind of ouders zien af van het zorgplan. / The child or the parents withdraw from the care plan."
* #op-verzoek-gezin ^designation[0].language = #en
* #op-verzoek-gezin ^designation[0].value = "At the family's request"
* #vervangen "Vervangen door nieuw plan" "Dit plan is vervangen door een nieuw overkoepelend zorgplan. / This plan has been replaced by a new overarching care plan."
* #vervangen ^designation[0].language = #en
* #vervangen ^designation[0].value = "Replaced by a new plan"
* #overig "Overige reden" "Een andere reden, toegelicht in de tekst. / Another reason, explained in the text."
* #overig ^designation[0].language = #en
* #overig ^designation[0].value = "Other reason"

CodeSystem: TaakType
Id: taak-type
Title: "Taaktype"
Description: "Het soort taak in het zorgnetwerk van kind en gezin. / The kind of task in the care network of child and family."
* insert LokaalCodeSysteem
* #overdracht "Overdracht" "Warme overdracht van zorg of van een rol aan een andere zorgverlener of organisatie, bijvoorbeeld bij ontslag uit het ziekenhuis. / Warm handover of care or of a role to another practitioner or organisation, for example at discharge from hospital."
* #overdracht ^designation[0].language = #en
* #overdracht ^designation[0].value = "Handover"
* #verwijzing "Verwijzing" "Verwijzing naar een zorgverlener of organisatie. / Referral to a practitioner or organisation."
* #verwijzing ^designation[0].language = #en
* #verwijzing ^designation[0].value = "Referral"
* #bindende-verwijzing "Bindende verwijzing" "Verwijzing door de overkoepelend coördinator naar een professional onder een andere wet; niet vrijblijvend maar bindend. / Referral by the overarching coordinator to a professional under another law; binding, not optional."
* #bindende-verwijzing ^designation[0].language = #en
* #bindende-verwijzing ^designation[0].value = "Binding referral"
* #transitie-18plus "Transitie 18-/18+" "Voorbereiding van de overgang naar volwassenenzorg rond de 18e verjaardag. / Preparation of the transition to adult care around the 18th birthday."
* #transitie-18plus ^designation[0].language = #en
* #transitie-18plus ^designation[0].value = "Transition to adult care (18+)"
* #bezwaar "Bezwaar" "Bezwaar tegen een besluit, zoals een (her)indicatie. / Objection to a decision, such as a (re)assessment."
* #bezwaar ^designation[0].language = #en
* #bezwaar ^designation[0].value = "Objection"
* #escalatie "Escalatie" "Escalatie van een knelpunt naar een escalatie- of adviesorgaan. / Escalation of a bottleneck to an escalation or advisory body."
* #escalatie ^designation[0].language = #en
* #escalatie ^designation[0].value = "Escalation"
* #herindicatie "Herindicatie" "Aanvraag van een nieuwe indicatie wanneer de geldende indicatie afloopt of niet meer past. / Request for a new assessment when the current one expires or no longer fits."
* #herindicatie ^designation[0].language = #en
* #herindicatie ^designation[0].value = "Reassessment"
* #herziening-zorgplan "Herziening zorgplan" "Verzoek om het zorgplan te evalueren en bij te stellen, bijvoorbeeld bij een verstoorde balans tussen draagkracht en draaglast. / Request to evaluate and adjust the care plan, for example when capacity and burden are out of balance."
* #herziening-zorgplan ^designation[0].language = #en
* #herziening-zorgplan ^designation[0].value = "Care plan review"

CodeSystem: ZorgplanCategorie
Id: zorgplan-categorie
Title: "Zorgplancategorie"
Description: "De soort zorgplan: het overkoepelende plan of een deelplan daarvan. / The kind of care plan: the overarching plan or a sub-plan of it."
* insert LokaalCodeSysteem
* #zorgplan-kind-gezin "Zorgplan Kind&Gezin" "Het overkoepelende zorgplan van één kind en gezin, over alle vier kinderleefdomeinen. / The overarching care plan of one child and family, across all four life domains."
* #zorgplan-kind-gezin ^designation[0].language = #en
* #zorgplan-kind-gezin ^designation[0].value = "Care plan child and family"
* #izp-palliatief "Individueel zorgplan kinderpalliatieve zorg (IZP)" "Deelplan voor de palliatieve fase, onderdeel van het overkoepelende plan. / Sub-plan for the palliative phase, part of the overarching plan."
* #izp-palliatief ^designation[0].language = #en
* #izp-palliatief ^designation[0].value = "Individual paediatric palliative care plan"
* #acp "Proactieve zorgplanning (ACP)" "Deelplan met wensen en afspraken over toekomstige zorg en behandelgrenzen. / Sub-plan with wishes and agreements about future care and treatment limits."
* #acp ^designation[0].language = #en
* #acp ^designation[0].value = "Advance care plan"
* #gemeentelijk-plan "Plan van de gemeente" "Eigen plan van de gemeente onder de Jeugdwet of Wmo, onderdeel van het overkoepelende plan. / The municipality's own plan under the Youth Act or Social Support Act, part of the overarching plan."
* #gemeentelijk-plan ^designation[0].language = #en
* #gemeentelijk-plan ^designation[0].value = "Municipal plan"
* #deelplan-organisatie "Deelplan van een organisatie" "Eigen plan van een zorgaanbieder of school, zoals een zorgleefplan of ontwikkelingsperspectief, onderdeel van het overkoepelende plan. / A care provider's or school's own plan, such as a care and living plan or development perspective, part of the overarching plan."
* #deelplan-organisatie ^designation[0].language = #en
* #deelplan-organisatie ^designation[0].value = "Organisation's sub-plan"

CodeSystem: ZorgcoordinatieAanbod
Id: zorgcoordinatie-aanbod
Title: "Aanbod zorgcoördinatie"
Description: "De stand van het aanbod van een zorgcoördinator of zorgcoach aan het gezin. / The state of the offer of a care coordinator or care coach to the family."
* insert LokaalCodeSysteem
* #aangeboden "Aangeboden" "Het gezin heeft het aanbod gekregen en nog niet beslist. / The family has received the offer and has not yet decided."
* #aangeboden ^designation[0].language = #en
* #aangeboden ^designation[0].value = "Offered"
* #geaccepteerd "Geaccepteerd" "Het gezin heeft het aanbod aangenomen. / The family has accepted the offer."
* #geaccepteerd ^designation[0].language = #en
* #geaccepteerd ^designation[0].value = "Accepted"
* #afgewezen "Afgewezen" "Het gezin heeft het aanbod afgewezen; het gezin houdt zelf de coördinatie. / The family has declined the offer and keeps the coordination itself."
* #afgewezen ^designation[0].language = #en
* #afgewezen ^designation[0].value = "Declined"

CodeSystem: Zorgsetting
Id: zorgsetting
Title: "Zorgsetting"
Description: "De plaats waar een interventie wordt uitgevoerd. / The setting where an intervention takes place."
* insert LokaalCodeSysteem
* #thuis "Thuis" "Bij het gezin thuis. / At the family's home."
* #thuis ^designation[0].language = #en
* #thuis ^designation[0].value = "Home"
* #school "School" "Op school, ook (voortgezet) speciaal onderwijs. / At school, including special education."
* #school ^designation[0].language = #en
* #school ^designation[0].value = "School"
* #verpleegkundig-kinderdagverblijf "Verpleegkundig kinderdagverblijf" "Kinderdagverblijf met verpleegkundige en pedagogische zorg (0-4 jaar). / Day-care centre with nursing and pedagogical care (age 0-4)."
* #verpleegkundig-kinderdagverblijf ^designation[0].language = #en
* #verpleegkundig-kinderdagverblijf ^designation[0].value = "Nursing day-care centre"
* #kinderzorghuis "Kinderzorghuis" "Kinderzorghuis voor logeren, respijtzorg en verblijf (tot 18 jaar). / Children's care home for short stays, respite and residence (up to 18)."
* #kinderzorghuis ^designation[0].language = #en
* #kinderzorghuis ^designation[0].value = "Children's care home"
* #logeervoorziening "Logeervoorziening" "Andere voorziening voor logeren en respijtzorg. / Other facility for short stays and respite care."
* #logeervoorziening ^designation[0].language = #en
* #logeervoorziening ^designation[0].value = "Respite facility"
* #hospice "Hospice" "Hospice of kinderhospice. / Hospice or children's hospice."
* #hospice ^designation[0].language = #en
* #hospice ^designation[0].value = "Hospice"
* #dagbesteding "Dagbesteding" "Dagbesteding of dagbehandeling. / Day activities or day treatment."
* #dagbesteding ^designation[0].language = #en
* #dagbesteding ^designation[0].value = "Day activities"
* #praktijk "Praktijk" "Praktijk van een therapeut of huisarts. / Practice of a therapist or general practitioner."
* #praktijk ^designation[0].language = #en
* #praktijk ^designation[0].value = "Practice"
* #ziekenhuis "Ziekenhuis (tweede lijn)" "Algemeen ziekenhuis met 24-uurs kinderarts. / General hospital with a paediatrician available 24 hours."
* #ziekenhuis ^designation[0].language = #en
* #ziekenhuis ^designation[0].value = "Hospital (secondary care)"
* #academisch-ziekenhuis "Academisch ziekenhuis (derde lijn)" "Academisch (kinder)ziekenhuis met gespecialiseerde zorg. / Academic (children's) hospital with specialised care."
* #academisch-ziekenhuis ^designation[0].language = #en
* #academisch-ziekenhuis ^designation[0].value = "Academic hospital (tertiary care)"
* #kindcentrum "Kindcentrum" "Kindcentrum of hybride netwerk in de wijk. / Child centre or hybrid network in the neighbourhood."
* #kindcentrum ^designation[0].language = #en
* #kindcentrum ^designation[0].value = "Child centre"
* #digitaal "Digitaal" "Op afstand, via beeldbellen of een app. / Remote, by video call or an app."
* #digitaal ^designation[0].language = #en
* #digitaal ^designation[0].value = "Remote"
