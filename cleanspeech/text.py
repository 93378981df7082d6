"""Text cleaning shared by training and prediction.

The seed recipe removed URLs, collapsed whitespace and stripped every non-ASCII character. CleanSpeech is
multilingual, so non-ASCII text is kept; instead, `normalize_unicode` undoes the cheap tricks people use to slip
insults past a filter: compatibility forms (𝐢𝐝𝐢𝐨𝐭, ｉｄｉｏｔ), invisible characters inside words, Cyrillic or Greek
look-alikes mixed into Latin words, and stretched letters (iiiiidiot). Models store which options they were trained
with and call `clean_text` with the same options when they predict.
"""

import re
import unicodedata

# Longest text a model scores; longer comments are cut (callers report it). 50k characters is ~10k words, far past
# what any model here reads, and keeps a pasted 1 MB blob from stalling the char n-gram vectoriser.
MAX_TEXT_CHARS = 50_000


def upper_first(text: str) -> str:
    """`text` with its first character in upper case ("gay people are..." -> "Gay people are..."); str.capitalize
    would also lower the rest ("LGBTQ" -> "Lgbtq")."""
    return text[:1].upper() + text[1:]


def spoken_list(items, conjunction: str = "or") -> str:
    """Items as a sentence lists them: "a", "a or b", "a, b or c"."""
    items = list(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}" if len(items) > 1 else "".join(items)


def split_at_limit(text: str, limit: int = MAX_TEXT_CHARS) -> tuple[str, str]:
    """The part of `text` the models read (its first `limit` characters) and the rest, which no model sees."""
    return text[:limit], text[limit:]


def limit_note(text: str, verb: str, rest: str = "", limit: int = MAX_TEXT_CHARS) -> str | None:
    """The one wording for "only the first N characters were used", or None for a text within the limit."""
    if len(text) <= limit:
        return None
    return f"{verb} the first {limit:,} of {len(text):,} characters{rest}"


_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# Zero-width characters, soft hyphen, word joiner, BOM, and the bidirectional controls used to reorder text.
INVISIBLE_CHARS = (
    "\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # a class's insides
)
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
# What shows nothing without being white space or invisible formatting: control characters, the blank fillers
# people paste to post an "empty" comment (Hangul fillers, the Braille blank), variation selectors (U+FE0F after an
# emoji asks for its colour form; alone it shows nothing; the supplement's U+E0100-E01EF and Mongolian's), tag
# characters (U+E0000-E007F: they spell a flag's region after a black flag) and musical formatting (U+1D173-1D17A).
# A text of these alone is blank; they are not removed from the text a model reads, as its training text kept them.
# Regex escapes, so the service's schema pattern reads them too: ECMAScript's (JSON Schema's) \u escapes reach only
# U+FFFF, so the characters past it are a class of their own, which the service checks in code.
BLANK_CHARS = r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u115f\u1160\u180b-\u180d\u180f\u2800\u3164\ufe00-\ufe0f\uffa0"
ASTRAL_BLANK_CHARS = r"\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef"
_SHOWS_NOTHING = re.compile(f"[{INVISIBLE_CHARS}{BLANK_CHARS}{ASTRAL_BLANK_CHARS}]")
# A lone UTF-16 surrogate ("\ud800", from JSON or a file decoded with surrogateescape) is no character: no tokenizer
# takes it and no UTF-8 text can hold it. Models read it as U+FFFD, as the CLI reads undecodable bytes.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# A letter repeated three or more times is shortened to two ("stuuuupid" -> "stuupid"); digits are left alone.
_LONG_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_ANY_TRIPLE = re.compile(r"(.)\1\1", re.DOTALL)  # a cheap first look: about 7x faster than _LONG_REPEAT's search
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[a-zA-Z]")

# Cyrillic and Greek letters that render like Latin ones. They are folded only inside words that also contain Latin
# letters, so Russian or Greek words are never touched.
_HOMOGLYPHS = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁһӏԛԝкмнтв", "aeopcyxijsdhlqwkmhtb")),
        **dict(zip("АВЕКМНОРСТХУІЈЅ", "ABEKMHOPCTXYIJS")),
        **dict(zip("αβεικνορτυχ", "abeiknoptux")),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")),
    }
)


def _fold_mixed_script_word(match: re.Match) -> str:
    word = match.group(0)
    if word.isascii() or not _LATIN.search(word):
        return word
    return word.translate(_HOMOGLYPHS)


def is_blank(text: str) -> bool:
    """True when `text` shows nothing: whitespace and invisible characters (zero-width spaces, BOMs, direction
    marks), control characters and blank fillers only. Such a comment is empty, not something to score."""
    return not _SHOWS_NOTHING.sub("", text).strip()


def normalize_unicode(text: str) -> str:
    """NFKC, invisible characters removed, look-alike letters folded in mixed-script words, long repeats shortened."""
    if not text.isascii():  # ASCII is NFKC-stable and holds no invisible or look-alike letter: skip (most comments)
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = _WORD.sub(_fold_mixed_script_word, text)
    return _LONG_REPEAT.sub(r"\1\1", text) if _ANY_TRIPLE.search(text) else text


def clean_text(text: object, *, lowercase: bool = False, unicode_normalization: bool = True) -> str:
    """Clean one comment the way every CleanSpeech model sees it.

    URLs are removed and whitespace collapsed (the seed recipe); lower-casing is for the baseline only, since the
    transformer's tokenizer is case-aware. Non-strings (NaN from a CSV cell) become "".
    """
    if not isinstance(text, str):
        return ""
    text = split_at_limit(text)[0]
    if not text.isascii():
        text = _LONE_SURROGATE.sub("\ufffd", text)
    # URLs go first so that shortening repeats cannot turn "www." into something the pattern misses.
    text = _URL.sub(" ", text)
    if unicode_normalization:
        text = normalize_unicode(text)
    if lowercase:
        text = text.lower()
    return _WHITESPACE.sub(" ", text).strip()


def dedup_key(text: str) -> str:
    """A key under which two texts count as the same comment: case, punctuation and spacing ignored."""
    cleaned = clean_text(text, lowercase=True)
    return " ".join(_WORD.findall(cleaned))
