"""Matching a policy's blocklist and allowlist phrases the way people actually type them.

Both sides go through the models' own cleaning first (`clean_text`: compatibility forms, invisible characters,
look-alike letters, stretched letters), so `𝐢𝐝𝐢𝐨𝐭`, `idі​ot` and `iiiidiot` are all `idiot`. On top of that a
blocklist is matched across the tricks a word filter meets that a model shrugs off: leetspeak inside words (`1d10t`,
`@ss`), letters spaced or dotted apart (`i d i o t`, `i.d.i.o.t`), punctuation inside a word (`id-iot`), and
stretched letters (each letter of a phrase may repeat). A `*` in a phrase stands for any letters (`f*ck` matches
`fuck` and `fck`), and a star typed in a comment masks a letter (`f**k` and `f*ck` match `fuck`). Phrases match
whole words only, so `ass` never matches `class` or `assess`.
"""

import re
from functools import lru_cache

from ..text import clean_text

# Digits and symbols read as letters, applied only inside a word that also has letters ("5 apples" stays).
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "!": "i", "|": "l", "€": "e"})  # fmt: skip
# `!` and `|` count as letters only between others ("sh!t"); at a word's end they are punctuation ("country!!").
_TOKEN = re.compile(r"[\w@$€]+(?:[!|]+[\w@$€]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Three or more single characters separated by one space or mark: "i d i o t", "i.d.i.o.t", "i-d-i-o-t".
_SPACED = re.compile(r"(?<![\w*])(?:[\w@$*][ .\-_·]){2,}[\w@$*](?![\w*])")
_SPACER = re.compile(r"[ .\-_·]")
# Marks inside a word: "id-iot", "f.uck", "f*ck" (the star is kept: a phrase's own `*` matches through it).
_INNER_MARK = re.compile(r"(?<=\w)[.\-_'’]+(?=\w)")


def _unleet(match: re.Match) -> str:
    token = match.group(0)
    return token.translate(_LEET) if _HAS_LETTER.search(token) else token


def match_form(text: str) -> str:
    """`text` as blocklist phrases are matched against it: cleaned, lower-cased, evasions undone."""
    text = clean_text(text, lowercase=True)
    text = _SPACED.sub(lambda m: _SPACER.sub("", m.group(0)), text)
    text = _INNER_MARK.sub("", text)
    return _TOKEN.sub(_unleet, text)


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern | None:
    """The regular expression that finds `phrase` in a `match_form` text; None for a phrase with no letters."""
    words = [w for w in re.split(r"\s+", match_form(phrase.replace("*", "\x00")).replace("\x00", "*")) if w]
    if not words:
        return None
    parts = []
    for word in words:
        # Each letter may be stretched ("stuupid"), and after the first may be masked by a star in the text ("f**k");
        # a star in the phrase is any run of letters or stars.
        parts.append(
            "".join(
                r"[\w*]*" if ch == "*" else re.escape(ch) + "+" if i == 0 else f"(?:{re.escape(ch)}+|\\*)"
                for i, ch in enumerate(word)
            )
        )
    return re.compile(r"(?<![\w*])" + r"\W+".join(parts) + r"(?![\w*])")


def find_phrases(text: str, phrases: list[str] | tuple[str, ...]) -> list[str]:
    """The phrases of `phrases` found in `text`, in the order given."""
    form = match_form(text)
    return [p for p in phrases if (pattern := phrase_pattern(p)) is not None and pattern.search(form)]


def mask_phrases(text: str, phrases: list[str] | tuple[str, ...]) -> str:
    """`text` cleaned, with every occurrence of `phrases` taken out: what a model scores under an allowlist.

    Matching here is plain (cleaned text, any case, stretched letters): an allowlist names words a community uses
    in good faith, and nobody disguises those.
    """
    text = clean_text(text)
    for phrase in phrases:
        words = clean_text(phrase, lowercase=True).split()
        if words:
            body = r"\W+".join("".join(re.escape(ch) + "+" for ch in w) for w in words)
            text = re.sub(r"(?<!\w)" + body + r"(?!\w)", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()
