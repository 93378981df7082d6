"""The offline rewriter: replace or remove the words the classifier blames, until it no longer flags the text.

Each step gathers candidate edits:
- every lexicon phrase in the text (mined from human rewrites, `cleanspeech.rewrite_lexicon`), replaced by each of
  its most frequent replacements ("give a shit" -> "care", "idiot" -> "person" or nothing);
- deletion of the words an explanation blames most for the flagged labels (the baseline's exact linear attribution,
  ~6 ms, or the transformer's gradient x input when there is no baseline), function words excepted.
The judge (the default transformer) scores all candidates in one batch: the cheapest edit (see the costs below) that
clears every label is kept, else the one with the best trade of toxicity against cost. Toxicity is the largest
margin over the labels, logit(p) - logit(threshold): zero or more means flagged.
It stops when nothing is flagged, when no edit helps, or after `max_steps`. A comment longer than a few sentences is
rewritten one flagged sentence at a time, so the cost follows what is toxic, not the comment's length.
"""

import re
import time
from dataclasses import dataclass

import numpy as np

from ..data.identity_terms import identity_spans
from ..explain import explain
from ..labels import LABELS
from ..text import limit_note, split_at_limit, upper_first
from .lexicon import Lexicon, tokens

# What an edit costs, in logit units of toxicity: edits that keep more meaning cost less.
# A lexicon replacement costs up to 0.6 by how rarely people chose it for that phrase ("fucking" -> "" is 98% of its
# rewrites, -> "really" 1%); a lexicon deletion 0.3 more, as it keeps less meaning.
LEXICON_COST, LEXICON_DELETE_COST = 0.6, 0.3
EDIT_COST = {"generic_noun": 0.25, "delete_word": 1.0}
BLAMED_WORDS = 3  # words of the explanation tried per step
# A blamed word is removed only if the judge finds it toxic on its own, at least nearly (margin in logits): words
# that are toxic only in context ("trump", "leader", "stop") stay, as deleting them changes what is said.
ALONE_MARGIN = -1.75
GENERIC_NOUNS = ("person", "people")  # a blamed word that ends a noun phrase may become one of these
SENTENCE_WORDS = 40  # longer texts are rewritten sentence by sentence
MAX_REWRITTEN_SEGMENTS = 100  # bounds the time a pasted wall of abuse takes (~0.1-0.5 s per sentence)
# ... and so does a time budget: with the transformer as judge a sentence can take 2 s on a 2-core CPU, and a reply
# that never comes helps nobody. Sentences not reached within it are left as they are, with a note. It sits below
# the service's 30 s deadline so a rewrite is answered rather than timed out.
TIME_BUDGET_S = 20.0
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_FUNCTION_WORDS = frozenset(  # never deleted alone: removing them garbles a sentence without making it polite
    re.findall(
        r"\S+",
        "a an the i me my we us our you your he him his she her it its they them their this that these those is am are "
        "was were be been being do does did have has had and or but if so to of in on at for with as by not no don't "
        "can't won't isn't aren't what who how why when where which",
    )
)
# Words no article comes right before: the function words, prepositions and pronouns as comments often write them.
_NOT_AFTER_ARTICLE = _FUNCTION_WORDS | frozenset(
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
_DANGLING_OTHER_ARTICLE = re.compile(
    r"\b(?:un|una|uno|unos|unas|une|des|ein|eine|einen|einem|einer|eines|um|uma|uns|umas|el|los|las|gli)$",
    re.IGNORECASE,
)
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
_ARTICLE_BEFORE = re.compile(r"(^|\W)([Aa])(n?)(\s+)$")
# "a"/"an" go by sound, not spelling: "a one", "a university", "a European", but "an unimportant"; "an hour"
_VOWEL_LETTER_CONSONANT_SOUND = re.compile(
    r"(?:one(?![ir])|once\b|uni[cfloqstvx]|use|usu|uti|utop|uten|uter|ubiq|uku|urin|uran|ureth|uvu|eu|ewe)",
    re.IGNORECASE,
)
_SILENT_H = re.compile(r"(?:hour|honest|honou?r|heir)", re.IGNORECASE)


def logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def margins_of(probs, thresholds: dict[str, float]) -> np.ndarray:
    """Per row of a probability frame, per label: logit(p) - logit(threshold); >= 0 is a flagged label."""
    return logit(probs[list(LABELS)].to_numpy()) - logit(np.array([thresholds[label] for label in LABELS]))


def toxicity_margins(judge, texts: list[str]) -> np.ndarray:
    """`margins_of` the judge's scores of `texts`."""
    return margins_of(judge.predict_proba(texts), judge.thresholds)


def _fix_article(before: str, next_text: str) -> str:
    """ "a" or "an" at the end of `before`, agreeing with the word that now follows it."""
    match = _ARTICLE_BEFORE.search(before)
    following = next_text.lstrip()
    if not match or not following[:1].isalpha():
        return before
    vowel_letter = following[0].lower() in "aeiou"
    vowel_sound = (vowel_letter and not _VOWEL_LETTER_CONSONANT_SOUND.match(following)) or bool(
        _SILENT_H.match(following)
    )
    article = match.group(2) + ("n" if vowel_sound else "")
    return before[: match.start(2)] + article + match.group(4)


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
            return _fix_article(before, self.replacement) + self.replacement + after
        before, after = before.rstrip(" \t"), after.lstrip(" \t")
        joined = _without_stranded_conjunction(before, after)
        if joined is None:
            return None
        before, after = joined
        if _DANGLING_ARTICLE.search(before) and _cannot_follow_article(after):
            return None  # an article needs its noun: "all the garbage you can" is not "all the you can"
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
        return _fix_article(before + joiner, after) + after


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


def segments(text: str) -> tuple[list[str], list[str]]:
    """Sentences of `text` and the separators between them; a run-on sentence is cut every SENTENCE_WORDS words."""
    pieces, separators = [], []
    parts = _SENTENCE_END.split(text)
    for part, separator in zip(parts, _SENTENCE_END.findall(text) + [None]):
        words = re.findall(r"\s*\S+\s*", part)  # leading space stays with the first word
        chunks = ["".join(words[i : i + SENTENCE_WORDS]) for i in range(0, len(words), SENTENCE_WORDS)] or [part]
        for chunk in chunks[:-1]:
            stripped = chunk.rstrip()
            pieces.append(stripped)
            separators.append(chunk[len(stripped) :])
        pieces.append(chunks[-1])
        if separator is not None:
            separators.append(separator)
    return pieces, separators


def _best_edit(toxicity: np.ndarray, cost: np.ndarray) -> int:
    """The gentlest edit that clears every label if one does, else the best trade of toxicity against cost."""
    clears = np.flatnonzero(toxicity < 0)
    if clears.size:
        return int(clears[np.lexsort((toxicity[clears], cost[clears]))[0]])
    return int(np.argmin(toxicity + cost))


def _ends_noun_phrase(text: str, end: int) -> bool:
    """Whether the word ending at `end` is followed by punctuation, the end, or a word that often follows a noun
    ("fool for", "idiots who"), not one that follows a verb ("kill you")."""
    following = tokens(text[end : end + 40])
    return not following or not following[0].group(0)[0].isalnum() or following[0].group(0).lower() in _AFTER_NOUN


def _after_copula(before: str) -> bool:
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


def _verdict_on_group(text: str, start: int, groups: list[tuple[int, int]]) -> bool:
    """Whether the word at `start` is said of a group named before it in its clause ("Muslims are stupid", "Women are
    lazy and stupid", "Gays are a plague"): no word swapped or dropped there makes a polite sentence of a verdict on a
    group ("Muslims are wrong", "Women are lazy"), so such words are left for a person to judge."""
    clause_start = max(text.rfind(mark, 0, start) for mark in ".!?;\n") + 1
    if not any(clause_start <= s and e <= start for s, e in groups):
        return False
    return _after_copula(_DANGLING_ARTICLE.sub("", text[:start].rstrip()))


def _matched_case(replacement: str, original: str) -> str:
    return upper_first(replacement) if original[:1].isupper() else replacement


class LocalRewriter:
    """Explanation-guided rewriting with a mined lexicon, judged by a classifier (`judge.predict_proba`)."""

    name = "local"

    def __init__(self, judge, lexicon: Lexicon, guide=None, max_steps: int = 8, replacements_per_phrase: int = 3,
                 time_budget_s: float = TIME_BUDGET_S):  # fmt: skip
        self.judge, self.lexicon, self.guide = judge, lexicon, guide or judge
        self.max_steps, self.replacements_per_phrase = max_steps, replacements_per_phrase
        self.time_budget_s = time_budget_s

    def rewrite_text(self, text: str, margins: np.ndarray | None = None) -> tuple[str, list[str]]:
        """The rewrite of `text` and notes for the user; text the judge does not flag comes back unchanged.
        `margins`: the judge's margins of `text` when the caller has them already (saves scoring it again)."""
        if not text.strip():
            return text, []
        notes = []
        head, tail = split_at_limit(text)
        if note := limit_note(text, "rewrote", "; the rest is unchanged"):
            notes.append(note)
        english = self.lexicon.looks_english(head)  # decided once: a deletion must not flip it midway
        if not english:
            notes.append(
                "the local rewriter knows English only: here it can just delete words; Gemini rewrites other languages"
            )
        if len(head.split()) <= SENTENCE_WORDS:
            return self._rewrite_unit(head, english, margins if not tail else None) + tail, notes
        started, done = time.monotonic(), 0  # the budget counts scoring the sentences too: it is most of a long text
        pieces, separators = segments(head)
        flagged = [i for i, m in enumerate(toxicity_margins(self.judge, pieces).max(axis=1)) if m >= 0]
        for i in flagged[:MAX_REWRITTEN_SEGMENTS]:
            if done and time.monotonic() - started > self.time_budget_s:  # the first is always rewritten
                break
            pieces[i], done = self._rewrite_unit(pieces[i], english), done + 1
        if done < len(flagged):
            limit = "limit" if done == MAX_REWRITTEN_SEGMENTS else f"time limit ({self.time_budget_s:g} s)"
            notes.append(f"rewrote the first {done} of {len(flagged)} flagged sentences (the {limit}); the rest is "
                         "unchanged")  # fmt: skip
        return "".join(piece + sep for piece, sep in zip(pieces, separators + [""])) + tail, notes

    def _rewrite_unit(self, text: str, english: bool = True, margins: np.ndarray | None = None) -> str:
        current = text
        margins = toxicity_margins(self.judge, [text])[0] if margins is None else margins
        for _ in range(self.max_steps):
            if margins.max() < 0:
                break
            flagged = [label for label, m in zip(LABELS, margins) if m >= 0]
            candidates = self._candidates(current, flagged, english)
            if not candidates:
                break
            candidate_margins = toxicity_margins(self.judge, [c for c, _ in candidates])
            toxicity = candidate_margins.max(axis=1)
            best = _best_edit(toxicity, np.array([cost for _, cost in candidates]))
            if toxicity[best] >= margins.max() - 1e-3:
                break  # no edit lowers the toxicity any further
            current, margins = candidates[best][0], candidate_margins[best]
        return current

    def _candidates(self, text: str, flagged: list[str], english: bool) -> list[tuple[str, float]]:
        """Distinct (edited text, cost) pairs. Never offered: an edit that touches an identity term (a rewrite must
        not erase who is described: "I am gay." stays) or a verdict on a group ("Muslims are stupid." has no polite
        form), one that leaves no word, one that leaves a broken fragment. In text that is not English the lexicon
        and the English nouns do not apply: blamed words can only go."""
        protected = identity_spans(text)

        def untouchable(start: int, end: int) -> bool:  # an identity term, or a verdict on the group it names
            overlaps = any(s < end and start < e for s, e in protected)
            return overlaps or _verdict_on_group(text, start, protected)

        edits = []
        matches = [m for m in self.lexicon.matches(text) if not untouchable(m[0], m[1])] if english else []
        for start, end, phrase in matches:
            for replacement, share in self.lexicon.replacement_shares(phrase)[: self.replacements_per_phrase]:
                cost = LEXICON_COST * (1 - share) + (0 if replacement else LEXICON_DELETE_COST)
                edits.append(Edit(start, end, _matched_case(replacement, text[start:end]), cost))
        covered = {i for e in edits for i in range(e.start, e.end)}
        single_words = [(start, end) for start, end, phrase in matches if " " not in phrase]
        for start, end in self._blamed_words(text, flagged):
            if start not in covered and not untouchable(start, end):
                edits.append(Edit(start, end, "", EDIT_COST["delete_word"]))
                single_words.append((start, end))
        for start, end in single_words if english else []:
            if _ends_noun_phrase(text, end):  # "a misguided fool." -> "a misguided person.", not "a misguided."
                noun = GENERIC_NOUNS[1] if text[end - 1] == "s" and text[end - 2 : end] != "ss" else GENERIC_NOUNS[0]
                if noun == GENERIC_NOUNS[0] and _after_copula(text[:start]):  # "Gays are disgusting" has no noun
                    continue
                edits.append(Edit(start, end, _matched_case(noun, text[start:end]), EDIT_COST["generic_noun"]))
        seen, out = {text}, []
        for edit in edits:
            candidate = edit.apply(text)
            if candidate is not None and candidate not in seen and re.search(r"\w", candidate):
                seen.add(candidate)
                out.append((candidate, edit.cost))
        return out

    def _blamed_words(self, text: str, flagged: list[str]) -> list[tuple[int, int]]:
        """Spans of the content words the guide's explanation blames most for the flagged labels."""
        explanation = explain(self.guide, text, labels=tuple(flagged))
        blame = [
            (sum(max(w["scores"][label], 0.0) for label in flagged), w["start"], w["end"]) for w in explanation.words
        ]
        spans = []
        for score, start, end in sorted(blame, key=lambda item: -item[0]):
            if score <= 0 or len(spans) >= 2 * BLAMED_WORDS:
                break
            for token in tokens(text[start:end]):
                word = token.group(0)
                if any(ch.isalnum() for ch in word) and word.lower() not in _FUNCTION_WORDS:
                    spans.append((start + token.start(), start + token.end()))
        if not spans:
            return []
        alone = toxicity_margins(self.judge, [text[s:e] for s, e in spans]).max(axis=1)
        return [span for span, margin in zip(spans, alone) if margin >= ALONE_MARGIN][:BLAMED_WORDS]
