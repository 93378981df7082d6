"""What one edit may do to a sentence: `Edit` replaces or deletes a span and repairs only what it breaks itself
(spacing, commas, a stranded conjunction, "a"/"an", capitals), or refuses where no repair makes a sentence (an
article left without its noun, a negation of nothing). Beside it, the grammar the rewriter's search asks before it
offers an edit: whether a word ends a noun phrase, follows a copula, or is a verdict on a group.
"""

import re
from dataclasses import dataclass

from ..text import upper_first
from .lexicon import tokens

FUNCTION_WORDS = frozenset(  # never deleted alone: removing them garbles a sentence without making it polite
    re.findall(
        r"\S+",
        "a an the i me my we us our you your he him his she her it its they them their this that these those is am are "
        "was were be been being do does did have has had and or but if so to of in on at for with as by not no don't "
        "can't won't isn't aren't what who how why when where which",
    )
)
# Words no article comes right before: the function words, prepositions and pronouns as comments often write them.
_NOT_AFTER_ARTICLE = FUNCTION_WORDS | frozenset(
    "from about into onto upon than there u ur im ive youre theyre dont cant wont isnt arent".split()  # noqa: SIM905
)
_AFTER_NOUN = frozenset(
    "and or but for of in on at with who that which is are was were has have like than from".split()  # noqa: SIM905
)
_COPULAS = frozenset("is are am was were be been being".split())  # noqa: SIM905
_DEGREE_WORDS = frozenset("so very too really just quite pretty extremely totally utterly".split())  # noqa: SIM905
_COORDINATORS = frozenset("and or but nor".split())  # noqa: SIM905
# What cannot end a sentence once the words after it are gone: "He is not an idiot." minus "an idiot" is "He is not."
# (a negation of nothing, its meaning turned round), "You're an idiot, John." minus "an idiot" is "You're, John."
_DANGLING_END = re.compile(
    r"\b(?:not|never|no|\w+n['’]t|\w+['’](?:re|s)|is|are|am|was|were|be|been|being)$", re.IGNORECASE
)
_DANGLING_ARTICLE = re.compile(r"\s*\b(?:an?|the)$", re.IGNORECASE)
# Articles of the other covered languages that cannot end a sentence ("Eres un idiota" minus "idiota" is the broken
# "Eres un"). Articles that double as pronouns ("das", "la", "le") are left out: "Ich mag das." is a sentence.
_OTHER_ARTICLES = r"un|una|uno|unos|unas|une|des|ein|eine|einen|einem|einer|eines|um|uma|uns|umas|el|los|las|gli"
_DANGLING_OTHER_ARTICLE = re.compile(
    rf"\b(?:{_OTHER_ARTICLES}|de|del|di|du|von)$",  # and "of" at the end: "Eres un idiota de." is not a sentence
    re.IGNORECASE,
)
# The noun between an article and its "of" phrase cannot go alone: "Eres un idiota de mierda" is not "Eres un de
# mierda" (in French "un de ces jours" is a phrase, but not where a deleted noun stood between the two)
_OTHER_ARTICLE_END = re.compile(rf"\b(?:{_OTHER_ARTICLES})$", re.IGNORECASE)
_OF_START = re.compile(r"^(?:de|del|di|du|des|von|della|dei|degli|delle)\b", re.IGNORECASE)
# A deleted conjunct must not leave its conjunction stranded: "Women are stupid and lazy." minus "stupid" is "Women
# are lazy.", not "Women are and lazy."; "They are lazy and stupid." minus "stupid" is "They are lazy.". A conjunction
# is stranded where the words before cannot be the other conjunct (a copula, an article, a degree word, a negation, an
# opening quote or nothing): "You idiot and your friends" minus "idiot" keeps "You and your friends". A stranded
# conjunction is dropped only where what is left is plainly one clause; otherwise the deletion is not made: after a
# negation ("not stupid but lazy" is not "not lazy"), a correlative ("both ... and") or before a clause of its own
# ("It's bullshit and you know it" is not "It's you know it"; "You are a loser and always will be").
_CONJUNCTION_START = re.compile(r"^(?:(?:and|or|but|nor)\b(?!-)|&(?=\s|$))\s*", re.IGNORECASE)  # not "but-for"
_CONJUNCTION_END = re.compile(r"\s*(?:,\s*)?(?:\b(?:and|or|but|nor)|&)$", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|no|nothing|\w+n['’]t)\b", re.IGNORECASE)
_CORRELATIVES = frozenset("both either neither only".split())  # noqa: SIM905
_HEADS = "|".join(sorted(_COPULAS | _DEGREE_WORDS | _CORRELATIVES))
_BEFORE_A_CONJUNCT = re.compile(
    rf"(?:^|[,;:.!?(\"“]|\b(?:{_HEADS}|such|an?|the|not|never|no|(?:is|are|was|were|ai)n['’]t|\w+['’](?:re|s)))$",
    re.IGNORECASE,
)
# A question's inverted copula and its subject ("Is he", "Are your friends") are followed by the complement as a
# copula is in a statement: "Is he stupid and lazy?" minus "stupid" is "Is he lazy?", not "Is he and lazy?".
_INVERTED_COPULA = re.compile(
    rf"^\s*(?:{'|'.join(sorted(_COPULAS))})(?:n['’]t)?\s+(?:(?:the|my|your|his|her|our|their|these|those|all)\s+)?[\w'’]+$",
    re.IGNORECASE,
)
_CLAUSE_START_WORDS = (  # words that start a clause of their own after "and"
    "i you he she it we they this that these those there my your his her its our their everyone everybody nobody "
    "someone somebody people so always never nothing neither none"
)
_CLAUSE_START = frozenset(_CLAUSE_START_WORDS.split())
_CLAUSE_VERBS = _COPULAS | frozenset(
    "will would can could shall should may might must do does did has have had knows know".split()  # noqa: SIM905
)
_ABBREVIATION_END = re.compile(r"\b(?:mr|mrs|ms|dr|st|vs|etc|jr|sr|e\.g|i\.e)\.$", re.IGNORECASE)
_CLOSING_PUNCT = ",.!?;:)…"
_ARTICLE_BEFORE = re.compile(r"(^|\W)([Aa])([nN]?)(\s+)$")
# "a"/"an" go by sound, not spelling: "a one", "a university", "a European", but "an unimportant"; "an hour"
_VOWEL_LETTER_CONSONANT_SOUND = re.compile(
    r"(?:one(?![ir])|once\b|uni[cfloqstvx]|use|usu|uti|utop|uten|uter|ubiq|uku|urin|uran|ureth|uvu|eu|ewe)",
    re.IGNORECASE,
)
# A vowel sound the spelling hides: a silent h, and "Euler" (said "oiler").
_VOWEL_SOUND_START = re.compile(r"(?:hour|honest|honou?r|heir|euler)", re.IGNORECASE)
# Initialisms are read letter by letter: "an FBI agent", "an MRI", "an SJW", "a UFO", "a USB stick"; acronyms read as
# words keep the word's sound ("a NATO", "a SNAFU", "a SPY"). The pattern is inflect's (MIT), Y counted as a vowel.
# inflect itself is not a dependency: importing it takes 1.4 s (typeguard wraps its functions), longer than rewriting
# a sentence.
_INITIALISM_AN = re.compile(
    r"(?!FJO|[HLMNS]Y.|RY[EO]|SQU|(?:F[LR]?|[HL]|MN?|N|RH?|S[CHKLMNPTVW]?|X(?:YL)?)[AEIOUY])[FHLMNRSX](?:[A-Z]|\b)"
)


def fix_article(before: str, next_text: str) -> str:
    """ "a" or "an" at the end of `before`, agreeing with the word that now follows it."""
    match = _ARTICLE_BEFORE.search(before)
    following = next_text.lstrip()
    if not match or not following[:1].isalpha():
        return before
    shouted = _shouted(match, before[: match.start(2)], following)
    if _VOWEL_SOUND_START.match(following):
        vowel_sound = True
    elif _in_capitals(following) and not shouted:
        vowel_sound = bool(_INITIALISM_AN.match(following)) or (
            following[0] in "AEIO" and not following.startswith("ONE")
        )
    else:  # shouting ("YOU ARE A SPRING CHICKEN") is not an initialism: it goes by spelling, as words do
        vowel_sound = following[0].lower() in "aeiou" and not _VOWEL_LETTER_CONSONANT_SOUND.match(following)
    article = match.group(2) + (("N" if shouted else "n") if vowel_sound else "")
    return before[: match.start(2)] + article + match.group(4)


def _shouted(match: re.Match, prefix: str, following: str) -> bool:
    """Whether the article stands in text written in capitals: "AN", or an "A" among words with no small letter
    ("YOU ARE A SPRING CHICKEN"). An "A" that starts a sentence is judged by the words after it ("A FBI agent did")."""
    if match.group(2) == "a" or match.group(3):  # "a", "an", "An" or "AN": the article says
        return match.group(3) == "N"
    context = prefix if re.search(r"[^\W\d_]", prefix) else following
    return not re.search(r"[a-z]", context)


def _in_capitals(text: str) -> bool:
    """Whether the word `text` starts with looks like an initialism: capitals, and short or without a vowel ("FBI",
    "X-ray", "LGBTQ"), not a word in capitals for emphasis ("a STRONG man", "an UGLY lie")."""
    word = re.match(r"[^\W\d_]+", text).group(0)
    if not word.isupper() or (len(word) == 1 and text[1:2].isalpha()):
        return False
    return len(word) <= (3 if word[0] == "U" else 4) or not re.search("[AEIOUY]", word[1:])


@dataclass
class Edit:
    """Replace text[start:end]; repairs only what the edit itself breaks (spacing, commas, "a"/"an", capitals)."""

    start: int
    end: int
    replacement: str
    cost: float  # in logit units of toxicity: see EDIT_COST

    def apply(self, text: str) -> str | None:
        """The edited text, or None where the edit would leave a broken fragment (an article with no noun)."""
        before, after = text[: self.start], text[self.end :]
        if self.replacement:
            return fix_article(before, self.replacement) + self.replacement + after
        before, after = before.rstrip(" \t"), after.lstrip(" \t")
        joined = _without_stranded_conjunction(before, after)
        if joined is None:
            return None
        before, after = joined
        if _DANGLING_ARTICLE.search(before) and _cannot_follow_article(after):
            return None  # an article needs its noun: "all the garbage you can" is not "all the you can"
        if _OTHER_ARTICLE_END.search(before) and _OF_START.match(after):
            return None
        if not after.strip() or after[0] in _CLOSING_PUNCT:
            if _DANGLING_OTHER_ARTICLE.search(before):
                return None
            before = _DANGLING_ARTICLE.sub("", before)  # "you are a idiot." -> not "you are a." (nor "you are.")
            before = _CONJUNCTION_END.sub("", before)  # the last conjunct went: "lazy and." -> "lazy."
            if _DANGLING_END.search(before) or _DANGLING_OTHER_ARTICLE.search(before):
                return None
        if after[:1] in (",", ";", ":") and (not before or before[-1] in ",;:.!?("):
            after = after[1:].lstrip(" ")  # "fuck, he was" -> "he was", not ", he was"
        if before[-1:] in (",", ";", ":") and (not after.strip() or after[0] in ".!?"):
            before = before[:-1]  # "stop, you idiot." -> "stop.", not "stop,."
        if not before.strip() or (before[-1] in ".!?" and not _ABBREVIATION_END.search(before)):
            capitalize = text[self.start : self.end].lstrip()[:1].isupper()  # as the deleted words started it
            first_word = re.match(r"\S*", after).group(0)
            after = upper_first(after) if capitalize and first_word.islower() else after  # not "IPhone"
        joiner = "" if not before or not after or after[0] in _CLOSING_PUNCT or before[-1] in '\n("“' else " "
        return fix_article(before + joiner, after) + after


def _cannot_follow_article(after: str) -> bool:
    """Whether the word `after` starts with is one no article can come before: a function word ("the you"), also as
    comments spell them ("you’re", "youre", "u"). A hyphenated word is its own word: "the so-called", "a no-brainer"."""
    word = re.match(r"[\w'’-]*", after).group(0).lower().replace("’", "'")
    return word in _NOT_AFTER_ARTICLE or word.split("'")[0] in _NOT_AFTER_ARTICLE


def _without_stranded_conjunction(before: str, after: str) -> tuple[str, str] | None:
    """`before` and `after` a deleted first conjunct, its stranded conjunction dropped; None where dropping it could
    turn the meaning round or run two clauses together."""
    match = _CONJUNCTION_START.match(after)
    if not match:
        return before, after
    clause = re.split(r"[.!?;:]", before)[-1]
    if not (_BEFORE_A_CONJUNCT.search(before) or _INVERTED_COPULA.match(clause)):
        return before, after
    rest = after[match.end() :]
    if _NEGATION.search(clause) or any(word.lower() in _CORRELATIVES for word in clause.split()[-2:]):
        return None  # "He is not stupid but lazy." is not "He is not lazy."; "both and lazy" has no fix
    following = re.findall(r"[\w'’]+", re.split(r"[,.!?;:\"“”()]", rest)[0])
    if before.strip() and following:
        first = following[0]
        if first.lower() in _CLAUSE_START or first[:1].isupper() or _CLAUSE_VERBS & {w.lower() for w in following}:
            return None  # "It's bullshit and you know it." is not "It's you know it."
    if re.match(r"(?:an?|the)\b", rest, re.IGNORECASE) and _DANGLING_ARTICLE.search(before):
        before = _DANGLING_ARTICLE.sub("", before)  # "He's a moron and a liar." -> "He's a liar.", not "an a liar"
    return before, rest


def ends_noun_phrase(text: str, end: int) -> bool:
    """Whether the word ending at `end` is followed by punctuation, the end, or a word that often follows a noun
    ("fool for", "idiots who"), not one that follows a verb ("kill you")."""
    following = tokens(text[end : end + 40])
    return not following or not following[0].group(0)[0].isalnum() or following[0].group(0).lower() in _AFTER_NOUN


def after_copula(before: str) -> bool:
    """Whether the word after `before` follows a copula, past degree words and an adjective it is coordinated with
    ("are so stupid", "are lazy and stupid"): a singular noun there would need an article, so the word is an adjective
    ("Muslims are stupid", "That is crap") and "person" would not fit, while "They are morons" may still become
    "They are people"."""
    words = [token.group(0).lower() for token in tokens(before[-60:])]
    while words and words[-1] in _DEGREE_WORDS:
        words.pop()
    if len(words) >= 2 and words[-1] in _COORDINATORS:  # the second of two adjectives: skip "lazy and"
        words = [word for word in words[:-1] if word[0].isalnum()][:-1]
        while words and words[-1] in _DEGREE_WORDS:
            words.pop()
    word = words[-1] if words else ""
    return word in _COPULAS or word.endswith(("'s", "’s", "'re", "’re"))  # "He's" is one token


def verdict_on_group(text: str, start: int, groups: list[tuple[int, int]]) -> bool:
    """Whether the word at `start` is said of a group named before it in its clause ("Muslims are stupid", "Women are
    lazy and stupid", "Gays are a plague"): no word swapped or dropped there makes a polite sentence of a verdict on a
    group ("Muslims are wrong", "Women are lazy"), so such words are left for a person to judge."""
    clause_start = max(text.rfind(mark, 0, start) for mark in ".!?;\n") + 1
    if not any(clause_start <= s and e <= start for s, e in groups):
        return False
    return after_copula(_DANGLING_ARTICLE.sub("", text[:start].rstrip()))


def matched_case(replacement: str, original: str) -> str:
    return upper_first(replacement) if original[:1].isupper() else replacement
