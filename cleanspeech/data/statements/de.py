"""German identity statements for training (see the package docstring): our own writing, no sentence of the
evaluation sets."""

# Groups as a sentence names them in the plural (mid-sentence case), with the pronoun that refers back to them.
# No article: frames use {g} only where a bare plural (nominative or accusative) is right, so adjectives stay strong.
GROUPS = (
    ("schwule Männer", "Sie"), ("Lesben", "Sie"), ("bisexuelle Menschen", "Sie"), ("trans Frauen", "Sie"),
    ("Muslime", "Sie"), ("Juden", "Sie"), ("Christen", "Sie"), ("Hindus", "Sie"), ("Sikhs", "Sie"),
    ("Schwarze Menschen", "Sie"), ("Asiaten", "Sie"), ("Araber", "Sie"), ("Türken", "Sie"), ("Sinti und Roma", "Sie"),
    ("Einwanderer", "Sie"), ("Flüchtlinge", "Sie"), ("Frauen", "Sie"), ("gehörlose Menschen", "Sie"),
    ("Menschen im Rollstuhl", "Sie"), ("autistische Menschen", "Sie"), ("alte Menschen", "Sie"), ("Atheisten", "Sie"),
)  # fmt: skip

# Attacks on a group without a swear word: (verb phrase after the plural group, its negation, is it a threat).
ATTACKS = (
    ("sind ein Krebsgeschwür für die Gesellschaft", "sind kein Krebsgeschwür für die Gesellschaft", False),
    ("sind nicht besser als Tiere", "sind kein bisschen schlechter als alle anderen", False),
    ("sollten in diesem Land keine Rechte haben", "sollten dieselben Rechte haben wie alle anderen", False),
    ("sollten alle dahin zurückgeschickt werden, wo sie herkommen", "sollten nirgendwohin geschickt werden", True),
    ("vermehren sich wie die Karnickel", "vermehren sich nicht wie die Karnickel", False),
    ("machen alles kaputt, was sie anfassen", "machen überhaupt nichts kaputt", False),
    ("lügen, sobald es ihnen passt", "sind genauso ehrlich wie alle anderen", False),
    ("sind eine Gefahr für anständige Leute", "sind für niemanden eine Gefahr", False),
    ("müssen von unseren Kindern ferngehalten werden", "müssen nicht von Kindern ferngehalten werden", False),
    ("sind dümmer als der Rest von uns", "sind genauso klug wie der Rest von uns", False),
    ("müssen vom Erdboden verschwinden", "haben jedes Recht, hier zu leben", True),
    ("gehören hinter Gitter, und zwar alle", "gehören nicht hinter Gitter", True),
    ("werden nie wirklich dazugehören", "gehören genauso dazu wie alle anderen", False),
    ("sind allesamt kriminell und verlogen", "sind weder kriminell noch verlogen", False),
    ("sollten keine Jobs mit Kundenkontakt bekommen", "können arbeiten, wo sie wollen", False),
    ("haben jede Tracht Prügel verdient, die sie kriegen", "haben es nicht verdient, verletzt zu werden", True),
    ("werden uns nie ebenbürtig sein", "sind uns ebenbürtig", False),
    ("haben kein Mitspracherecht in diesem Land verdient", "haben dasselbe Mitspracherecht verdient wie alle", False),
    ("sind nicht vertrauenswürdig, keiner von ihnen", "sind genauso vertrauenswürdig wie alle anderen", False),
    ("sind keine richtigen Menschen, nicht so wie wir", "sind Menschen wie wir alle", False),
    ("haben diesem Land noch nie etwas gebracht", "haben diesem Land viel gegeben", False),
    ("sind die Luft nicht wert, die sie atmen", "sind genauso viel wert wie alle anderen", False),
    ("haben diese Stadt schlechter gemacht", "haben diese Stadt besser gemacht", False),
)  # fmt: skip

# First-person threats against a group: {g} is the group.
THREATS = (
    "Ich sorge persönlich dafür, dass sich in unserer Straße nie wieder {g} blicken lassen.",
    "Wenn ich {g} in der Nähe meines Hauses sehe, breche ich ihnen die Beine.",
    "Wir werden {g} aus dieser Stadt jagen, notfalls mit Gewalt.",
    "Eines Tages treiben wir {g} zusammen, und dann werden sie dafür bezahlen.",
)  # fmt: skip

# How an attack is said: {S} the attack as a sentence, {s} the same mid-sentence, {g}/{G} the group; {they} the
# attack's verb phrase after the group's pronoun, for a sentence that refers back to the group. {s} is a main clause
# (verb second), so it never follows "dass"; after a colon it starts a sentence and is written {S}.
ATTACK_FRAMES = (
    "{S}.", "Mal ehrlich: {S}.", "Ich sag's, wie es ist: {S}.", "Jeder weiß doch: {S}.", "Ich finde, {s}.",
    "{S}, oder etwa nicht?", "Sorry, aber {s}.", "Is halt so: {S}.",
    "Bei uns im Viertel wohnen immer mehr {g}. {they}.",
    "Schaut euch mal an, wie viele {g} hier inzwischen leben. {they}.",
    "Ich glaube wirklich: {S}.", "Warum traut sich keiner zu sagen: {S}?",
)  # fmt: skip

# Benign verb phrases after the plural group: neutral and positive.
BENIGN = (
    "leben in allen Teilen des Landes", "haben letztes Jahr an der Umfrage teilgenommen",
    "haben hier ein eigenes Gemeindezentrum", "standen im Mittelpunkt der Doku", "gehen bei jeder Wahl wählen",
    "stellen einen wachsenden Anteil der Beschäftigten", "haben so viel für diese Stadt getan",
    "sind an unserer Schule willkommen", "verdienen denselben Respekt wie alle anderen",
    "führen einige der besten Läden in dieser Straße", "haben dieses Jahr den Spendenlauf organisiert",
    "gehören zu unserer Geschichte",
)  # fmt: skip

# An attack denied outright: {neg} the attack's negation, {s} the attack mid-sentence, {g}/{G} the group.
DENIAL_FRAMES = ("{G} {neg}.", "Nein, {g} {neg}.", "Damit das klar ist: {G} {neg}.")

# Benign sentences around a group that use the words of hate: denial, support, counter-speech. {S}/{s}: an attack
# sentence being quoted or denied; {neg}: a negated attack's verb phrase; {g}: the group.
BENIGN_FRAMES = (
    "{G} {neg}.", "„{S}“? Das ist schlicht falsch.", "Ich habe den Kommentar „{S}“ gemeldet, weil das Hetze ist.",
    "Mein Onkel sagt ständig „{S}“, und ich habe keine Lust mehr, mit ihm zu streiten.",
    "Ich habe nichts gegen {g}.", "In meiner Familie hasst niemand {g}.", "Wer {g} im Netz mobbt, ist ein Feigling.",
    "{G} zu hassen ist keine Meinung, sondern ein Vorurteil.",
    "Im Bericht wird „{S}“ als typische Hassparole aufgeführt.",
)  # fmt: skip

# A person described by an identity (singular, masculine, after "ist"), and sentences about him.
PERSON = (
    "schwul", "bisexuell", "trans", "Muslim", "Jude", "Christ", "Sikh", "Hindu", "Asiate", "Araber", "Türke",
    "Einwanderer", "ein Flüchtling", "gehörlos", "blind", "Autist", "Rollstuhlfahrer", "Atheist",
    "queer", "homosexuell", "katholisch", "Buddhist", "Pole", "Nigerianer", "Syrer", "Kurde", "behindert",
)  # fmt: skip
PERSON_FRAMES = (
    "Mein Bruder ist {x}.", "Unser neuer Chef ist {x}, und er macht seinen Job richtig gut.",
    "Der Autor des Buches ist {x}.", "Mein Nachbar ist {x} und hat uns beim Umzug geholfen.",
    "Er hat der Klasse erzählt, dass er {x} ist.", "Mein Vater ist {x}.",
)  # fmt: skip

# A woman described by an identity (singular, feminine, after "ist"), and sentences about her.
PERSON_F = (
    "lesbisch", "bisexuell", "trans", "queer", "Muslimin", "Jüdin", "Christin", "Sikh", "Hindu", "Asiatin",
    "Araberin", "Türkin", "Polin", "Einwanderin", "geflüchtet", "gehörlos", "blind", "Autistin",
    "Rollstuhlfahrerin", "Atheistin", "Feministin", "behindert",
)  # fmt: skip
PERSON_F_FRAMES = (
    "Meine Schwester ist {x}.", "Unsere neue Ärztin ist {x}, und sie ist wunderbar zu den Patienten.",
    "Die Sängerin, die gestern gewonnen hat, ist {x}.", "Meine beste Freundin ist {x} und heiratet im Juni.",
    "Sie hat ihren Kollegen erzählt, dass sie {x} ist.", "Meine Mutter ist {x}.",
)  # fmt: skip

# The speaker's own identity after "ich bin": first-person sentences, filled with either list's forms.
SELF_FRAMES = (
    "Ich bin {x} und wohne seit zwanzig Jahren in dieser Stadt.", "Ich bin schon mein ganzes Leben lang {x}.",
    "Hallo, ich bin {x} und neu in diesem Forum.", "Ich bin {x}, deshalb ist mir dieses Thema wichtig.",
    "Ich bin {x} und arbeite in einem Krankenhaus.", "Ja, ich bin {x}. Das hat mit der Änderung nichts zu tun.",
    "Ich bin {x} und glücklich verheiratet.", "Danke für die Korrektur, ich bin übrigens selbst {x}.",
)  # fmt: skip

# First-person hostility to a group without a swear word, and a benign sentence of the same shape: (hostile,
# benign), {g} the group as an object.
ATTITUDES = (
    ("Ich könnte {g} niemals respektieren.", "Ich habe {g} immer respektiert."),
    ("Ich würde niemals {g} einstellen, nicht in hundert Jahren.", "Ich würde {g} ohne zu zögern einstellen."),
    ("Ich will {g} nicht in der Nähe meiner Kinder haben.", "Ich finde es schön, wenn meine Kinder {g} kennenlernen."),
    ("Ich würde {g} nie in mein Haus lassen.", "Ich lade {g} aus der Nachbarschaft gern zum Essen ein."),
    ("Ich werde {g} nie in meiner Familie akzeptieren.", "Ich würde {g} in meiner Familie herzlich aufnehmen."),
    ("Lieber ziehe ich weg, als {g} als Nachbarn zu haben.", "Ich hätte gern mehr {g} als Nachbarn."),
    ("Seit {g} hier wohnen, ist alles schlechter geworden.", "Seit {g} hier wohnen, ist das Viertel lebendiger."),
)  # fmt: skip
