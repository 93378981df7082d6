"""Language detection: a text in none of the candidate languages is not forced into one of them."""

import pytest

from cleanspeech.languages import KNOWN_LANGUAGES, LanguageDetector, detect_language, language_probabilities

OTHER = {"ar": "مرحبا أيها الأحمق، لا أحد يحبك", "zh": "你是个白痴，滚出去",
         "nl": "Je bent een idioot en niemand mag je", "pl": "Jesteś idiotą i nikt cię nie lubi",
         "sv": "Du är en idiot", "he": "אתה אידיוט"}  # fmt: skip
CANDIDATE = {"en": "I am a gay man", "de": "Halt die Klappe, du Idiot", "fr": "Je suis queer.",
             "pt": "Você é um idiota", "ru": "Ты просто идиот.", "tr": "Sen bir aptalsın"}  # fmt: skip


@pytest.mark.parametrize("code", sorted(OTHER))
def test_a_comment_in_another_language_is_undetermined_not_a_candidate(code):
    text = OTHER[code]
    assert detect_language(text) == "und"
    p = language_probabilities(text)  # no candidate more likely than another: the ensemble uses its default weights
    assert set(p) == set(KNOWN_LANGUAGES) and max(p.values()) == pytest.approx(min(p.values()))
    detector = LanguageDetector(KNOWN_LANGUAGES)
    assert detector.other_language(text) == code and detector.identify(text) == code  # named where it is asked for
    assert LanguageDetector([*KNOWN_LANGUAGES, code]).detect(text) == code  # a candidate once it is one


@pytest.mark.parametrize("code", sorted(CANDIDATE))
def test_the_candidate_languages_are_still_read_short_comments_included(code):
    detector = LanguageDetector(KNOWN_LANGUAGES)
    assert detector.other_language(CANDIDATE[code]) is None
    assert detect_language(CANDIDATE[code]) == detector.identify(CANDIDATE[code]) == code


def test_text_without_words_is_undetermined_and_not_another_language():
    detector = LanguageDetector(KNOWN_LANGUAGES)
    for text in ("https://t.co/bhhkx6cwcl 12345", "😀😀", ""):
        assert detector.other_language(text) is None and detector.identify(text) == "und"
