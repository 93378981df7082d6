"""Which language a comment is in, and whether an attribute is served in it.

Detection uses py3langid (langid.py's model, shipped inside the package: no download), restricted to the languages
some attribute is served in and normalised to probabilities. The best language wins when it is both likely enough
(`MIN_CONFIDENCE`) and clearly ahead of the next (`MIN_LEAD`); otherwise the answer is `und`, as Perspective
answers when detection fails. Short comments are where detectors go wrong: clients that know the language should
send `languages`, and `--lenient-languages` scores whatever the detector says.

py3langid was chosen over lingua-language-detector after trying both on short comments: lingua read "I am a gay
man" as Turkish, py3langid as English (0.96), with a third of the memory (130 MB against 370 MB).
"""

import json
from pathlib import Path

from ..errors import InputError
from .attributes import ATTRIBUTE_LABELS, DEFAULT_LANGUAGES, label_for

UNDETERMINED = "und"
MIN_CONFIDENCE = 0.2  # langid's normalised probability over the candidates ("you idiot": en 0.24, pt 0.16)
MIN_LEAD = 1.25  # the best language's probability over the runner-up's ("nice": en 0.23, it 0.20 -> und)


class LanguageDetector:
    def __init__(self, candidates: list[str]):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        known = set(self.identifier.nb_classes)
        self.candidates = sorted({code for code in candidates if code in known})
        self.identifier.set_languages(self.candidates)

    def detect(self, text: str) -> str:
        (best, p_best), (_, p_next) = self.identifier.rank(text)[:2]
        return best if p_best >= MIN_CONFIDENCE and p_best >= MIN_LEAD * p_next else UNDETERMINED


def load_language_table(path: str | Path | None) -> dict[str, list[str]]:
    """Languages per attribute: the defaults, with the attributes a JSON file names replaced by its lists."""
    table = {name: list(codes) for name, codes in DEFAULT_LANGUAGES.items()}
    if path is None:
        return table
    try:
        given = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the language table {path}: {err}") from None
    if not isinstance(given, dict) or not all(
        isinstance(codes, list) and all(isinstance(c, str) for c in codes) for codes in given.values()
    ):
        raise InputError(f"{path}: write a JSON object of attribute -> list of language codes, e.g. "
                         '{"TOXICITY": ["en", "de"]}')  # fmt: skip
    unknown = sorted(set(given) - set(ATTRIBUTE_LABELS))
    if unknown:
        raise InputError(f"{path}: unknown attribute(s) {', '.join(unknown)}; known: {', '.join(ATTRIBUTE_LABELS)}")
    table.update({name: [c.lower() for c in codes] for name, codes in given.items()})
    return table


def attribute_languages(table: dict[str, list[str]], name: str, proxies: dict[str, str]) -> list[str]:
    """The languages attribute `name` (an alias or a proxy included) is served in."""
    label = label_for(name, proxies)
    for attribute, attribute_label in ATTRIBUTE_LABELS.items():
        if attribute_label == label:
            return table[attribute]
    return []


def base_language(code: str) -> str:
    """`en-US` -> `en`, `pt_BR` -> `pt`: attributes are served per base language."""
    return code.replace("_", "-").split("-")[0].lower()
