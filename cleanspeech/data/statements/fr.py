"""French identity statements for training (see the package docstring): our own writing, no sentence of the
evaluation sets."""

# Groups as a sentence names them in the plural (mid-sentence case), with the pronoun that refers back to them.
GROUPS = (
    ("les gays", "Ils"), ("les lesbiennes", "Elles"), ("les bisexuels", "Ils"), ("les femmes trans", "Elles"),
    ("les musulmans", "Ils"), ("les juifs", "Ils"), ("les chrétiens", "Ils"), ("les hindous", "Ils"),
    ("les sikhs", "Ils"), ("les Noirs", "Ils"), ("les Asiatiques", "Ils"), ("les Arabes", "Ils"),
    ("les Maghrébins", "Ils"), ("les Roms", "Ils"), ("les immigrés", "Ils"), ("les réfugiés", "Ils"),
    ("les femmes", "Elles"), ("les sourds", "Ils"), ("les personnes en fauteuil roulant", "Elles"),
    ("les autistes", "Ils"), ("les personnes âgées", "Elles"), ("les athées", "Ils"),
)  # fmt: skip

# Attacks on a group without a swear word: (verb phrase after the plural group, its negation, is it a threat).
# No adjective, participle or pronoun that inflects for gender: every phrase must fit masculine and feminine groups.
ATTACKS = (
    ("sont un cancer pour la société", "ne sont pas un cancer pour la société", False),
    ("ne valent pas mieux que des animaux", "ne valent ni plus ni moins que n'importe qui", False),
    ("ne devraient avoir aucun droit dans ce pays", "devraient avoir les mêmes droits que tout le monde", False),
    ("devraient retourner dans leur pays, de gré ou de force", "ont leur place ici comme tout le monde", True),
    ("se reproduisent comme des lapins", "ne se reproduisent pas comme des lapins", False),
    ("détruisent tout sur leur passage", "ne détruisent rien du tout", False),
    ("mentent dès que ça les arrange", "sont aussi honnêtes que n'importe qui", False),
    ("sont une menace pour les gens honnêtes", "ne sont une menace pour personne", False),
    ("n'ont rien à faire près de nos enfants", "ne représentent aucun danger pour nos enfants", False),
    ("ont moins de jugeote que le reste de la population", "ont autant de jugeote que le reste de la population",
     False),
    ("doivent disparaître de la surface de la terre", "ont autant le droit d'exister que les autres", True),
    ("ont leur place derrière les barreaux, sans exception", "n'ont rien à faire derrière les barreaux", True),
    ("ne feront jamais partie de la nation", "font pleinement partie de la nation", False),
    ("vivent de vols et de mensonges", "gagnent leur vie honnêtement", False),
    ("ne devraient pas avoir le droit de travailler avec le public", "peuvent travailler où bon leur semble", False),
    ("méritent qu'on leur casse la figure", "ne méritent pas qu'on leur fasse du mal", True),
    ("ne vaudront jamais autant que nous", "valent autant que nous", False),
    ("ne méritent pas d'avoir leur mot à dire dans ce pays", "ont leur mot à dire comme tout le monde", False),
    ("ne méritent aucune confiance", "méritent la même confiance que tout le monde", False),
    ("ne sont pas vraiment des personnes comme nous", "sont des personnes comme nous", False),
    ("n'ont jamais rien apporté à ce pays", "ont beaucoup apporté à ce pays", False),
    ("ne valent rien du tout", "valent autant que n'importe qui", False),
    ("ont abîmé cette ville", "ont embelli cette ville", False),
)  # fmt: skip

# First-person threats against a group: {g} is the group, with its article.
THREATS = (
    "Je vais faire en sorte que {g} ne remettent plus jamais les pieds dans notre rue.",
    "Si {g} du quartier s'approchent de chez moi, je leur casse les jambes.",
    "On va chasser {g} de cette ville, par la force s'il le faut.",
    "Un jour, on rassemblera {g} et on le leur fera payer.",
)  # fmt: skip

# How an attack is said: {S} the attack as a sentence, {s} the same mid-sentence, {g}/{G} the group; {they} the
# attack's verb phrase after the group's pronoun, for a sentence that refers back to the group.
ATTACK_FRAMES = (
    "{S}.", "Franchement, {s}.", "Soyons honnêtes : {s}.", "Tout le monde sait que {s}.",
    "Il n'y a que moi qui trouve que {s} ?", "Perso, je pense que {s}.", "Désolé, mais {s}.",
    "Faut arrêter de faire semblant : {s}.", "On les connaît, {g} du coin. {they}.",
    "Regardez ce que {g} ont fait de notre quartier. {they}.",
    "Pourquoi est-ce que {s} ?", "Je crois sincèrement que {s}.",
)  # fmt: skip

# Benign verb phrases after the plural group: neutral and positive.
BENIGN = (
    "vivent dans toutes les régions du pays", "ont participé à l'enquête l'an dernier",
    "ont leur propre association dans le quartier", "étaient au cœur du documentaire diffusé hier soir",
    "représentent une part croissante de la population active", "votent à chaque élection",
    "ont beaucoup apporté à cette ville", "ont toute leur place dans notre école",
    "méritent le même respect que tout le monde", "tiennent plusieurs des meilleurs commerces de la rue",
    "ont organisé la course solidaire cette année", "font partie de notre histoire",
)  # fmt: skip

# An attack denied outright: {neg} the attack's negation, {s} the attack mid-sentence, {g}/{G} the group.
DENIAL_FRAMES = ("{G} {neg}.", "Non, {g} {neg}.", "Soyons clairs : {g} {neg}.")

# Benign sentences around a group that use the words of hate: denial, support, counter-speech. {S}/{s}: an attack
# sentence being quoted or denied; {neg}: a negated attack's verb phrase; {g}: the group.
BENIGN_FRAMES = (
    "{G} {neg}.", "C'est complètement faux de dire que {s}.",
    "J'ai signalé le commentaire « {S} » parce qu'il est haineux.",
    "Mon oncle répète sans arrêt « {S} » et j'en ai marre de me disputer avec lui.",
    "Je n'ai rien contre {g}.", "Personne dans ma famille ne déteste {g}.", "Harceler {g} en ligne, c'est lâche.",
    "Détester {g}, ce n'est pas une opinion, c'est un préjugé.",
    "Le rapport cite « {S} » comme exemple typique de slogan haineux.",
)  # fmt: skip

# A person described by an identity (singular, masculine, after "est"), and sentences about them.
PERSON = (
    "gay", "bisexuel", "transgenre", "musulman", "juif", "chrétien", "sikh", "hindou", "noir", "asiatique",
    "arabe", "immigré", "réfugié", "sourd", "aveugle", "autiste", "en fauteuil roulant", "athée",
    "homosexuel", "hétérosexuel", "queer", "catholique", "bouddhiste", "turc",
    "polonais", "nigérian", "syrien", "handicapé",
)  # fmt: skip
PERSON_FRAMES = (
    "Mon frère est {x}.", "Notre nouveau directeur est {x}, et il fait un excellent travail.",
    "L'auteur du livre est {x}.", "Mon voisin est {x} et il nous a aidés à emménager.",
    "Il a annoncé à toute sa classe qu'il était {x}.", "Mon père est {x}.",
)  # fmt: skip

# A woman described by an identity (singular, feminine, after "est"), and sentences about her.
PERSON_F = (
    "lesbienne", "bisexuelle", "transgenre", "queer", "musulmane", "juive", "chrétienne", "sikhe", "hindoue",
    "noire", "asiatique", "arabe", "immigrée", "réfugiée", "sourde", "aveugle", "autiste", "en fauteuil roulant",
    "athée", "féministe", "handicapée",
)  # fmt: skip
PERSON_F_FRAMES = (
    "Ma sœur est {x}.", "Notre nouvelle médecin est {x}, et elle est formidable avec les patients.",
    "La chanteuse qui a gagné hier soir est {x}.", "Ma meilleure amie est {x} et elle se marie en juin.",
    "Elle a dit à ses collègues qu'elle était {x}.", "Ma mère est {x}.",
)  # fmt: skip

# The speaker's own identity after "je suis": first-person sentences, filled with either list's forms.
SELF_FRAMES = (
    "Je suis {x} et j'habite dans cette ville depuis vingt ans.", "Je suis {x} depuis toujours.",
    "Bonjour, je suis {x} et c'est mon premier message sur ce forum.", "Je suis {x}, donc ce sujet me concerne.",
    "Je suis {x} et je travaille à l'hôpital.", "Oui, je suis {x}. Ça n'a rien à voir avec la modification.",
    "Je suis {x} et j'ai deux enfants.", "Merci pour la correction, je suis moi-même {x}.",
)  # fmt: skip

# First-person hostility to a group without a swear word, and a benign sentence of the same shape: (hostile,
# benign), {g} the group as an object.
ATTITUDES = (
    ("Je ne pourrai jamais respecter {g}.", "J'ai toujours respecté {g}."),
    ("Je n'embaucherais jamais {g}, même pas en rêve.", "J'embaucherais {g} sans hésiter."),
    ("Je ne veux pas voir {g} près de mes enfants.", "Je suis content que mes enfants connaissent {g} du quartier."),
    ("Je ne laisserai jamais {g} entrer chez moi.", "J'invite souvent {g} du quartier à dîner."),
    ("Je n'accepterai jamais {g} dans ma famille.", "J'accueillerais {g} dans ma famille avec plaisir."),
    ("Je préfère déménager plutôt que d'avoir {g} comme voisins.", "J'aimerais bien avoir {g} comme voisins."),
    ("Tout allait mieux ici avant que {g} habitent le quartier.",
     "Le quartier est plus vivant depuis que {g} y habitent."),
)  # fmt: skip
