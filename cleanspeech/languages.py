"""Which language a comment is in: one detector for the package (the ensemble's routing, the CLI, the app, the
service's Perspective answers).

Detection uses py3langid (langid.py's model, shipped inside the package: no download), restricted to candidate
languages and normalised to probabilities. The best language wins when it is both likely enough
(`MIN_CONFIDENCE`) and clearly ahead of the next (`MIN_LEAD`); otherwise the answer is `und`, as Perspective
answers when detection fails. Short comments are where detectors go wrong.

Restricted to the candidates, the detector must pick one of them even for text in none of them: Arabic was read as
English (0.70). So the text is read over every language the model knows, and where it is clearly in another one, no
candidate is more likely than another: the answer is `und`, and the ensemble gives such a comment its default
weights, fitted for languages it has no weights for. "Clearly" depends on the script. In letters other than Latin,
one language outside the candidates with `FOREIGN_CONFIDENCE` and `FOREIGN_LEAD` times the candidates' mass is
enough. Latin letters need more: read over every language, short Latin-script sentences are often taken, surely, for
a language that shares their words ("I am a Nigerian woman." for Nigerian Pidgin, 0.95; "Women are d i s g u s t i
n g." for Kabyle, 0.91), so such a text must also hold `LATIN_MIN_WORDS` words of two letters or more and its other
language `LATIN_FOREIGN_CONFIDENCE`. Of the 143,129 labelled comments in the seven other languages, the rules set
aside 48, all in languages outside the eight: 40 in Latin letters (Catalan among the Spanish, Azerbaijani among the
Turkish, Galician among the Portuguese) and 8 in other scripts (Ukrainian, Belarusian and Mongolian among the
Russian); of the 45,437 harvested Jigsaw training comments 2 (Greek, Bulgarian), of the 1,027 scored Jigsaw test
comments 7 (Arabic, Urdu, Thai, Korean, Vietnamese), of the 18,259 validation comments 2 (Albanian and Vietnamese
among the English); of the identity templates and the functional suite, none. At 0.9 instead of 0.99, English was
taken for another language ("lil wayn is soo gay ! .": Somali, 0.95), which the service would refuse to score. They
caught 11 of 12 sentences in other scripts (Arabic, Chinese, Japanese, Korean, Hindi, Greek, Hebrew, Ukrainian; not
Macedonian, 0.49) and 16 of 24 in Latin letters (Dutch, Polish, Swedish, Czech, Romanian, Hungarian, Finnish,
Vietnamese; not Danish or Indonesian, whose probability py3langid shares with Norwegian and Malay, nor three short
Dutch, Polish and Czech ones at 0.86 to 0.98): those are still read as the nearest candidate.

py3langid was chosen over lingua-language-detector after trying both on short comments: lingua read "I am a gay
man" as Turkish, py3langid as English (0.96), with a third of the memory (130 MB against 370 MB).
"""

import re
import unicodedata
from functools import lru_cache

UNDETERMINED = "und"
MIN_CONFIDENCE = 0.2  # langid's normalised probability over the candidates ("you idiot": en 0.24, pt 0.16)
MIN_LEAD = 1.25  # the best language's probability over the runner-up's ("nice": en 0.23, it 0.20 -> und)
# Text is in a language outside the candidates where, read over every language, one outside them has at least this
# probability ("مرحبا أيها الأحمق": Arabic 0.72; "I am a gay man": English 0.28, none outside over 0.16) ...
FOREIGN_CONFIDENCE = 0.5
FOREIGN_LEAD = 10.0  # ... and at least this many times the candidates' together ("你是个白痴": Chinese 0.75, 0.00)
# In Latin letters, the other language needs this probability and the text this many words of two letters or more:
# "Je bent een ontzettende idioot en niemand wil jou hier hebben." is Dutch (1.00); English comments in capitals,
# repeated words or wiki markup reach 0.5 to 0.96 for some language of few speakers ("cunt cunt cunt cunt": Latin).
LATIN_FOREIGN_CONFIDENCE = 0.99
LATIN_MIN_WORDS = 5
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more: "d i s g u s t i n g" is not ten words
_NO_LANGUAGE = "zxx"  # langid's class for text without words (links, numbers): not another language
# The languages of CleanSpeech's training and evaluation data: the default candidates.
KNOWN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "tr", "ru")
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
                  "pt": "Portuguese", "tr": "Turkish", "ru": "Russian", UNDETERMINED: "undetermined"}  # fmt: skip


class LanguageDetector:
    def __init__(self, candidates=KNOWN_LANGUAGES):
        self.identifier = _identifier()  # every language it knows
        known = set(self.identifier.nb_classes)
        self.candidates = sorted({code for code in candidates if code in known})
        self._candidates = frozenset(self.candidates)

    def detect(self, text: str) -> str:
        return self.detect_with_confidence(text)[0]

    def identify(self, text: str) -> str:
        """`detect`, but a text clearly in a language outside the candidates is named ("ar"), not `und`: what a
        service answers a client whose comment is in a language it does not serve."""
        return self.identify_reading(text)[0]

    def identify_reading(self, text: str) -> tuple[str, str | None, dict[str, float]]:
        """`identify` with the reading it came from: (the language named, the other language `text` is clearly in
        or None, each candidate's probability), for a caller that weighs the candidates too."""
        other, probabilities = self.read(text)
        return other or decide(probabilities)[0], other, probabilities

    def detect_with_confidence(self, text: str) -> tuple[str, float]:
        """(language or `und`, the best language's normalised probability among the candidates)."""
        other, probabilities = self.read(text)
        return (UNDETERMINED, 0.0) if other else decide(probabilities)

    def probabilities(self, text: str) -> dict[str, float]:
        """Each candidate language's normalised probability (they sum to 1), most likely first; all equal where the
        text is in another language (`other_language`)."""
        return self.read(text)[1]

    def other_language(self, text: str) -> str | None:
        """The language outside the candidates that `text` is clearly in, if any (read over every language)."""
        return self.read(text)[0]

    def read(self, text: str) -> tuple[str | None, dict[str, float]]:
        """One read over every language: (the other language `text` is clearly in, or None; each candidate's
        probability). The candidates' probabilities over every language, normalised to sum to 1, are those of a
        model restricted to them (a softmax over a subset), to 1e-6, so one read serves both."""
        ranked = self.identifier.rank(text)
        inside = {code: p for code, p in ranked if code in self._candidates}  # most likely first, as ranked
        total = sum(inside.values())
        code, p = next(((c, p) for c, p in ranked if c not in self._candidates and c != _NO_LANGUAGE), (None, 0.0))
        other = code if p >= FOREIGN_LEAD * total and _clearly_another(text, p) else None
        if other or total <= 0:  # no evidence for any candidate: none more likely than another
            return other, dict.fromkeys(self.candidates, 1 / max(len(self.candidates), 1))
        return None, {code: float(p) / total for code, p in inside.items()}


def _clearly_another(text: str, p: float) -> bool:
    """Whether the best language outside the candidates, at probability `p`, is surely the language of `text`."""
    if not _mostly_latin(text):
        return p >= FOREIGN_CONFIDENCE
    return p >= LATIN_FOREIGN_CONFIDENCE and len(_WORD.findall(text)) >= LATIN_MIN_WORDS


def _mostly_latin(text: str) -> bool:
    """Whether most of the letters in `text` are Latin (or it has none). Read over every language, short Latin-script
    sentences are often taken for a language that shares their words or spelling, surely: "I am a Nigerian woman."
    for Nigerian Pidgin (0.95), "Women are d i s g u s t i n g." for Kabyle (0.91); in a script of their own, they
    are not."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"))
    return 2 * latin >= len(letters)


def decide(probabilities: dict[str, float]) -> tuple[str, float]:
    """(the most likely language, or `und` where it is not likely enough or not clearly ahead; its probability)
    from `LanguageDetector.probabilities`."""
    ranked = sorted(probabilities.items(), key=lambda item: -item[1])
    if not ranked:
        return UNDETERMINED, 0.0
    (best, p_best), p_next = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)  # one candidate: nothing to beat
    return (best if p_best >= MIN_CONFIDENCE and p_best >= MIN_LEAD * p_next else UNDETERMINED), p_best


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's model, loaded once per process (about a second) and shared by every detector: it only reads."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detectable_languages() -> frozenset[str]:
    """Every language code the detector's model knows (a candidate outside them could never be detected)."""
    return frozenset(_identifier().nb_classes) - {_NO_LANGUAGE}


@lru_cache(maxsize=4)
def default_detector(candidates: tuple[str, ...] = KNOWN_LANGUAGES) -> LanguageDetector:
    """A detector over `candidates`, built once per process (loading the model takes a second)."""
    return LanguageDetector(candidates)


def detect_language(text: str, candidates: tuple[str, ...] = KNOWN_LANGUAGES) -> str:
    """The language code of `text` among `candidates`, or `und` when no language is clearly ahead."""
    return default_detector(candidates).detect(text)


def detect_language_with_confidence(text: str, candidates: tuple[str, ...] = KNOWN_LANGUAGES) -> tuple[str, float]:
    """`detect_language`'s answer and how sure the detector is of it (the best candidate's probability)."""
    return default_detector(candidates).detect_with_confidence(text)


def language_probabilities(text: str, candidates: tuple[str, ...] = KNOWN_LANGUAGES) -> dict[str, float]:
    """Each of `candidates`' probability of being the language of `text` (normalised: they sum to 1)."""
    return default_detector(candidates).probabilities(text)
