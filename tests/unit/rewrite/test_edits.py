"""`Edit`: what deleting or replacing a span does to a sentence, and where it refuses to leave a broken one."""

import pytest

from cleanspeech.rewrite.edits import Edit


@pytest.mark.parametrize(
    "text, edit, expected",
    [
        ("fuck , he was back home .", Edit(0, 4, "", 0.0), "he was back home ."),
        ("Damn, he was back home.", Edit(0, 4, "", 0.0), "He was back home."),
        ("You are an idiot.", Edit(11, 16, "", 0.0), None),  # "You are." would be a broken sentence
        ("this is a fucking mess", Edit(10, 17, "", 0.0), "this is a mess"),
        ("what an idiot move", Edit(8, 13, "", 0.0), "what a move"),
        ("You are a idiot", Edit(10, 15, "apple", 0.0), "You are an apple"),
        ("so, fuck, that works", Edit(4, 8, "", 0.0), "so, that works"),
        ("Stop it, you idiot.", Edit(13, 18, "", 0.0), "Stop it, you."),
        ("Stop it, idiot.", Edit(9, 14, "", 0.0), "Stop it."),
        ("thats all the garbage you can come up with", Edit(14, 21, "", 0.0), None),  # not "all the you can"
        ("the stupid idea was yours", Edit(4, 10, "", 0.0), "the idea was yours"),  # the article keeps its noun
        ("all the garbage you’re doing", Edit(8, 15, "", 0.0), None),  # a pronoun, however it is spelt
        ("all the garbage u can", Edit(8, 15, "", 0.0), None),
        ("the damn so-called expert", Edit(4, 8, "", 0.0), "the so-called expert"),  # a hyphenated word is a word
        ("the damn but-for test", Edit(4, 8, "", 0.0), "the but-for test"),  # not a stranded "but"
        ("all the\tgarbage\tyou", Edit(8, 15, "", 0.0), None),
        ("not a fucking one of them", Edit(6, 13, "", 0.0), "not a one of them"),  # "a" by sound: not "an one"
        ("an idiotic university", Edit(3, 11, "", 0.0), "a university"),
        ("a fucking hour late", Edit(2, 9, "", 0.0), "an hour late"),
        ("a stupid unimportant detail", Edit(2, 8, "", 0.0), "an unimportant detail"),
        ("an idiotic utopia", Edit(3, 10, "", 0.0), "a utopia"),
        ("an idiotic onerous task", Edit(3, 10, "", 0.0), "an onerous task"),
        ("He is not an idiot.", Edit(10, 18, "", 0.0), None),  # "He is not." turns the meaning round
        ("You're an idiot, John.", Edit(7, 15, "", 0.0), None),  # not "You're, John."
        ("Stop being morons.", Edit(11, 17, "", 0.0), None),
        ("He's an idiot.", Edit(5, 13, "", 0.0), None),
        ("Women are stupid and lazy.", Edit(10, 16, "", 0.0), "Women are lazy."),  # not "Women are and lazy."
        ("They are lazy and stupid.", Edit(18, 24, "", 0.0), "They are lazy."),  # not "They are lazy and."
        ("You are a stupid and lazy person.", Edit(10, 16, "", 0.0), "You are a lazy person."),
        ("Stupid and lazy people.", Edit(0, 6, "", 0.0), "Lazy people."),
        ("You idiot and your friends lied.", Edit(4, 9, "", 0.0), "You and your friends lied."),  # a conjunct stays
        ("Tom and stupid Jerry", Edit(8, 14, "", 0.0), "Tom and Jerry"),
        ("They are lazy & stupid.", Edit(16, 22, "", 0.0), "They are lazy."),
        ("He is not stupid but lazy.", Edit(10, 16, "", 0.0), None),  # not "He is not lazy."
        ("It's bullshit and you know it.", Edit(5, 13, "", 0.0), None),  # not "It's you know it."
        ("He's a moron and a liar.", Edit(7, 12, "", 0.0), "He's a liar."),  # not "He's an a liar."
        ("You left. Idiots and cowards.", Edit(10, 16, "", 0.0), "You left. Cowards."),
        ("You are not an idiot but a fool.", Edit(15, 20, "", 0.0), None),  # not "You are not a fool."
        ("You are a loser and always will be.", Edit(8, 15, "", 0.0), None),  # not "You are always will be."
        ("He is both stupid and lazy.", Edit(11, 17, "", 0.0), None),  # not "He is both and lazy."
        ("Is he stupid and lazy?", Edit(6, 12, "", 0.0), "Is he lazy?"),  # not "Is he and lazy?"
        ("Are your friends stupid or lazy?", Edit(17, 23, "", 0.0), "Are your friends lazy?"),
        ("Isn't he stupid and lazy?", Edit(9, 15, "", 0.0), None),  # a negated question is left whole
        ("Is he and his stupid friend here?", Edit(14, 20, "", 0.0), "Is he and his friend here?"),
        ("I don't give a shit and never will.", Edit(8, 19, "", 0.0), "I don't and never will."),
        ('I said "Idiots and cowards" loudly.', Edit(8, 14, "", 0.0), 'I said "cowards" loudly.'),
        # initialisms are read letter by letter; capitals for emphasis are words
        ("a fucking FBI agent", Edit(2, 10, "", 0.0), "an FBI agent"),
        ("an idiotic UFO story", Edit(3, 11, "", 0.0), "a UFO story"),
        ("a damn X-ray", Edit(2, 7, "", 0.0), "an X-ray"),
        ("a damn NATO ally", Edit(2, 7, "", 0.0), "a NATO ally"),  # an acronym read as a word
        ("a fucking LGBTQ group", Edit(2, 10, "", 0.0), "an LGBTQ group"),
        ("a fucking UGLY lie", Edit(2, 10, "", 0.0), "an UGLY lie"),
        ("an idiotic STRONG man", Edit(3, 11, "", 0.0), "a STRONG man"),
        ("YOU ARE AN IDIOTIC SPRING CHICKEN", Edit(11, 18, "", 0.0), "YOU ARE A SPRING CHICKEN"),
        ("YOU ARE A STUPID IDIOT", Edit(10, 16, "", 0.0), "YOU ARE AN IDIOT"),
        ("A STUPID IDIOT", Edit(2, 8, "", 0.0), "AN IDIOT"),
        ("An idiot FBI agent did this.", Edit(3, 9, "", 0.0), "An FBI agent did this."),  # a sentence's "A" is no shout
        ("A stupid UFO story.", Edit(2, 8, "", 0.0), "A UFO story."),
        ("An idiot EVIL plan.", Edit(3, 9, "", 0.0), "An EVIL plan."),
        ("a stupid SPY", Edit(2, 8, "", 0.0), "a SPY"),  # an acronym with Y for its vowel is a word
        ("a stupid HOUR", Edit(2, 8, "", 0.0), "an HOUR"),
        ("a fucking Euler diagram", Edit(2, 10, "", 0.0), "an Euler diagram"),
    ],
)
def test_edits_repair_spacing_commas_articles_and_capitals(text, edit, expected):
    assert edit.apply(text) == expected
