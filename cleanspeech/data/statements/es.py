"""Spanish identity statements for training (see the package docstring): our own writing, no sentence of the
evaluation sets."""

# Groups as a sentence names them in the plural (mid-sentence case, with the article), with the pronoun that refers
# back to them: none, Spanish drops it.
GROUPS = (
    ("los gays", ""), ("las lesbianas", ""), ("las personas bisexuales", ""), ("las mujeres trans", ""),
    ("los musulmanes", ""), ("los judíos", ""), ("los cristianos", ""), ("los hindúes", ""), ("los sijs", ""),
    ("las personas negras", ""), ("los asiáticos", ""), ("los árabes", ""), ("los mexicanos", ""), ("los gitanos", ""),
    ("los inmigrantes", ""), ("los refugiados", ""), ("las mujeres", ""), ("las personas sordas", ""),
    ("las personas en silla de ruedas", ""), ("las personas autistas", ""), ("las personas mayores", ""),
    ("los ateos", ""),
)  # fmt: skip

# Attacks on a group without a swear word: (verb phrase after the plural group, its negation, is it a threat).
# No adjective or participle that inflects for gender: every phrase must agree with every group.
ATTACKS = (
    ("son un cáncer para la sociedad", "no son un cáncer para la sociedad", False),
    ("son peores que los animales", "no son peores que nadie", False),
    ("no deberían tener ningún derecho en este país", "deberían tener los mismos derechos que todo el mundo", False),
    ("tendrían que largarse de este país cuanto antes", "no tienen que irse de ningún sitio", True),
    ("se reproducen como ratas", "no se reproducen como ratas", False),
    ("lo destrozan todo allá donde van", "no destrozan nada", False),
    ("mienten en cuanto les conviene", "dicen la verdad igual que cualquiera", False),
    ("son un peligro para la gente decente", "no son un peligro para nadie", False),
    ("no deberían acercarse a nuestros hijos", "no son ningún peligro para los niños", False),
    ("son menos inteligentes que los demás", "son igual de inteligentes que los demás", False),
    ("tendrían que desaparecer de la faz de la tierra", "no tienen que desaparecer de ningún sitio", True),
    ("deberían pudrirse en la cárcel", "no tienen por qué ir a la cárcel", True),
    ("nunca serán de aquí por muchos papeles que tengan", "son de aquí como cualquiera", False),
    ("viven de robar y engañar", "viven de su trabajo como todo el mundo", False),
    ("deberían tener prohibido trabajar de cara al público", "pueden trabajar donde quieran", False),
    ("se merecen cada paliza que les den", "no merecen que nadie les haga daño", True),
    ("nunca estarán a nuestra altura", "están a nuestra altura", False),
    ("no merecen tener voz en este país", "merecen tener voz como cualquiera", False),
    ("no merecen ninguna confianza", "merecen la misma confianza que cualquiera", False),
    ("no son personas de verdad, no como nosotros", "son personas como nosotros", False),
    ("nunca han aportado nada a este país", "han aportado mucho a este país", False),
    ("no valen nada", "valen tanto como cualquiera", False),
    ("han empeorado este barrio", "han mejorado este barrio", False),
)  # fmt: skip

# First-person threats against a group: {g} is the group, with its article.
THREATS = (
    "Me voy a encargar de que {g} no vuelvan a pisar esta calle nunca más.",
    "Como vea a {g} cerca de mi casa, les parto las piernas.",
    "Vamos a echar a {g} de este pueblo, por las buenas o por las malas.",
    "Un día de estos iremos a por {g}, y lo van a pagar caro.",
)  # fmt: skip

# How an attack is said: {S} the attack as a sentence, {s} the same mid-sentence, {g}/{G} the group; {they} the
# attack's verb phrase alone (Spanish drops the pronoun), for a sentence that refers back to the group.
ATTACK_FRAMES = (
    "{S}.", "Sinceramente, {s}.", "Seamos realistas: {s}.", "Todo el mundo sabe que {s}.",
    "¿Soy el único que piensa que {s}?", "Hay que asumirlo: {s}.", "Lo siento, pero {s}.", "Yo lo tengo claro: {s}.",
    "A ver, {s}, y punto.", "Todos conocemos a {g} de por aquí. {they}.",
    "Mira cómo está el barrio desde que llegaron {g}. {they}.",
    "¿Por qué será que {s}?", "Creo sinceramente que {s}.",
)  # fmt: skip

# Benign verb phrases after the plural group: neutral and positive.
BENIGN = (
    "viven en todas partes del país", "participaron en la encuesta del año pasado",
    "tienen su propio centro cultural en el barrio", "fueron el tema del documental",
    "representan una parte cada vez mayor de la población activa", "votan en todas las elecciones",
    "han aportado muchísimo a esta ciudad", "siempre tendrán un sitio en nuestro colegio",
    "merecen el mismo respeto que cualquiera", "llevan varias de las mejores tiendas de esta calle",
    "organizaron la carrera solidaria de este año", "forman parte de nuestra historia",
)  # fmt: skip

# An attack denied outright: {neg} the attack's negation, {s} the attack mid-sentence, {g}/{G} the group.
DENIAL_FRAMES = ("{G} {neg}.", "No, {g} {neg}.", "Que quede claro: {g} {neg}.")

# Benign sentences around a group that use the words of hate: denial, support, counter-speech. {S}/{s}: an attack
# sentence being quoted or denied; {neg}: a negated attack's verb phrase; {g}: the group.
BENIGN_FRAMES = (
    "{G} {neg}.", "No es verdad eso de que {s}.", "Denuncié el comentario «{S}» porque incita al odio.",
    "Mi tío no para de decir «{S}» y ya estoy harto de discutir con él.",
    "No tengo nada en contra de {g}.", "En mi familia nadie odia a {g}.", "Acosar a {g} en internet es de cobardes.",
    "Odiar a {g} no es una opinión, es un prejuicio.", "El informe cita «{S}» como ejemplo típico de discurso de odio.",
)  # fmt: skip

# A person described by an identity (singular, masculine, after "es"), and sentences about him.
PERSON = (
    "gay", "bisexual", "trans", "musulmán", "judío", "cristiano", "hindú", "sij", "negro", "asiático", "gitano",
    "inmigrante", "un refugiado", "sordo", "ciego", "autista", "mexicano", "ateo",
    "homosexual", "heterosexual", "queer", "católico", "budista", "árabe", "chino", "nigeriano", "sirio", "latino",
)  # fmt: skip
PERSON_FRAMES = (
    "Mi hermano es {x}.", "Nuestro nuevo jefe es {x} y hace muy bien su trabajo.", "El autor del libro es {x}.",
    "Mi vecino es {x} y nos ayudó con la mudanza.", "Mi compañero nos contó en clase que es {x}.", "Mi padre es {x}.",
)  # fmt: skip

# A woman described by an identity (singular, feminine, after "es"), and sentences about her.
PERSON_F = (
    "lesbiana", "bisexual", "trans", "queer", "musulmana", "judía", "cristiana", "hindú", "sij", "negra",
    "asiática", "gitana", "inmigrante", "una refugiada", "sorda", "ciega", "autista", "mexicana", "atea",
    "feminista", "latina",
)  # fmt: skip
PERSON_F_FRAMES = (
    "Mi hermana es {x}.", "Nuestra nueva médica es {x} y es maravillosa con los pacientes.",
    "La cantante que ganó anoche es {x}.", "Mi mejor amiga es {x} y se casa en junio.",
    "Les contó a sus compañeros de trabajo que es {x}.", "Mi madre es {x}.",
)  # fmt: skip

# The speaker's own identity after "soy": first-person sentences, filled with either list's forms.
SELF_FRAMES = (
    "Soy {x} y vivo en esta ciudad desde hace veinte años.", "Hola, soy {x} y es mi primer mensaje en este foro.",
    "Soy {x}, así que este tema me importa.", "Soy {x} y trabajo en un hospital.",
    "Sí, soy {x}. Eso no tiene nada que ver con la edición.", "Soy {x} y tengo dos hijos.",
    "Gracias por la corrección; por cierto, yo también soy {x}.",
)  # fmt: skip

# First-person hostility to a group without a swear word, and a benign sentence of the same shape: (hostile,
# benign), {g} the group as an object.
ATTITUDES = (
    ("Nunca podré respetar a {g}.", "Siempre he respetado a {g}."),
    ("Yo nunca contrataría a {g}, ni loco.", "Contrataría a {g} sin dudarlo."),
    ("No quiero a {g} cerca de mis hijos.", "Me alegra que mis hijos conozcan a {g} del barrio."),
    ("Jamás dejaría entrar a {g} en mi casa.", "Invito a menudo a {g} del barrio a cenar."),
    ("Nunca aceptaré a {g} en mi familia.", "Recibiría a {g} en mi familia con gusto."),
    ("Prefiero mudarme antes que tener a {g} de vecinos.", "Me encantaría tener a {g} de vecinos."),
    ("Todo iba mejor aquí antes de que llegaran {g}.", "Aquí hay más vida desde que llegaron {g}."),
)  # fmt: skip
