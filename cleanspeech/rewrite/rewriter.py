"""Polite rewrites of toxic comments: one interface, two backends, every rewrite re-scored.

>>> from cleanspeech.rewrite import load_rewriter
>>> result = load_rewriter().rewrite("You are a disgusting idiot.")      # doctest: +SKIP
>>> result.rewrite, result.backend, result.still_toxic                    # doctest: +SKIP
('You are an unsuitable person.', 'local', False)

Backends:
- `local` (offline, the default without a key): `cleanspeech.rewrite.local`, explanation-guided edits from a lexicon
  mined from ParaDetox, judged by the transformer.
- `gemini`: Google's Gemini through the google-genai SDK (`cleanspeech.rewrite.gemini`, an optional extra), when a
  key is given or set in GEMINI_API_KEY / GOOGLE_API_KEY. When Gemini fails (no network, bad key, quota), the local
  backend answers and the result says why in `notes`.
`auto` picks gemini when a key is available, else local. Whatever answers, the default transformer scores the text
before and after, and the result lists the changed spans and whether the rewrite is still flagged.
"""

from ..classifiers import flagged_labels, load_model, model_path
from ..errors import InputError, ModelNotFound
from ..labels import LABELS
from ..text import is_blank, limit_note, split_at_limit
from .base import BACKENDS, GEMINI_MODEL, GeminiUnavailable, Rewrite, api_key_from_env, changed_spans
from .lexicon import LEXICON_FILE, Lexicon
from .local import LocalRewriter, margins_of

REWRITER_DIR = "rewriter"  # models/rewriter holds the mined lexicon


class Rewriter:
    """Rewrites with Gemini or the local backend and re-scores with `judge` (a model with `predict_proba`)."""

    def __init__(self, judge, local: LocalRewriter, gemini=None, gemini_missing: str | None = None):
        """`gemini`: a `GeminiRewriter` or None; `gemini_missing`: why there is none although a key is set."""
        self.judge, self.local, self.gemini, self.gemini_missing = judge, local, gemini, gemini_missing

    def rewrite(self, text: str, backend: str = "auto") -> Rewrite:
        if backend not in BACKENDS:
            raise InputError(f"unknown rewrite backend {backend!r}: choose {', '.join(BACKENDS)}")
        if not isinstance(text, str):  # as explain says it: a number or None is no comment to rewrite
            raise InputError(f"rewrite takes one comment as text (str), not {type(text).__name__}")
        if is_blank(text):
            raise InputError("nothing to rewrite: the text is empty")
        (head, tail), notes = split_at_limit(text), []
        if note := limit_note(text, "rewrote", "; the rest is unchanged"):
            notes.append(note)
        scores = self.judge.predict_proba([head])  # the judge reads no further than `head` either
        before = scores.iloc[0]
        rewritten, used = self._rewrite_head(head, scores, backend, notes)
        return self._result(text, rewritten + tail, before, used, notes)

    def _rewrite_head(self, text: str, scores, backend: str, notes: list[str]) -> tuple[str, str]:
        if not flagged_labels(scores.iloc[0], self.judge.thresholds):
            notes.append("no label is flagged: the comment is returned unchanged")
            return text, "local"  # nothing to rewrite, and no paid request for it
        if backend in ("auto", "gemini") and self.gemini is None and self.gemini_missing:
            notes.append(f"{self.gemini_missing}; used the local rewriter")
        elif backend == "gemini" and self.gemini is None:
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
        flagged_before = flagged_labels(before, self.judge.thresholds)
        flagged_after = flagged_labels(after, self.judge.thresholds)
        outcome = "clean" if not flagged_before else "no_safe_rewrite" if flagged_after else "rewritten"
        if flagged_before and rewritten == text:
            notes.append("no safe rewrite found: the comment is returned unchanged; review it by hand")
        elif flagged_after:
            notes.append("no safe rewrite found: the rewrite is still flagged (" + ", ".join(flagged_after) + "); "
                         "review it by hand")  # fmt: skip
        return Rewrite(
            text=text,
            rewrite=rewritten,
            backend=backend,
            before={label: round(float(before[label]), 5) for label in LABELS},
            after={label: round(float(after[label]), 5) for label in LABELS},
            flagged_before=flagged_before,
            flagged_after=flagged_after,
            still_toxic=bool(flagged_after),
            outcome=outcome,
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
    local: LocalRewriter | None = None,
    time_budget_s: float | None = None,
    **gemini_options,
) -> Rewriter:
    """A rewriter judged by the default transformer and guided by the baseline's explanations (or the judge's
    own, without a baseline); Gemini is set up when `api_key` is given or found in the environment.

    `local`: an offline rewriter built before (the app keeps one loaded); its judge then judges every rewrite.
    `time_budget_s`: how long the offline rewriter may work on one text (default `local.TIME_BUDGET_S`).
    """
    if local is not None:
        judge, guide = local.judge, local.guide
    judge = judge or load_model("transformer", root)
    if guide is None:
        try:
            guide = load_model("baseline", root)
        except FileNotFoundError:
            guide = judge
    key = api_key or api_key_from_env()
    gemini, missing = None, None
    if key:
        try:
            from .gemini import GeminiRewriter  # the optional extra: google-genai
        except ImportError:
            missing = "Gemini needs google-genai (pip install '.[gemini]' in the CleanSpeech checkout)"
        else:
            try:
                gemini = GeminiRewriter(key, model=gemini_model or GEMINI_MODEL, **gemini_options)
            except GeminiUnavailable as err:  # settings it cannot use (a key with a line break): said, then local
                missing = str(err).rstrip(".")
    budget = {} if time_budget_s is None else {"time_budget_s": time_budget_s}
    local = local or LocalRewriter(judge, load_lexicon(root), guide, **budget)
    return Rewriter(judge, local, gemini, missing)
