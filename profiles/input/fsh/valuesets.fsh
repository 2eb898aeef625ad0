// Value sets of the standard. Each local code system has an all-codes value set with the same
// id (kinderleefdomein is in kinderleefdomein.fsh).

RuleSet: LokaleWaardelijst
* ^status = #draft
* ^experimental = false
* ^language = #nl
* ^jurisdiction = urn:iso:std:iso:3166#NL "Netherlands"

ValueSet: MksFaseVS
Id: mks-fase
Title: "MKS-fase"
Description: "Alle MKS-fasen. / All MKS phases."
* insert LokaleWaardelijst
* include codes from system $mks-fase

ValueSet: WettelijkKaderVS
Id: wettelijk-kader
Title: "Wettelijk kader"
Description: "Alle wettelijke kaders en financieringsbronnen. / All legal frameworks and funding sources."
* insert LokaleWaardelijst
* include codes from system $wettelijk-kader

ValueSet: LeveringsvormVS
Id: leveringsvorm
Title: "Leveringsvorm"
Description: "Alle leveringsvormen (ZIN, pgb). / All delivery forms (care in kind, personal budget)."
* insert LokaleWaardelijst
* include codes from system $leveringsvorm

ValueSet: ZorgplanRolVS
Id: zorgplan-rol
Title: "Rol in het zorgplan"
Description: "Alle rollen in het zorgnetwerk en zorgplan. / All roles in the care network and care plan."
* insert LokaleWaardelijst
* include codes from system $zorgplan-rol

ValueSet: AfsluitredenVS
Id: afsluitreden
Title: "Reden van afsluiten"
Description: "Alle redenen van afsluiten van een zorgplan. / All reasons for closing a care plan."
* insert LokaleWaardelijst
* include codes from system $afsluitreden

ValueSet: TaakTypeVS
Id: taak-type
Title: "Taaktype"
Description: "Alle taaktypen. / All task types."
* insert LokaleWaardelijst
* include codes from system $taak-type

ValueSet: ZorgplanCategorieVS
Id: zorgplan-categorie
Title: "Zorgplancategorie"
Description: "Alle zorgplancategorieën: het overkoepelende plan en de deelplannen. / All care plan categories: the overarching plan and the sub-plans."
* insert LokaleWaardelijst
* include codes from system $zorgplan-categorie

ValueSet: ZorgcoordinatieAanbodVS
Id: zorgcoordinatie-aanbod
Title: "Aanbod zorgcoördinatie"
Description: "Alle standen van het aanbod van zorgcoördinatie. / All states of the care coordination offer."
* insert LokaleWaardelijst
* include codes from system $zorgcoordinatie-aanbod

ValueSet: ZorgsettingVS
Id: zorgsetting
Title: "Zorgsetting"
Description: "Alle zorgsettings. / All care settings."
* insert LokaleWaardelijst
* include codes from system $zorgsetting

ValueSet: GezinsrelatieVS
Id: gezinsrelatie
Title: "Gezinsrelatie"
Description: "Relaties van gezinsleden en naasten tot het kind, uit HL7 v3 RoleCode (zoals nl-core RelatieCodelijst). / Relationships of family members and close persons to the child, from HL7 v3 RoleCode (as in the nl-core relationship code list)."
* insert LokaleWaardelijst
* $v3-RoleCode#MTH "mother"
* $v3-RoleCode#FTH "father"
* $v3-RoleCode#PRN "parent"
* $v3-RoleCode#NPRN "natural parent"
* $v3-RoleCode#ADOPTP "adoptive parent"
* $v3-RoleCode#ADOPTM "adoptive mother"
* $v3-RoleCode#ADOPTF "adoptive father"
* $v3-RoleCode#STPPRN "step parent"
* $v3-RoleCode#STPMTH "stepmother"
* $v3-RoleCode#STPFTH "stepfather"
* $v3-RoleCode#PRNFOST "foster parent"
* $v3-RoleCode#MTHFOST "foster mother"
* $v3-RoleCode#FTHFOST "foster father"
* $v3-RoleCode#GUARD "guardian"
* $v3-RoleCode#SIB "sibling"
* $v3-RoleCode#SIS "sister"
* $v3-RoleCode#BRO "brother"
* $v3-RoleCode#HSIB "half-sibling"
* $v3-RoleCode#HSIS "half-sister"
* $v3-RoleCode#HBRO "half-brother"
* $v3-RoleCode#STPSIB "step sibling"
* $v3-RoleCode#STPSIS "stepsister"
* $v3-RoleCode#STPBRO "stepbrother"
* $v3-RoleCode#GRPRN "grandparent"
* $v3-RoleCode#GRMTH "grandmother"
* $v3-RoleCode#GRFTH "grandfather"
* $v3-RoleCode#AUNT "aunt"
* $v3-RoleCode#UNCLE "uncle"
* $v3-RoleCode#FAMMEMB "family member"
* $v3-RoleCode#NBOR "neighbor"
* $v3-RoleCode#FRND "unrelated friend"
