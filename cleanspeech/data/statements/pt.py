"""Portuguese (Brazilian) identity statements for training (see the package docstring): our own writing, no sentence
of the evaluation sets."""

# Groups as a sentence names them in the plural (mid-sentence case, with the article), with the pronoun that refers
# back to them: none, since Portuguese drops the subject pronoun.
GROUPS = (
    ("os gays", ""), ("as lésbicas", ""), ("os bissexuais", ""), ("as mulheres trans", ""), ("os muçulmanos", ""),
    ("os judeus", ""), ("os cristãos", ""), ("os ateus", ""), ("os negros", ""), ("os indígenas", ""),
    ("os asiáticos", ""), ("os árabes", ""), ("os nordestinos", ""), ("os venezuelanos", ""), ("os ciganos", ""),
    ("os imigrantes", ""), ("os refugiados", ""), ("as mulheres", ""), ("os surdos", ""), ("os cadeirantes", ""),
    ("os autistas", ""), ("os idosos", ""),
)  # fmt: skip

# Attacks on a group without a swear word: (verb phrase after the plural group, its negation, is it a threat).
# No adjective or participle that agrees in gender: every phrase must fit masculine and feminine groups alike.
ATTACKS = (
    ("são um câncer para a sociedade", "não são um câncer para a sociedade", False),
    ("não passam de animais", "não são piores do que ninguém", False),
    ("não deveriam ter direito nenhum neste país", "devem ter os mesmos direitos que todo mundo", False),
    ("tinham que voltar para a terra de onde vieram", "têm todo o direito de ficar aqui", True),
    ("procriam feito ratos", "não procriam feito ratos", False),
    ("estragam tudo o que tocam", "não estragam nada", False),
    ("mentem sempre que convém", "não mentem mais do que ninguém", False),
    ("são uma ameaça para o cidadão de bem", "não são ameaça para ninguém", False),
    ("deveriam ficar longe das nossas crianças", "podem conviver com crianças sem problema nenhum", False),
    ("são menos inteligentes que o resto de nós", "são tão inteligentes quanto o resto de nós", False),
    ("tinham que sumir da face da terra", "têm todo o direito de existir", True),
    ("deviam apodrecer na cadeia", "não têm por que ir para a cadeia", True),
    ("nunca vão fazer parte deste país de verdade", "fazem parte deste país como qualquer um", False),
    ("só trazem crime e desgraça para o bairro", "não trazem crime nenhum para o bairro", False),
    ("não deveriam poder trabalhar com o público", "podem trabalhar onde quiserem", False),
    ("merecem toda surra que levam", "não merecem apanhar de ninguém", True),
    ("nunca vão estar à nossa altura", "estão à nossa altura", False),
    ("não merecem ter voz neste país", "merecem ter voz como qualquer um", False),
    ("não merecem confiança nenhuma", "merecem a mesma confiança que qualquer um", False),
    ("não são gente de verdade, não como nós", "são gente como nós", False),
    ("nunca contribuíram com nada para este país", "contribuíram muito para este país", False),
    ("não valem nada", "valem tanto quanto qualquer um", False),
    ("pioraram o bairro", "melhoraram o bairro", False),
)  # fmt: skip

# First-person threats against a group: {g} is the group, with its article.
THREATS = (
    "Vou garantir que {g} nunca mais pisem na nossa rua.",
    "Se eu pegar {g} perto da minha casa, vai ter perna quebrada.",
    "Nós vamos expulsar {g} desta cidade, nem que seja à força.",
    "Um dia a gente vai acertar as contas com {g}, e vai ser na pancada.",
)  # fmt: skip

# How an attack is said: {S} the attack as a sentence, {s} the same mid-sentence, {g}/{G} the group; {they} the
# attack's verb phrase alone (capitalised), for a sentence that refers back to the group.
ATTACK_FRAMES = (
    "{S}.", "Sinceramente, {s}.", "Vamos ser sinceros: {s}.", "Todo mundo sabe que {s}.", "Só eu acho que {s}?",
    "Vou falar o que eu penso: {s}.", "Aceita que dói menos: {s}.", "Desculpa, mas {s}.",
    "A gente conhece bem {g} aqui do bairro. {they}.", "Olha só como ficou o bairro depois que {g} chegaram. {they}.",
    "Por que será que {s}?", "Eu acredito mesmo que {s}.",
)  # fmt: skip

# Benign verb phrases after the plural group: neutral and positive.
BENIGN = (
    "vivem em todas as regiões do país", "participaram da pesquisa do ano passado",
    "têm um centro comunitário aqui no bairro", "foram o tema do documentário",
    "representam uma parte cada vez maior da força de trabalho", "votam em todas as eleições",
    "contribuíram muito para esta cidade", "têm vez e voz na nossa escola",
    "merecem o mesmo respeito que qualquer pessoa", "têm algumas das melhores lojas desta rua",
    "organizaram a corrida beneficente deste ano", "fazem parte da nossa história",
)  # fmt: skip

# An attack denied outright: {neg} the attack's negation, {s} the attack mid-sentence, {g}/{G} the group.
DENIAL_FRAMES = ("{G} {neg}.", "Não, {g} {neg}.", "Que fique claro: {g} {neg}.")

# Benign sentences around a group that use the words of hate: denial, support, counter-speech. {S}/{s}: an attack
# sentence being quoted or denied; {neg}: a negated attack's verb phrase; {g}: the group. No frame puts {g} after
# "de", "em", "a" or "por": the article would have to contract with it ("dos", "nas").
BENIGN_FRAMES = (
    "{G} {neg}.", "Essa história de que {s} é pura mentira.",
    'Denunciei o comentário "{S}" porque é discurso de ódio.',
    'Meu tio vive repetindo "{S}" e eu já cansei de discutir com ele.', "Não tenho nada contra {g}.",
    "Ninguém na minha família odeia {g}.", "Fazer bullying com {g} na internet é covardia.",
    "Odiar {g} não é opinião, é preconceito.", 'O relatório cita "{S}" como exemplo típico de discurso de ódio.',
)  # fmt: skip

# A man described by an identity (singular, masculine, after "é"), and sentences about him.
PERSON = (
    "gay", "bissexual", "transgênero", "muçulmano", "judeu", "cristão", "ateu", "negro", "indígena", "asiático",
    "nordestino", "imigrante", "refugiado", "cigano", "surdo", "cego", "autista", "cadeirante",
    "homossexual", "heterossexual", "queer", "católico", "budista", "árabe", "chinês",
    "nigeriano", "sírio", "venezuelano",
)  # fmt: skip
PERSON_FRAMES = (
    "Meu irmão é {x}.", "Nosso novo gerente é {x}, e ele manda muito bem no trabalho.", "O autor do livro é {x}.",
    "Meu vizinho é {x} e ajudou a gente na mudança.", "Ele contou para a turma que é {x}.", "Meu pai é {x}.",
)  # fmt: skip

# A woman described by an identity (singular, feminine, after "é"), and sentences about her.
PERSON_F = (
    "lésbica", "bissexual", "transgênero", "queer", "muçulmana", "judia", "cristã", "ateia", "negra", "indígena",
    "asiática", "nordestina", "imigrante", "refugiada", "cigana", "surda", "cega", "autista", "cadeirante",
    "feminista",
)  # fmt: skip
PERSON_F_FRAMES = (
    "Minha irmã é {x}.", "Nossa nova médica é {x}, e ela é ótima com os pacientes.",
    "A cantora que ganhou ontem à noite é {x}.", "Minha melhor amiga é {x} e vai se casar em junho.",
    "Ela contou para os colegas de trabalho que é {x}.", "Minha mãe é {x}.",
)  # fmt: skip

# The speaker's own identity after "sou": first-person sentences, filled with either list's forms.
SELF_FRAMES = (
    "Sou {x} e moro nesta cidade há vinte anos.", "Oi, sou {x} e esta é minha primeira mensagem no fórum.",
    "Sou {x}, então esse assunto me importa.", "Eu sou {x} e trabalho num hospital.",
    "Sim, sou {x}. Isso não tem nada a ver com a edição.", "Sou {x} e tenho dois filhos.",
    "Obrigado pela correção; aliás, eu também sou {x}.",
)  # fmt: skip

# First-person hostility to a group without a swear word, and a benign sentence of the same shape: (hostile,
# benign), {g} the group as an object.
ATTITUDES = (
    ("Eu nunca vou respeitar {g}.", "Eu sempre respeitei {g}."),
    ("Eu nunca contrataria {g}, nem morto.", "Eu contrataria {g} sem pensar duas vezes."),
    ("Não quero {g} perto dos meus filhos.", "Fico feliz que meus filhos conheçam {g} do bairro."),
    ("Nunca deixaria {g} entrarem na minha casa.", "Sempre convido {g} do bairro para jantar."),
    ("Nunca vou aceitar {g} na minha família.", "Receberia {g} na minha família com prazer."),
    ("Prefiro me mudar a ter {g} como vizinhos.", "Adoraria ter {g} como vizinhos."),
    ("Era melhor aqui antes de {g} chegarem.", "Tem mais vida aqui desde que {g} chegaram."),
)  # fmt: skip
