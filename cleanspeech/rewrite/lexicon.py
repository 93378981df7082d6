"""A lexicon of toxic phrases and their polite replacements, mined from human rewrites (ParaDetox).

Each (toxic, neutral) pair is tokenised the same way and aligned word by word (difflib); every stretch of at most
three words the human replaced or deleted is a candidate ("kissing ass" -> "flattering", "fucking" -> ""). A phrase
enters the lexicon when people changed it often (`min_count`) and in most of the sentences where it occurs
(`min_rate`): "ass" is changed nearly every time, "you" almost never. Each entry keeps its most frequent
replacements, the empty string meaning deletion.
"""

import difflib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# A token: a word, possibly with inner apostrophes or masking stars ("don't", "f*ck"), or one other symbol.
TOKEN = re.compile(r"\w+(?:['’*]+\w+)*\*?|[^\w\s]")
_SPLIT_CONTRACTION = re.compile(r"(\w) ['’](\w)")  # ParaDetox writes "don 't", "i 'm"
MAX_PHRASE_WORDS = 3
LEXICON_FILE = "lexicon.json"


# A replacement mined fewer times than this, or for a smaller share of a phrase's rewrites, is a paraphrase of the
# sentence around it: "fuck you" -> "middle" (2 of 37), "the fuck" -> "what" (19 of 693, from "what the fuck").
MIN_REPLACEMENT_COUNT = 3
MIN_REPLACEMENT_SHARE = 0.05


def tokens(text: str) -> list[re.Match]:
    """Token matches of `text`, with their character spans."""
    return list(TOKEN.finditer(text))


def normalize_words(text: str) -> list[str]:
    """Lower-cased tokens as the lexicon stores them."""
    return [m.group(0).lower().replace("’", "'") for m in tokens(_SPLIT_CONTRACTION.sub(r"\1'\2", text))]


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _changed_spans(source: list[str], target: list[str]):
    """(source words, replacement words) for each stretch a human replaced or deleted."""
    matcher = difflib.SequenceMatcher(a=source, b=target, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op not in ("replace", "delete"):
            continue
        phrase = [t for t in source[i1:i2] if _is_word(t)]
        replacement = [t for t in target[j1:j2] if _is_word(t)]
        if phrase:
            yield phrase, replacement


def _ngrams(words: list[str]) -> set[str]:
    words = [w for w in words if _is_word(w)]
    return {" ".join(words[i : i + n]) for n in range(1, MAX_PHRASE_WORDS + 1) for i in range(len(words) - n + 1)}


@dataclass
class Lexicon:
    """phrase -> {"rate": share of sentences with it where people changed it, "replacements": [[text, count], ...]}"""

    entries: dict[str, dict]
    english_words: frozenset[str] = frozenset()  # words of the polite side: tells English text from other languages

    @classmethod
    def mine(cls, pairs: list[tuple[str, str]], min_count: int = 3, min_rate: float = 0.5, keep: int = 3) -> "Lexicon":
        replaced: dict[str, Counter] = defaultdict(Counter)  # exact stretch -> its replacements
        changed, occurrences = Counter(), Counter()  # pairs where a phrase sat inside a changed stretch / at all
        polite_words = Counter()
        for toxic, neutral in pairs:
            polite_words.update(w for w in normalize_words(neutral) if w.isalpha())
            source = normalize_words(toxic)
            occurrences.update(_ngrams(source))
            inside = set()
            for phrase, replacement in _changed_spans(source, normalize_words(neutral)):
                inside |= _ngrams(phrase)
                if len(phrase) <= MAX_PHRASE_WORDS and len(replacement) <= MAX_PHRASE_WORDS:
                    replaced[" ".join(phrase)][" ".join(replacement)] += 1
            changed.update(inside)
        entries = {}
        for phrase, replacements in replaced.items():
            total = sum(replacements.values())
            rate = changed[phrase] / max(occurrences[phrase], 1)
            if total >= min_count and rate >= min_rate and any(n > 1 or not t for t, n in replacements.items()):
                entries[phrase] = {
                    "rate": round(min(rate, 1.0), 3),
                    # A replacement one person chose once is too often a paraphrase of the whole sentence.
                    "replacements": [[text, n] for text, n in replacements.most_common(keep) if n > 1 or not text],
                }
        english = frozenset(w for w, n in polite_words.items() if n >= min_count)
        return cls(dict(sorted(entries.items())), english)

    @classmethod
    def load(cls, path: str | Path) -> "Lexicon":
        path = Path(path)
        stored = json.loads((path / LEXICON_FILE if path.is_dir() else path).read_text())
        return cls(stored["entries"], frozenset(stored.get("english_words", ())))

    def looks_english(self, text: str) -> bool:
        """Whether most words of `text` are English words the lexicon knows (True when it knows none): the words of
        the polite side and those of the phrases it rewrites, so that the more abusive an English comment ("Moron!",
        "fucking idiot"), the less it would look English."""
        words = [w for w in normalize_words(text) if w.isalpha()]
        if not self.english_words or not words:
            return True
        return sum(w in self._known_words for w in words) >= 0.5 * len(words)

    @cached_property
    def _known_words(self) -> frozenset[str]:
        return self.english_words | {w for phrase in self.entries for w in phrase.split() if w.isalpha()}

    def save(self, path: str | Path, source: str = "") -> Path:
        path = Path(path)
        target = path / LEXICON_FILE if path.suffix != ".json" else path
        target.parent.mkdir(parents=True, exist_ok=True)
        # One phrase per line: readable, and a re-mined lexicon diffs line by line.
        lines = [
            f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in self.entries.items()
        ]
        head = f'{{"source": {json.dumps(source)}, "phrases": {len(self.entries)}, "entries": {{\n'
        english = json.dumps(sorted(self.english_words), ensure_ascii=False)
        target.write_text(head + ",\n".join(lines) + f'\n}},\n"english_words": {english}}}\n')
        return target

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, phrase) of every lexicon phrase in `text`, longest first where they overlap."""
        words = [m for m in tokens(text) if _is_word(m.group(0))]
        found, taken = [], set()
        for n in range(MAX_PHRASE_WORDS, 0, -1):
            for i in range(len(words) - n + 1):
                span = words[i : i + n]
                phrase = " ".join(m.group(0).lower().replace("’", "'") for m in span)
                if phrase in self.entries and not taken.intersection(range(i, i + n)):
                    found.append((span[0].start(), span[-1].end(), phrase))
                    taken.update(range(i, i + n))
        return sorted(found)

    def replacements(self, phrase: str) -> list[str]:
        return [text for text, _ in self.entries[phrase]["replacements"]]

    def replacement_shares(self, phrase: str) -> list[tuple[str, float]]:
        """Each kept replacement of `phrase` with the share of its rewrites that chose it, most chosen first. Leaving
        the phrase out is always offered; a replacement only where annotators chose it often enough to be a rewrite
        of the phrase rather than of its sentence (`MIN_REPLACEMENT_COUNT`, `MIN_REPLACEMENT_SHARE`)."""
        kept = self.entries[phrase]["replacements"]
        total = sum(n for _, n in kept)
        return [(text, n / total) for text, n in kept
                if not text or (n >= MIN_REPLACEMENT_COUNT and n / total >= MIN_REPLACEMENT_SHARE)]  # fmt: skip
