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

import numpy as np

from ..data.identity_terms import identity_spans
from ..explain import explain
from ..labels import LABELS
from ..text import limit_note, split_at_limit
from .edits import FUNCTION_WORDS, Edit, after_copula, ends_noun_phrase, matched_case, verdict_on_group
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


def logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def margins_of(probs, thresholds: dict[str, float]) -> np.ndarray:
    """Per row of a probability frame, per label: logit(p) - logit(threshold); >= 0 is a flagged label."""
    return logit(probs[list(LABELS)].to_numpy()) - logit(np.array([thresholds[label] for label in LABELS]))


def toxicity_margins(judge, texts: list[str]) -> np.ndarray:
    """`margins_of` the judge's scores of `texts`."""
    return margins_of(judge.predict_proba(texts), judge.thresholds)


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
            return overlaps or verdict_on_group(text, start, protected)

        edits = []
        matches = [m for m in self.lexicon.matches(text) if not untouchable(m[0], m[1])] if english else []
        for start, end, phrase in matches:
            for replacement, share in self.lexicon.replacement_shares(phrase)[: self.replacements_per_phrase]:
                cost = LEXICON_COST * (1 - share) + (0 if replacement else LEXICON_DELETE_COST)
                edits.append(Edit(start, end, matched_case(replacement, text[start:end]), cost))
        covered = {i for e in edits for i in range(e.start, e.end)}
        single_words = [(start, end) for start, end, phrase in matches if " " not in phrase]
        for start, end in self._blamed_words(text, flagged):
            if start not in covered and not untouchable(start, end):
                edits.append(Edit(start, end, "", EDIT_COST["delete_word"]))
                single_words.append((start, end))
        for start, end in single_words if english else []:
            if ends_noun_phrase(text, end):  # "a misguided fool." -> "a misguided person.", not "a misguided."
                noun = GENERIC_NOUNS[1] if text[end - 1] == "s" and text[end - 2 : end] != "ss" else GENERIC_NOUNS[0]
                if noun == GENERIC_NOUNS[0] and after_copula(text[:start]):  # "Gays are disgusting" has no noun
                    continue
                edits.append(Edit(start, end, matched_case(noun, text[start:end]), EDIT_COST["generic_noun"]))
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
                if any(ch.isalnum() for ch in word) and word.lower() not in FUNCTION_WORDS:
                    spans.append((start + token.start(), start + token.end()))
        if not spans:
            return []
        alone = toxicity_margins(self.judge, [text[s:e] for s, e in spans]).max(axis=1)
        return [span for span, margin in zip(spans, alone) if margin >= ALONE_MARGIN][:BLAMED_WORDS]
