"""Polite rewrites of toxic comments: one interface, two backends, every rewrite re-scored.

>>> from cleanspeech.rewrite import load_rewriter
>>> result = load_rewriter().rewrite("You are a disgusting idiot.")      # doctest: +SKIP
>>> result.rewrite, result.backend, result.still_toxic                    # doctest: +SKIP
('You are an unsuitable person.', 'local', False)

Backends:
- `local` (offline, the default without a key): `cleanspeech.rewrite_local`, explanation-guided edits from a lexicon
  mined from ParaDetox, judged by the transformer.
- `gemini`: Google's Gemini through the google-genai SDK (`cleanspeech.rewrite_gemini`), when a key is given or set in
  GEMINI_API_KEY / GOOGLE_API_KEY. When Gemini fails (no network, bad key, quota), the local backend answers and the
  result says why in `notes`.
`auto` picks gemini when a key is available, else local. Whatever answers, the default transformer scores the text
before and after, and the result lists the changed spans and whether the rewrite is still flagged.
"""

import difflib
import re
from dataclasses import asdict, dataclass, field

from .errors import InputError, ModelNotFound
from .labels import LABELS
from .models import flagged_labels, load_model, model_path
from .preprocess import MAX_TEXT_CHARS
from .rewrite_gemini import GEMINI_MODEL, GeminiRewriter, GeminiUnavailable, api_key_from_env
from .rewrite_lexicon import LEXICON_FILE, Lexicon
from .rewrite_local import LocalRewriter, margins_of

BACKENDS = ("auto", "local", "gemini")
REWRITER_DIR = "rewriter"  # models/rewriter holds the mined lexicon
_WORD = re.compile(r"\S+")


@dataclass
class Rewrite:
    """One rewrite, the one shape both backends return (`to_dict` is the CLI's JSON)."""

    text: str
    rewrite: str
    backend: str  # the backend that wrote `rewrite`: local or gemini
    before: dict[str, float]  # the judge's per-label probabilities of `text`
    after: dict[str, float]  # ... and of `rewrite`
    flagged_before: list[str]
    flagged_after: list[str]
    still_toxic: bool  # the judge still flags the rewrite
    changes: list[dict] = field(default_factory=list)  # {"start", "end", "original", "replacement"} in `text`
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def changed_spans(original: str, rewritten: str) -> list[dict]:
    """Word-level differences: which spans of `original` were replaced, and by what (empty for a deletion)."""
    old, new = list(_WORD.finditer(original)), list(_WORD.finditer(rewritten))
    matcher = difflib.SequenceMatcher(a=[m.group(0) for m in old], b=[m.group(0) for m in new], autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        start = old[i1].start() if i1 < len(old) else len(original)
        end = old[i2 - 1].end() if i2 > i1 else start
        replacement = rewritten[new[j1].start() : new[j2 - 1].end()] if j2 > j1 else ""
        changes.append({"start": start, "end": end, "original": original[start:end], "replacement": replacement})
    return changes


def word_diff(original: str, rewritten: str) -> list[tuple[str, str]]:
    """(op, text) runs for display: op is equal, delete (only in the original) or insert (only in the rewrite)."""
    old, new = original.split(), rewritten.split()
    runs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("delete", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("insert", " ".join(new[j1:j2])))
    return runs


class Rewriter:
    """Rewrites with Gemini or the local backend and re-scores with `judge` (a model with `predict_proba`)."""

    def __init__(self, judge, local: LocalRewriter, gemini: GeminiRewriter | None = None):
        self.judge, self.local, self.gemini = judge, local, gemini

    def rewrite(self, text: str, backend: str = "auto") -> Rewrite:
        if backend not in BACKENDS:
            raise InputError(f"unknown rewrite backend {backend!r}: choose {', '.join(BACKENDS)}")
        if not isinstance(text, str) or not text.strip():
            raise InputError("nothing to rewrite: the text is empty")
        head, tail, notes = text, "", []
        if len(text) > MAX_TEXT_CHARS:
            head, tail = text[:MAX_TEXT_CHARS], text[MAX_TEXT_CHARS:]
            notes.append(f"rewrote the first {MAX_TEXT_CHARS:,} of {len(text):,} characters; the rest is unchanged")
        scores = self.judge.predict_proba([head])  # the judge reads no further than `head` either
        before = scores.iloc[0]
        rewritten, used = self._rewrite_head(head, scores, backend, notes)
        return self._result(text, rewritten + tail, before, used, notes)

    def _rewrite_head(self, text: str, scores, backend: str, notes: list[str]) -> tuple[str, str]:
        if not flagged_labels(scores.iloc[0], self.judge.thresholds):
            notes.append("no label is flagged: the comment is returned unchanged")
            return text, "local"  # nothing to rewrite, and no paid request for it
        if backend == "gemini" and self.gemini is None:
            notes.append("Gemini is not configured (set GEMINI_API_KEY); used the local rewriter")
        elif backend in ("auto", "gemini") and self.gemini is not None:
            try:
                return self.gemini.rewrite_text(text), "gemini"
            except GeminiUnavailable as err:
                notes.append(f"{err} Used the local rewriter instead.")
        rewritten, local_notes = self.local.rewrite_text(text, margins_of(scores, self.judge.thresholds)[0])
        notes.extend(local_notes)
        return rewritten, "local"

    def _result(self, text: str, rewritten: str, before, backend: str, notes: list[str]) -> Rewrite:
        after = before if rewritten == text else self.judge.predict_proba([rewritten]).iloc[0]
        flagged_after = flagged_labels(after, self.judge.thresholds)
        if flagged_after:
            notes.append("the rewrite is still flagged: " + ", ".join(flagged_after) + "; review it by hand")
        return Rewrite(
            text=text,
            rewrite=rewritten,
            backend=backend,
            before={label: round(float(before[label]), 5) for label in LABELS},
            after={label: round(float(after[label]), 5) for label in LABELS},
            flagged_before=flagged_labels(before, self.judge.thresholds),
            flagged_after=flagged_after,
            still_toxic=bool(flagged_after),
            changes=changed_spans(text, rewritten),
            notes=notes,
        )


def load_lexicon(root=None) -> Lexicon:
    path = model_path(REWRITER_DIR, root)
    if not (path / LEXICON_FILE).is_file():
        raise ModelNotFound(f"no rewriter lexicon in {path}; create it with: python scripts/build_rewriter.py")
    return Lexicon.load(path)


def load_rewriter(
    judge=None,
    guide=None,
    api_key: str | None = None,
    gemini_model: str | None = None,
    root=None,
    **gemini_options,
) -> Rewriter:
    """A rewriter judged by the default transformer and guided by the baseline's explanations (or the judge's
    own, without a baseline); Gemini is set up when `api_key` is given or found in the environment."""
    judge = judge or load_model("transformer", root)
    if guide is None:
        try:
            guide = load_model("baseline", root)
        except FileNotFoundError:
            guide = judge
    key = api_key or api_key_from_env()
    gemini = GeminiRewriter(key, model=gemini_model or GEMINI_MODEL, **gemini_options) if key else None
    return Rewriter(judge, LocalRewriter(judge, load_lexicon(root), guide), gemini)
