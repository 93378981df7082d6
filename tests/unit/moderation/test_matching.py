"""Blocklist matching through the evasions people type, and never inside other words."""

import pytest

from cleanspeech.moderation.matching import find_phrases, mask_phrases

BLOCKLIST = ["idiot", "kill yourself", "f*ck", "ass"]


@pytest.mark.parametrize(
    "text, found",
    [
        ("you are an idiot", ["idiot"]),
        ("you are an 1d10t", ["idiot"]),  # leetspeak
        ("you are an i d i o t", ["idiot"]),  # spaced letters
        ("you are an i.d.i.o.t", ["idiot"]),
        ("you are an id-iot", ["idiot"]),  # a mark inside the word
        ("you are an iiiiidiooot", ["idiot"]),  # stretched letters
        ("you are an 𝐢𝐝𝐢𝐨𝐭", ["idiot"]),  # mathematical letters
        ("you are an іdіot", ["idiot"]),  # Cyrillic і inside a Latin word
        ("you are an id\u200biot", ["idiot"]),  # a zero-width space
        ("just KILL   YOUR-SELF", ["kill yourself"]),
        ("f**k this", ["f*ck"]),  # stars in the comment mask letters
        ("fuuuck this", ["f*ck"]),
        ("what an @ss", ["ass"]),
        ("my idiotic plan", []),  # whole words only
        ("a class of its own, assess it", []),
        ("I have 5 apples and 1 kid", []),  # digits outside words are not letters
        ("", []),
    ],
)
def test_blocklist_finds_evasions_and_only_whole_words(text, found):
    assert find_phrases(text, BLOCKLIST) == found


def test_allowlist_masks_a_word_in_any_case_and_length():
    assert mask_phrases("I am a GAAAY man, gay and proud", ["gay"]) == "I am a man, and proud"
    assert mask_phrases("Scunthorpe United", ["scunthorpe"]) == "United"
    assert mask_phrases("nothing to hide", ["gay"]) == "nothing to hide"
