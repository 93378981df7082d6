"""Language detection: a text in none of the candidate languages is not forced into one of them."""

import pytest

from cleanspeech.languages import (
    KNOWN_LANGUAGES,
    LanguageDetector,
    decide,
    default_detector,
    detect_language,
    language_probabilities,
)

OTHER = {"ar": "مرحبا أيها الأحمق، لا أحد يحبك", "zh": "你是个白痴，滚出去", "el": "Είσαι ηλίθιος",
         "uk": "Ти ідіот і ніхто тебе не любить", "he": "אתה אידיוט", "hi": "तुम बहुत मूर्ख हो"}  # fmt: skip
CANDIDATE = {"en": "I am a gay man", "de": "Halt die Klappe, du Idiot", "fr": "Je suis queer.",
             "pt": "Você é um idiota", "ru": "Ты просто идиот.", "tr": "Sen bir aptalsın"}  # fmt: skip


@pytest.fixture(scope="module")
def wider():
    """A detector that also serves the languages of OTHER: each is then a candidate like any other."""
    return LanguageDetector([*KNOWN_LANGUAGES, *OTHER])


@pytest.mark.parametrize("code", sorted(OTHER))
def test_a_comment_in_another_language_is_undetermined_not_a_candidate(code, wider):
    text, detector = OTHER[code], default_detector()
    assert detect_language(text) == "und" and detector.detect_with_confidence(text) == ("und", 0.0)
    p = language_probabilities(text)  # no candidate more likely than another: the ensemble uses its default weights
    assert set(p) == set(KNOWN_LANGUAGES) and max(p.values()) == pytest.approx(min(p.values()))
    assert detector.other_language(text) == code and detector.identify(text) == code  # named where it is asked for
    assert wider.detect(text) == code and wider.other_language(text) is None  # a candidate once it is one


@pytest.mark.parametrize("code", sorted(CANDIDATE))
def test_the_candidate_languages_are_still_read_short_comments_included(code):
    detector = default_detector()
    assert detector.other_language(CANDIDATE[code]) is None
    assert detect_language(CANDIDATE[code]) == detector.identify(CANDIDATE[code]) == code
    p = language_probabilities(CANDIDATE[code])
    assert sum(p.values()) == pytest.approx(1.0) and next(iter(p)) == code  # most likely first


def test_short_latin_script_sentences_are_never_set_aside_as_another_language():
    # Read over every language, these are surely Nigerian Pidgin (0.95) and Kabyle (0.91): a comment naming a group,
    # or spelling an insult out, would lose its language's weights.
    detector = default_detector()
    for text in ("I am a Nigerian woman.", "Women are d i s g u s t i n g.", "Je bent een idioot",
                 "cunt \n\ncunt cunt cunt cunt", "FUCK YOU CONSENSUS and FUCK YOU!"):  # fmt: skip
        assert detector.other_language(text) is None and detector.identify(text) in KNOWN_LANGUAGES


@pytest.mark.parametrize(
    ("code", "text"),
    [("nl", "Je bent een ontzettende idioot en niemand wil jou hier hebben."),
     ("pl", "Jesteś kompletnym idiotą i nikt cię tu nie chce."),
     ("sv", "Tack så mycket för artikeln, den var verkligen intressant."),
     ("hu", "Teljesen hülye vagy, és senki sem akar itt látni.")],
)  # fmt: skip
def test_a_sentence_in_latin_letters_surely_in_another_language_is_set_aside(code, text):
    detector = default_detector()
    assert detector.other_language(text) == detector.identify(text) == code and detect_language(text) == "und"
    assert LanguageDetector([*KNOWN_LANGUAGES, code]).detect(text) == code  # a candidate once it is one


def test_text_without_words_is_undetermined_and_not_another_language():
    detector = default_detector()
    for text in ("https://t.co/bhhkx6cwcl 12345", "😀😀", ""):
        assert detector.other_language(text) is None and detector.identify(text) == "und"


def test_a_detector_with_one_candidate_answers_it_or_names_the_other_language():
    detector = LanguageDetector(["en"])  # a service whose language table serves English alone
    assert detector.detect("This comment is written in plain English.") == "en"
    assert detector.identify(OTHER["ar"]) == "ar" and detector.detect(OTHER["ar"]) == "und"
    assert decide({}) == ("und", 0.0)
