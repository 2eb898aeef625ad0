Profile: ToestemmingKindGezin
Parent: Consent
Id: toestemming-kind-gezin
Title: "Toestemming Kind&Gezin"
Description: "Privacytoestemming: wie welke delen van het zorgplan mag lezen of schrijven. Gegeven en bevestigd door het kind en/of de ouders volgens de WGBO-leeftijdsregels (onder 12 de ouders met gezag, 12 tot en met 15 kind en ouders, vanaf 16 het kind). Per deelnemer of organisatie (provision.actor) kan toegang worden gegeven of geweigerd, per kinderleefdomein (provision.code), per resourcetype (provision.class) of voor afzonderlijke resources (provision.data), met geneste uitzonderingen. Intrekken: status inactive. / Privacy consent: who may read or write which parts of the care plan. Given and verified by the child and/or the parents according to the Dutch age rules (under 12 the parents with authority, 12 to 15 child and parents, from 16 the child). Access can be permitted or denied per participant or organisation (provision.actor), per life domain (provision.code), per resource type (provision.class) or for single resources (provision.data), with nested exceptions. Revocation: status inactive."
* insert ProfielMetadata
* . ^short = "Privacytoestemming / Privacy consent"
* . ^definition = "Wie welke delen van het zorgplan mag inzien of bewerken. / Who may read or write which parts of the care plan."
* status ^short = "Status; inactive = ingetrokken / Status; inactive = revoked"
* status ^definition = "De status van de toestemming; ingetrokken toestemming krijgt status inactive. / The status of the consent; revoked consent gets status inactive."
* scope = $consentscope#patient-privacy
* scope ^short = "Altijd privacy / Always privacy"
* scope ^definition = "Altijd patient-privacy: dit profiel gaat over toegang tot gegevens, niet over behandeling of wilsverklaringen. / Always patient-privacy: this profile is about access to data, not about treatment or advance directives."
* category ^short = "Soort toestemming / Kind of consent"
* category ^definition = "De soort toestemming, bijvoorbeeld v3-ActCode INFA (information access). / The kind of consent, for example v3-ActCode INFA (information access)."
* patient 1..1
* patient only Reference(KindPatient)
* patient ^short = "Het kind / The child"
* patient ^definition = "Het kind over wiens gegevens de toestemming gaat. / The child whose data the consent is about."
* dateTime 1..1
* dateTime ^short = "Moment van toestemming / Time of consent"
* dateTime ^definition = "Wanneer de toestemming is gegeven; de leeftijd van het kind op dit moment bepaalt wie moest toestemmen. / When the consent was given; the child's age at this moment determines who had to consent."
* performer only Reference(KindPatient or Gezinslid)
* performer ^short = "Wie toestemt / Who consents"
* performer ^definition = "Het kind en/of de ouders met gezag, volgens de WGBO-leeftijdsregels. / The child and/or the parents with parental authority, according to the Dutch age rules."
* organization only Reference(Zorgorganisatie)
* organization ^short = "Beheerder / Custodian"
* organization ^definition = "De organisatie die de toestemming beheert. / The organisation that manages the consent."
* policy ^short = "Grondslag / Legal basis"
* policy ^definition = "De grondslag, zoals de WGBO (Burgerlijk Wetboek boek 7) en de AVG; een policy of policyRule is verplicht (ppc-1). / The legal basis, such as the Dutch Medical Treatment Contracts Act (Civil Code book 7) and the GDPR; a policy or policyRule is required (ppc-1)."
* verification ^short = "Bevestiging / Verification"
* verification ^definition = "Bevestiging door het kind en/of de ouders, elk in een eigen verification. / Verification by the child and/or the parents, each in its own verification."
* verification.verifiedWith only Reference(KindPatient or Gezinslid)
* verification.verifiedWith ^short = "Bevestigd door / Verified with"
* verification.verifiedWith ^definition = "Het kind of de ouder die de toestemming bevestigde. / The child or parent who verified the consent."
* provision ^short = "Regels / Rules"
* provision ^definition = "De regel: permit of deny, voor wie, welke handelingen, welke delen, welke periode; geneste provisions zijn uitzonderingen op de bovenliggende regel. / The rule: permit or deny, for whom, which actions, which parts, which period; nested provisions are exceptions to the rule above them."
* provision.type ^short = "Toestaan of weigeren / Permit or deny"
* provision.type ^definition = "permit of deny. / permit or deny."
* provision.period ^short = "Geldigheid / Validity"
* provision.period ^definition = "De periode waarin deze regel geldt. / The period in which this rule applies."
* provision.actor ^short = "Voor wie / For whom"
* provision.actor ^definition = "Voor wie de regel geldt, met rol (zoals v3-ParticipationType IRCP, ontvanger van informatie) en verwijzing. / Whom the rule applies to, with role (such as v3-ParticipationType IRCP, information recipient) and reference."
* provision.actor.reference only Reference(Zorgverlener or ZorgverlenerRol or Zorgorganisatie or ZorgnetwerkKind or Gezinslid or KindPatient)
* provision.actor.reference ^short = "Wie / Who"
* provision.actor.reference ^definition = "Een professional, organisatie, het zorgnetwerk, een gezinslid of het kind. / A professional, organisation, the care network, a family member or the child."
* provision.action ^short = "Welke handelingen / Which actions"
* provision.action ^definition = "Bijvoorbeeld access (inzien) of correct (inzien en bewerken). / For example access (read) or correct (read and write)."
* provision.class ^short = "Welke soorten gegevens / Which kinds of data"
* provision.class ^definition = "Resourcetypen waarop de regel van toepassing is, bijvoorbeeld Goal of ServiceRequest. / Resource types the rule applies to, for example Goal or ServiceRequest."
* provision.code from KinderleefdomeinVS (extensible)
* provision.code ^short = "Welke kinderleefdomeinen / Which life domains"
* provision.code ^definition = "De kinderleefdomeinen waarop de regel van toepassing is; een doel of interventie valt eronder als zijn category dat domein noemt. / The life domains the rule applies to; a goal or intervention falls under it when its category names that domain."
* provision.data ^short = "Afzonderlijke resources / Single resources"
* provision.data ^definition = "Afzonderlijke resources, zoals het doel over de steun aan een zus. / Single resources, such as the goal about support for a sister."
