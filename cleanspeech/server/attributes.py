"""Perspective's attribute names, the labels that answer them, and the languages each one is served in.

The six production attributes are our six labels. `*_EXPERIMENTAL` names are aliases of the same label. Attributes
no CleanSpeech model predicts (SEXUALLY_EXPLICIT, FLIRTATION, ...) are refused with Perspective's unknown-attribute
error unless the operator declares a proxy label for them (`--proxy SEXUALLY_EXPLICIT=obscene`), and every answer
then names the proxies in the `X-CleanSpeech-Attribute-Proxies` header.
"""

import re

from ..errors import InputError
from ..labels import LABELS

ATTRIBUTE_LABELS = {
    "TOXICITY": "toxic",
    "SEVERE_TOXICITY": "severe_toxic",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "INSULT": "insult",
    "IDENTITY_ATTACK": "identity_hate",
}
EXPERIMENTAL_SUFFIX = "_EXPERIMENTAL"

# Languages each attribute is served in by default: those with labelled training data for its label in the shipped
# models (Jigsaw for English; GermEval, ToLD-Br and MLMA for German, Portuguese and French), plus the languages the
# multilingual evaluation covers for toxicity. Operators widen or narrow this with `--languages FILE`.
DEFAULT_LANGUAGES = {
    "TOXICITY": ["en", "de", "fr", "es", "it", "pt", "ru", "tr"],
    "SEVERE_TOXICITY": ["en"],
    "PROFANITY": ["en", "de", "pt"],
    "THREAT": ["en"],
    "INSULT": ["en", "de", "es", "pt"],
    "IDENTITY_ATTACK": ["en", "de", "fr", "es", "it", "pt"],
}


def parse_proxies(specs: list[str] | None) -> dict[str, str]:
    """`["SEXUALLY_EXPLICIT=obscene", ...]` -> {attribute: label}; a bad spec is an `InputError` naming it."""
    proxies = {}
    for spec in specs or []:
        name, sep, label = spec.partition("=")
        name, label = name.strip().upper(), label.strip()
        if not sep or not name or label not in LABELS:
            raise InputError(f"bad --proxy {spec!r}: write ATTRIBUTE=label with a label from {', '.join(LABELS)}")
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):  # an attribute name, sent back in every answer and header
            raise InputError(f"bad --proxy {spec!r}: an attribute name is A-Z, 0-9 and _, starting with a letter")
        if canonical_name(name) in ATTRIBUTE_LABELS:
            raise InputError(f"bad --proxy {spec!r}: {name} is a modelled attribute, it needs no proxy")
        proxies[name] = label
    return proxies


def canonical_name(name: str) -> str:
    """TOXICITY_EXPERIMENTAL -> TOXICITY; other names unchanged."""
    base = name.removesuffix(EXPERIMENTAL_SUFFIX)
    return base if base in ATTRIBUTE_LABELS else name


def label_for(name: str, proxies: dict[str, str]) -> str | None:
    """The label that answers attribute `name`, or None when nothing does."""
    canonical = canonical_name(name)
    return ATTRIBUTE_LABELS.get(canonical) or proxies.get(name)


def proxies_header(proxies: dict[str, str]) -> str:
    return ", ".join(f"{name}={label}" for name, label in sorted(proxies.items()))
