"""Italian identity statements for training (see the package docstring): our own writing, no sentence of the
evaluation sets."""

# Groups as a sentence names them in the plural (mid-sentence case), with the pronoun that refers back to them
# (Italian drops the subject pronoun: {they} is the verb phrase alone).
GROUPS = (
    ("i gay", ""), ("le lesbiche", ""), ("le persone bisessuali", ""), ("le donne trans", ""), ("i musulmani", ""),
    ("gli ebrei", ""), ("i cristiani", ""), ("gli induisti", ""), ("i sikh", ""), ("i neri", ""),
    ("gli asiatici", ""), ("gli arabi", ""), ("i messicani", ""), ("i rom", ""), ("gli immigrati", ""),
    ("i rifugiati", ""), ("le donne", ""), ("i sordi", ""), ("le persone in sedia a rotelle", ""),
    ("le persone autistiche", ""), ("gli anziani", ""), ("gli atei", ""),
)  # fmt: skip

# Attacks on a group without a swear word: (verb phrase after the plural group, its negation, is it a threat).
# No adjective or participle that agrees in gender: every phrase must fit masculine and feminine groups alike.
ATTACKS = (
    ("sono un cancro per la società", "non sono un cancro per la società", False),
    ("sono peggio delle bestie", "non sono peggio di nessun altro", False),
    ("non dovrebbero avere nessun diritto in questo paese", "dovrebbero avere gli stessi diritti di tutti", False),
    ("devono tornarsene a casa loro, con le buone o con le cattive", "hanno tutto il diritto di restare qui", True),
    ("si moltiplicano come i topi", "non si moltiplicano come i topi", False),
    ("rovinano tutto quello che toccano", "non rovinano proprio niente", False),
    ("mentono ogni volta che gli fa comodo", "dicono la verità come chiunque altro", False),
    ("sono una minaccia per la gente perbene", "non sono una minaccia per nessuno", False),
    ("devono stare lontano dai nostri figli", "non sono un pericolo per i bambini", False),
    ("sono meno intelligenti di noi", "sono intelligenti quanto chiunque altro", False),
    ("devono sparire dalla faccia della terra", "hanno il diritto di vivere in pace come tutti", True),
    ("meritano di marcire in galera", "non meritano di finire in galera", True),
    ("non faranno mai davvero parte di questo paese", "fanno parte di questo paese a pieno titolo", False),
    ("sono gente che vive di furti e di bugie", "vivono del proprio lavoro come tutti gli altri", False),
    ("non dovrebbero poter lavorare a contatto con il pubblico", "possono lavorare dove vogliono", False),
    ("si meritano tutte le botte che prendono", "non meritano alcuna violenza", True),
    ("non saranno mai al nostro livello", "sono al nostro livello", False),
    ("non meritano di avere voce in questo paese", "meritano di avere voce come tutti", False),
    ("non meritano nessuna fiducia", "meritano la stessa fiducia di chiunque", False),
    ("non sono persone vere, non come noi", "sono persone come noi", False),
    ("non hanno mai dato niente a questo paese", "hanno dato tanto a questo paese", False),
    ("non valgono niente", "valgono quanto chiunque altro", False),
    ("hanno peggiorato il quartiere", "hanno migliorato il quartiere", False),
)  # fmt: skip

# First-person threats against a group: {g} is the group, with its article.
THREATS = (
    "Farò in modo che {g} non mettano mai più piede nella nostra strada.",
    "Se becco {g} sotto casa mia, gli spacco le gambe.",
    "Cacceremo {g} da questa città, con la forza se serve.",
    "Un giorno regoleremo i conti con {g}, e sarà la fine per loro.",
)  # fmt: skip

# How an attack is said: {S} the attack as a sentence, {s} the same mid-sentence, {g}/{G} the group; {they} the
# attack's verb phrase alone (pro-drop), for a sentence that refers back to the group.
ATTACK_FRAMES = (
    "{S}.", "Sinceramente, {s}.", "Diciamocelo chiaro e tondo: {s}.", "Lo sanno tutti che {s}.",
    "Ma davvero nessuno ha il coraggio di dire che {s}?", "Ammettiamolo, {s}.", "Scusate, ma {s}.",
    "Io la penso così: {s}.", "Chi vive qui sa benissimo come stanno le cose con {g}. {they}.",
    "Guardate com'è ridotto il quartiere da quando ci vivono {g}. {they}.",
    "Come mai {s}?", "Secondo me {s}.",
)  # fmt: skip

# Benign verb phrases after the plural group: neutral and positive.
BENIGN = (
    "vivono in ogni parte del paese", "hanno partecipato al sondaggio dell'anno scorso",
    "hanno un loro centro culturale qui in città", "sono al centro del documentario di ieri sera",
    "rappresentano una quota crescente dei lavoratori", "votano a ogni elezione", "hanno dato tanto a questa città",
    "trovano sempre le porte aperte nella nostra scuola", "meritano lo stesso rispetto di chiunque altro",
    "gestiscono alcuni dei negozi migliori di questa via", "hanno organizzato la corsa di beneficenza quest'anno",
    "fanno parte della nostra storia",
)  # fmt: skip

# An attack denied outright: {neg} the attack's negation, {s} the attack mid-sentence, {g}/{G} the group.
DENIAL_FRAMES = ("{G} {neg}.", "No, {g} {neg}.", "Sia chiaro: {g} {neg}.")

# Benign sentences around a group that use the words of hate: denial, support, counter-speech. {S}/{s}: an attack
# sentence being quoted or denied; {neg}: a negated attack's verb phrase; {g}: the group.
BENIGN_FRAMES = (
    "{G} {neg}.", "È semplicemente falso dire che {s}.", "Ho segnalato il commento «{S}» perché incita all'odio.",
    "Mio zio continua a ripetere «{S}» e io non ce la faccio più a discuterci.",
    "Non ho niente contro {g}.", "In casa mia nessuno ce l'ha con {g}.",
    "Prendersela con {g} sui social è da vigliacchi.",
    "L'odio verso {g} non è un'opinione, è un pregiudizio.",
    "Il rapporto cita «{S}» come esempio tipico di slogan d'odio.",
)  # fmt: skip

# A person described by an identity (singular, masculine, after "è"), and sentences about him.
PERSON = (
    "gay", "bisessuale", "transgender", "musulmano", "ebreo", "cristiano", "sikh", "nero", "asiatico",
    "un immigrato", "un rifugiato", "sordo", "cieco", "autistico", "in sedia a rotelle", "messicano", "ateo", "rom",
    "omosessuale", "eterosessuale", "queer", "cattolico", "buddista", "induista", "arabo",
    "cinese", "nigeriano", "disabile",
)  # fmt: skip
PERSON_FRAMES = (
    "Mio fratello è {x}.", "Il nostro nuovo responsabile è {x}, ed è bravissimo nel suo lavoro.",
    "L'autore del libro è {x}.", "Il mio vicino è {x} e ci ha aiutato a fare il trasloco.",
    "Ha raccontato ai compagni di classe di essere {x}.", "Mio padre è {x}.",
)  # fmt: skip

# A woman described by an identity (singular, feminine, after "è"), and sentences about her.
PERSON_F = (
    "lesbica", "bisessuale", "transgender", "queer", "musulmana", "ebrea", "cristiana", "sikh", "nera",
    "asiatica", "un'immigrata", "una rifugiata", "sorda", "cieca", "autistica", "in sedia a rotelle", "messicana",
    "atea", "rom", "femminista", "disabile",
)  # fmt: skip
PERSON_F_FRAMES = (
    "Mia sorella è {x}.", "La nostra nuova dottoressa è {x}, ed è splendida con i pazienti.",
    "La cantante che ha vinto ieri sera è {x}.", "La mia migliore amica è {x} e si sposa a giugno.",
    "Ha detto alle colleghe di essere {x}.", "Mia madre è {x}.",
)  # fmt: skip

# The speaker's own identity after "sono": first-person sentences, filled with either list's forms.
SELF_FRAMES = (
    "Sono {x} e vivo in questa città da vent'anni.", "Ciao, sono {x} e questo è il mio primo messaggio sul forum.",
    "Sono {x}, quindi questo tema mi riguarda.", "Sono {x} e lavoro in ospedale.",
    "Sì, sono {x}. Questo non c'entra niente con la modifica.", "Sono {x} e ho due figli.",
    "Grazie per la correzione, tra l'altro anch'io sono {x}.",
)  # fmt: skip

# First-person hostility to a group without a swear word, and a benign sentence of the same shape: (hostile,
# benign), {g} the group as an object.
ATTITUDES = (
    ("Non potrò mai rispettare {g}.", "Ho sempre rispettato {g}."),
    ("Non assumerei mai {g}, neanche morto.", "Assumerei {g} senza pensarci due volte."),
    ("Non voglio {g} vicino ai miei figli.", "Sono contento che i miei figli conoscano {g} del quartiere."),
    ("Non farei mai entrare {g} in casa mia.", "Invito spesso {g} del quartiere a cena."),
    ("Non accetterò mai {g} nella mia famiglia.", "Accoglierei {g} nella mia famiglia con piacere."),
    ("Preferisco trasferirmi piuttosto che avere {g} come vicini.", "Mi piacerebbe avere {g} come vicini."),
    ("Si stava meglio qui prima che ci vivessero {g}.", "Il quartiere è più vivo da quando ci vivono {g}."),
)  # fmt: skip
