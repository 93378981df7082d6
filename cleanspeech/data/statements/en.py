"""English identity statements for training (see the package docstring): our own writing, no sentence of the
evaluation sets."""

# Groups as a sentence names them in the plural (mid-sentence case), with the pronoun that refers back to them.
GROUPS = (
    ("gay men", "They"), ("lesbians", "They"), ("bisexual people", "They"), ("trans women", "They"),
    ("Muslims", "They"), ("Jews", "They"), ("Christians", "They"), ("Hindus", "They"), ("Sikhs", "They"),
    ("Black people", "They"), ("Asians", "They"), ("Arabs", "They"), ("Mexicans", "They"), ("Roma people", "They"),
    ("immigrants", "They"), ("refugees", "They"), ("women", "They"), ("deaf people", "They"),
    ("people in wheelchairs", "They"), ("autistic people", "They"), ("old people", "They"), ("atheists", "They"),
)  # fmt: skip

# Attacks on a group without a swear word: (verb phrase after the plural group, its negation, is it a threat).
ATTACKS = (
    ("are a cancer on society", "are not a cancer on society", False),
    ("are no better than animals", "are no worse than anyone else", False),
    ("should have no rights in this country", "should have the same rights as everyone", False),
    ("ought to be sent back where they came from", "should not be sent anywhere", True),
    ("breed like rats", "do not breed like rats", False),
    ("are ruining everything they touch", "are not ruining anything", False),
    ("lie the moment it suits them", "are as honest as anyone else", False),
    ("are a threat to decent people", "are not a threat to anyone", False),
    ("should be kept away from our children", "do not need to be kept away from children", False),
    ("are less intelligent than the rest of us", "are just as intelligent as the rest of us", False),
    ("need to be wiped off the face of the earth", "do not need to be removed from anywhere", True),
    ("belong behind bars, every one of them", "do not belong behind bars", True),
    ("will never be real citizens", "are real citizens", False),
    ("are all criminals and liars", "are not criminals or liars", False),
    ("must be banned from working with the public", "can work wherever they like", False),
    ("deserve whatever beating they get", "do not deserve to be hurt", True),
    ("will never be equal to the rest of us", "are equal to the rest of us", False),
    ("do not deserve a say in how this country is run", "deserve a say like every other citizen", False),
    ("cannot be trusted with anything important", "can be trusted like anyone else", False),
    ("are not really people, not like us", "are people like the rest of us", False),
    ("have never given this country a single thing", "have given this country a great deal", False),
    ("are not worth the air they breathe", "are worth as much as anyone", False),
    ("made this town worse the day they arrived", "made this town better when they arrived", False),
)  # fmt: skip

# First-person threats against a group: {g} is the group.
THREATS = (
    "I will make sure no {g} ever set foot on our street again.",
    "If I see any {g} near my house, I will break their legs.",
    "We are going to drive every last one of the {g} out of this town, by force if we must.",
    "One day we will round up the {g} and they will pay.",
)  # fmt: skip

# How an attack is said: {S} the attack as a sentence, {s} the same mid-sentence, {g}/{G} the group; {they} the
# attack's verb phrase after the group's pronoun, for a sentence that refers back to the group.
ATTACK_FRAMES = (
    "{S}.", "Honestly, {s}.", "Let's be real: {s}.", "Everybody knows that {s}.", "Am I the only one who thinks {s}?",
    "Face it, {s}.", "I'm sorry, but {s}.", "We all know the {g} around here. {they}.",
    "Look at how many {g} moved in. {they}.",
    "Why is it that {s}?", "I really believe {s}.",
)  # fmt: skip

# Benign verb phrases after the plural group: neutral and positive.
BENIGN = (
    "live in every part of the country", "took part in the survey last year", "have their own community centre here",
    "were the subject of the documentary", "make up a growing share of the workforce", "vote in every election",
    "have contributed so much to this city", "are welcome at our school", "deserve the same respect as anyone",
    "run several of the best shops on this street", "organised the charity run this year",
    "are part of our history",
)  # fmt: skip

# An attack denied outright: {neg} the attack's negation, {s} the attack mid-sentence, {g}/{G} the group.
DENIAL_FRAMES = ("{G} {neg}.", "No, {g} {neg}.", "I don't believe for a second that {s}.", "Let's be clear: {g} {neg}.")

# Benign sentences around a group that use the words of hate: denial, support, counter-speech. {S}/{s}: an attack
# sentence being quoted or denied; {neg}: a negated attack's verb phrase; {g}: the group.
BENIGN_FRAMES = (
    "{G} {neg}.", "It is simply false that {s}.", 'I reported the comment "{S}" because it is hateful.',
    'My uncle keeps saying "{S}" and I am tired of arguing with him.',
    "I have nothing against {g}.", "Nobody in my family hates {g}.", "Bullying {g} online is cowardly.",
    "Hating {g} is not an opinion, it is prejudice.", 'The report lists "{S}" as a typical hate slogan.',
)  # fmt: skip

# A person described by an identity (singular, after "is"), and sentences about them.
PERSON = (
    "a gay man", "a lesbian", "bisexual", "transgender", "Muslim", "Jewish", "a Christian", "a Sikh", "Black",
    "Asian", "an immigrant", "a refugee", "deaf", "blind", "autistic", "in a wheelchair", "Mexican", "an atheist",
    "queer", "Hindu", "Catholic", "Buddhist", "Arab", "Nigerian", "Chinese", "Polish", "disabled", "pansexual",
)  # fmt: skip
PERSON_FRAMES = (
    "My brother is {x}.", "Our new manager is {x}, and he is great at the job.", "The author of the book is {x}.",
    "My neighbour is {x} and he helped us move in.", "He told the class he is {x}.", "My father is {x}.",
)  # fmt: skip

# A woman described by an identity (after "is"), and sentences about her.
PERSON_F = (
    "a lesbian", "a gay woman", "bisexual", "a trans woman", "queer", "Muslim", "Jewish", "a Christian", "a Sikh",
    "Hindu", "Black", "Asian", "Arab", "Latina", "an immigrant", "a refugee", "deaf", "blind", "autistic",
    "in a wheelchair", "Nigerian", "an atheist", "a feminist", "disabled",
)  # fmt: skip
PERSON_F_FRAMES = (
    "My sister is {x}.", "Our new doctor is {x}, and she is wonderful with patients.",
    "The singer who won last night is {x}.", "My best friend is {x} and she is getting married in June.",
    "She told her colleagues she is {x}.", "My mother is {x}.",
)  # fmt: skip

# The speaker's own identity: first-person sentences, filled with either list's forms.
SELF_FRAMES = (
    "I'm {x}, and I have lived in this town for twenty years.", "I have been {x} all my life.",
    "Speaking as {x}, thank you for fixing the references.", "Hi, I'm {x} and new to this forum.",
    "I'm {x}, so this topic matters to me.", "I am {x} and I work at the hospital.",
    "Yes, I'm {x}. That has nothing to do with the edit.", "I'm {x} and happily married.",
)  # fmt: skip

# First-person hostility to a group without a swear word, and a benign sentence of the same shape: (hostile,
# benign), {g} the group as an object.
ATTITUDES = (
    ("I could never respect {g}.", "I have always respected {g}."),
    ("I would never hire {g}, not in a million years.", "I would hire {g} without a second thought."),
    ("I don't want {g} anywhere near my children.", "I'm glad my children have friends among {g}."),
    ("I would never let {g} into my home.", "I often have {g} from the neighbourhood over for dinner."),
    ("I will never accept {g} in my family.", "I would welcome {g} into my family."),
    ("I'd rather move away than live next to {g}.", "I'd be happy to live next to {g}."),
    ("Everything was better here before {g} moved in.", "There is more life here since {g} moved in."),
)  # fmt: skip
