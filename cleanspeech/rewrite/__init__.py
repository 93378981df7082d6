"""Rewriting: polite rewrites of toxic comments, re-scored before and after, and how good rewrites are measured.

Owns the interface (`base`: the `Rewrite` result, diffs, Gemini's settings), the lexicon mined from ParaDetox
(`lexicon`), the offline explanation-guided rewriter (`local`), the Gemini backend (`gemini`, an optional extra
imported only when a key is set), the rewriting metrics (`metrics`) and `load_rewriter` (`rewriter`). May import
`explain`, `classifiers` and the core modules.

>>> from cleanspeech.rewrite import load_rewriter
>>> load_rewriter().rewrite("You are a disgusting idiot.").rewrite      # doctest: +SKIP
"""

from .base import BACKENDS, GEMINI_MODEL, GeminiUnavailable, Rewrite, changed_spans, word_diff
from .rewriter import REWRITER_DIR, Rewriter, load_lexicon, load_rewriter

__all__ = [
    "BACKENDS",
    "GEMINI_MODEL",
    "REWRITER_DIR",
    "GeminiUnavailable",
    "Rewrite",
    "Rewriter",
    "changed_spans",
    "load_lexicon",
    "load_rewriter",
    "word_diff",
]
