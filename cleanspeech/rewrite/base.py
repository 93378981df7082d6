"""The rewriting interface: the result every backend returns, its diffs, and what it knows of the Gemini backend.

Gemini's settings and its error class live here, not in `gemini`, so the offline path (`local`, the app, the CLI)
imports neither google-genai nor pydantic. The bottom of the rewrite subpackage: imports only the core modules.
"""

import difflib
import os
import re
from dataclasses import asdict, dataclass, field

from ..errors import CleanSpeechError

BACKENDS = ("auto", "local", "gemini")
GEMINI_MODEL = "gemini-2.5-flash"  # the default; GeminiRewriter(model=...) picks another

_WORD = re.compile(r"\S+")
EXACT_DIFF_WORDS = 500  # words a side diffed exactly (0.4 s at worst); beyond, recurring words are junk


class GeminiUnavailable(CleanSpeechError):
    """Gemini could not produce a rewrite; the message says why in one line and never contains the API key."""


def base_url_from_env() -> str | None:
    """GEMINI_BASE_URL: another endpoint speaking the same REST API (a company gateway or proxy); unset: Google's."""
    return os.environ.get("GEMINI_BASE_URL", "").strip() or None


def api_key_from_env() -> str | None:
    """The key from GEMINI_API_KEY, else GOOGLE_API_KEY (the names Google's own tools read); blank counts as unset."""
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        key = os.environ.get(name, "").strip()
        if key:
            return key
    return None


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
    # What happened, in one word: "rewritten" (flagged before, not after), "clean" (nothing flagged: returned
    # unchanged) or "no_safe_rewrite" (still flagged after, or no edit was safe to make: review it by hand).
    outcome: str = "rewritten"
    changes: list[dict] = field(default_factory=list)  # {"start", "end", "original", "replacement"} in `text`
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _word_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes of two word lists, quick on long texts: the words both start and end with are set aside
    first (a long comment rewritten in its first part keeps its tail), and past `EXACT_DIFF_WORDS` words a side
    between them, words that recur everywhere count as junk (the exact diff takes time quadratic in repeated words:
    25 s for 2,000)."""
    lead = 0
    while lead < min(len(a), len(b)) and a[lead] == b[lead]:
        lead += 1
    tail = 0
    while tail < min(len(a), len(b)) - lead and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    middle_a, middle_b = a[lead : len(a) - tail], b[lead : len(b) - tail]
    exact = max(len(middle_a), len(middle_b)) <= EXACT_DIFF_WORDS
    opcodes = [("equal", 0, lead, 0, lead)] if lead else []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=middle_a, b=middle_b, autojunk=not exact).get_opcodes():
        opcodes.append((op, i1 + lead, i2 + lead, j1 + lead, j2 + lead))
    if tail:
        opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return opcodes


def changed_spans(original: str, rewritten: str) -> list[dict]:
    """Word-level differences: which spans of `original` were replaced, and by what (empty for a deletion)."""
    old, new = list(_WORD.finditer(original)), list(_WORD.finditer(rewritten))
    changes = []
    for op, i1, i2, j1, j2 in _word_opcodes([m.group(0) for m in old], [m.group(0) for m in new]):
        if op == "equal":
            continue
        start = old[i1].start() if i1 < len(old) else len(original)
        end = old[i2 - 1].end() if i2 > i1 else start
        replacement = rewritten[new[j1].start() : new[j2 - 1].end()] if j2 > j1 else ""
        changes.append({"start": start, "end": end, "original": original[start:end], "replacement": replacement})
    return changes


def word_diff(original: str, rewritten: str) -> list[tuple[str, str]]:
    """(op, text) runs for display: op is equal, delete (only in the original) or insert (only in the rewrite), and
    a `newline` run between the lines of a comment the rewrite kept the lines of (diffed line by line: joined on
    spaces, a two-line comment was shown as one line, its second language beside the first)."""
    old_lines, new_lines = original.strip().splitlines(), rewritten.strip().splitlines()
    if len(old_lines) > 1 and len(old_lines) == len(new_lines):
        runs = []
        for i, (old_line, new_line) in enumerate(zip(old_lines, new_lines)):
            runs += [("newline", "\n")] * bool(i) + _line_diff(old_line, new_line)
        return runs
    return _line_diff(original, rewritten)


def _line_diff(original: str, rewritten: str) -> list[tuple[str, str]]:
    old, new = original.split(), rewritten.split()
    runs = []
    for op, i1, i2, j1, j2 in _word_opcodes(old, new):
        if op == "equal":
            runs.append(("equal", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("delete", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("insert", " ".join(new[j1:j2])))
    return runs
