"""Whether an attribute is served in a language: the per-attribute language table and its file.

Detection itself is the package's (`cleanspeech.languages`, py3langid): the service restricts it to the languages
some attribute is served in. Clients that know the language should send `languages`, and `--lenient-languages`
scores whatever the detector says.
"""

import json
from pathlib import Path

from ..errors import InputError
from ..languages import UNDETERMINED, LanguageDetector, detectable_languages
from .attributes import ATTRIBUTE_LABELS, DEFAULT_LANGUAGES, label_for

__all__ = ["UNDETERMINED", "LanguageDetector", "attribute_languages", "base_language", "load_language_table"]


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
    if empty := sorted(name for name, codes in given.items() if not codes):
        raise InputError(f"{path}: {', '.join(empty)} served in no language would refuse every comment; leave an "
                         "attribute out to keep its default languages")  # fmt: skip
    known = detectable_languages()
    if undetectable := sorted({code for codes in given.values() for code in codes if base_language(code) not in known}):
        raise InputError(f"{path}: the detector knows no language {', '.join(undetectable)}: use ISO 639-1 codes "
                         "such as en, de, pt-BR")  # fmt: skip
    # served per base language (requests and the detector's answers are compared by it): pt-BR serves pt
    table.update({name: list(dict.fromkeys(base_language(c) for c in codes)) for name, codes in given.items()})
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
