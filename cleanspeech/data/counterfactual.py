"""Counterfactual identity augmentation: training comments that name a group, copied with the group swapped.

Toxicity classifiers learn that "gay" or "Muslim" predicts toxicity because those words occur mostly in attacks.
Counterfactual data augmentation (Dixon et al. 2018; Garg et al. 2019) breaks the link: each training comment that
mentions an identity term is copied with every term replaced by another term of the same language and category,
labels unchanged (an attack on one group stays an attack on another; a benign mention stays benign). Benign
comments get more copies than toxic ones, so identity words appear in benign company at least as often as in
attacks. The terms are the shared list in `identity_terms`.

Swaps alone cannot fix a term whose whole category appears mostly in attacks, so `identity_training_rows` (what both
training scripts call) adds two more kinds of rows: balancing rows (real benign comments naming a group, the group
replaced by a term that is mostly seen in attacks, until it is not) and identity-swapped copies of the identity attacks
that use no profanity, the rarest and most missed kind of hate. The corpora we may ship hold too few of those, and too
few benign sentences that deny, quote or denounce hate, so it adds written identity statements too (`statements`).
"""

import re
from collections import Counter

import numpy as np
import pandas as pd

from ..labels import LABELS
from ..text import upper_first
from .identity_terms import IDENTITY_TERMS, identity_spans
from .statements import DEFAULT_DENIALS, DEFAULT_STATEMENTS, GRAMMARS, identity_statement_rows
from .statements import ID_MARK as STATEMENT_MARK

DEFAULT_BENIGN_COPIES = 6  # copies of each benign comment that names a group (2 measured worse: docs/training.md)
DEFAULT_TOXIC_COPIES = 1  # copies of each toxic one
# Age words ("old", "young", "jeune") mostly say how old something is ("18 years old"), not who someone is: swapping
# them makes nonsense, so they are left as they are.
SWAPPED = {category: languages for category, languages in IDENTITY_TERMS.items() if category != "age"}


def _category_of(word: str, lang: str) -> str | None:
    for category, languages in SWAPPED.items():
        if word in languages.get(lang, ()):
            return category
    return None


def _swappable_spans(text: str, lang: str) -> list[tuple[int, int, str]]:
    """(start, end, category) of each identity term of `lang` in `text` that may be swapped (age words may not)."""
    spans = [(start, end, _category_of(text[start:end].lower(), lang)) for start, end in identity_spans(text)]
    return [span for span in spans if span[2] is not None]


def _match_case(replacement: str, original: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    return upper_first(replacement) if original[:1].isupper() else replacement


def swap_identity_terms(text: str, lang: str, rng: np.random.Generator) -> str | None:
    """`text` with each identity term of `lang` replaced by another term of its category; None if it has none."""
    spans = _swappable_spans(text, lang)
    pieces, last = [], 0
    for start, end, category in spans:
        word = text[start:end]
        choices = [t for t in SWAPPED[category][lang] if t != word.lower()]
        pieces += [text[last:start], _match_case(str(rng.choice(choices)), word)]
        last = end
    return "".join(pieces + [text[last:]]) if spans else None


def counterfactual_rows(frame: pd.DataFrame, benign_copies: int = DEFAULT_BENIGN_COPIES,
                        toxic_copies: int = DEFAULT_TOXIC_COPIES, seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """New training rows: `benign_copies` swapped copies of each benign row naming a group, `toxic_copies` of each
    toxic one (rows with any label 1), labels kept. Ids get a `~cf<k>` suffix; `source` and `lang` are kept."""
    if not (benign_copies or toxic_copies):
        return frame.iloc[:0]
    rng = np.random.default_rng(seed)
    words = {t for languages in SWAPPED.values() for terms in languages.values() for t in terms}
    pattern = r"(?i)(?<![\w-])(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?![\w-])"
    naming = frame[frame["lang"].isin({lang for ls in SWAPPED.values() for lang in ls})]
    naming = naming[naming["text"].str.contains(pattern, regex=True)]
    toxic = (naming[list(LABELS)] == 1).any(axis=1).to_numpy()
    new = []
    for row, is_toxic in zip(naming.to_dict("records"), toxic):
        for k in range(toxic_copies if is_toxic else benign_copies):
            text = swap_identity_terms(row["text"], row["lang"], rng)
            if text is None:
                break
            new.append(row | {"text": text, "id": f"{row['id']}~cf{k}"})
    return pd.DataFrame(new, columns=frame.columns)


# --- Term balancing (Dixon et al. 2018): benign mentions until no identity term predicts toxicity ---------------------
# Swapping within a category cannot help a term whose whole category is mostly seen in attacks ("gay": 83% of the
# English training comments naming it are toxic). Balancing adds, per term, real benign comments of the same language
# that name some group, with that group replaced by the term, until the term's toxic share is no higher than the
# language's own. MAX_BALANCE_FACTOR caps the added rows at a multiple of the term's toxic rows, so a term seen in
# three attacks cannot pull in hundreds of copies.
DEFAULT_BALANCE_FACTOR = 4  # 0 turns balancing off
# Identity attacks that use no profanity ("[group] don't deserve to vote") are rare in every corpus and the first
# thing a profanity-led model misses: each gets this many identity-swapped copies (an attack stays an attack).
DEFAULT_CLEAN_ATTACK_COPIES = 2


def _any_toxic(frame: pd.DataFrame) -> np.ndarray:
    return (frame[list(LABELS)] == 1).any(axis=1).to_numpy()


def _terms_named(texts: pd.Series, lang: str) -> list[set[str]]:
    return [{text[start:end].lower() for start, end, _ in _swappable_spans(text, lang)} for text in texts]


def _replace_one(text: str, lang: str, term: str, rng: np.random.Generator) -> str:
    spans = _swappable_spans(text, lang)
    start, end, _ = spans[int(rng.integers(len(spans)))]
    return text[:start] + _match_case(term, text[start:end]) + text[end:]


def _balancing_counts(named: list[set[str]], toxic: np.ndarray, max_factor: int) -> dict[str, int]:
    """Per term, how many benign mentions to add so that its toxic share is at most the rows' overall share."""
    rate = toxic.mean()
    toxic_counts = Counter(t for names, is_toxic in zip(named, toxic) if is_toxic for t in names)
    benign_counts = Counter(t for names, is_toxic in zip(named, toxic) if not is_toxic for t in names)
    wanted = {t: int(np.ceil(n * (1 - rate) / rate)) - benign_counts[t] for t, n in toxic_counts.items()}
    return {t: min(w, max_factor * toxic_counts[t]) for t, w in sorted(wanted.items()) if w > 0}


def balancing_rows(frame: pd.DataFrame, seed: int = 0, max_factor: int = DEFAULT_BALANCE_FACTOR) -> pd.DataFrame:
    """Benign rows that bring each identity term's toxic share down to its language's: real benign comments naming
    any group, one group replaced by the term. Ids get a `~bal` suffix; labels are the donor's (all benign)."""
    if max_factor <= 0:
        return frame.iloc[:0]
    rng, new = np.random.default_rng(seed + 2), []
    for lang, rows in frame.groupby("lang", sort=True):
        if not any(lang in languages for languages in SWAPPED.values()):
            continue
        toxic, named = _any_toxic(rows), _terms_named(rows["text"], lang)
        donors = [i for i, names in enumerate(named) if names and not toxic[i]]
        if not donors or toxic.mean() in (0.0, 1.0):
            continue
        records = rows.to_dict("records")
        for term, wanted in _balancing_counts(named, toxic, max_factor).items():
            for k, i in enumerate(rng.choice(donors, size=wanted)):
                text = _replace_one(records[i]["text"], lang, term, rng)
                new.append(records[i] | {"text": text, "id": f"{records[i]['id']}~bal-{term}-{k}"})
    return pd.DataFrame(new, columns=frame.columns)


def clean_attack_rows(frame: pd.DataFrame, copies: int = DEFAULT_CLEAN_ATTACK_COPIES, seed: int = 0) -> pd.DataFrame:
    """`copies` identity-swapped copies (plain copies where no term is found) of each identity attack that is not
    labelled obscene. Ids get a `~atk<k>` suffix."""
    rng = np.random.default_rng(seed + 3)
    attacks = frame[(frame["identity_hate"] == 1) & (frame["obscene"] != 1)]
    new = []
    for row in attacks.to_dict("records"):
        for k in range(copies):
            text = swap_identity_terms(row["text"], row["lang"], rng) or row["text"]
            new.append(row | {"text": text, "id": f"{row['id']}~atk{k}"})
    return pd.DataFrame(new, columns=frame.columns)


def identity_training_rows(frame: pd.DataFrame, benign_copies: int = DEFAULT_BENIGN_COPIES,
                           toxic_copies: int = DEFAULT_TOXIC_COPIES, balance_factor: int = DEFAULT_BALANCE_FACTOR,
                           clean_attack_copies: int = DEFAULT_CLEAN_ATTACK_COPIES,
                           statements: int = DEFAULT_STATEMENTS, seed: int = 0,
                           statement_attack_languages=None, statement_denials: float = DEFAULT_DENIALS
                           ) -> tuple[pd.DataFrame, dict[str, int]]:  # fmt: skip
    """Every identity-mitigation row for the training rows `frame` (both training scripts use this), and how many
    of each kind: counterfactual copies, balancing rows, copies of attacks without profanity, and up to `statements`
    written identity statements per language (`data.statements`), never more than the real rows (so a small run is
    not mostly statements); their attacks only in `statement_attack_languages` (None: every language), and
    `statement_denials` of them outright denials of an attack."""
    per_language = min(statements, len(frame) // len(GRAMMARS))
    parts = {
        "counterfactual": counterfactual_rows(frame, benign_copies, toxic_copies, seed),
        "balancing": balancing_rows(frame, seed, balance_factor),
        "clean_attacks": clean_attack_rows(frame, clean_attack_copies, seed),
        "statements": identity_statement_rows(
            frame.columns, per_language, seed, attack_languages=statement_attack_languages, denials=statement_denials
        ),
    }
    counts = {name: len(part) for name, part in parts.items()}
    return pd.concat(list(parts.values()), ignore_index=True), counts


# What the functions above append to the ids of the rows they make.
MITIGATION_ID_MARKS = ("~cf", "~bal-", "~atk", STATEMENT_MARK)


def is_mitigation_row(ids: pd.Series) -> pd.Series:
    """True where an id is one of the rows `identity_training_rows` made, not a real comment."""
    return ids.astype(str).str.contains("|".join(map(re.escape, MITIGATION_ID_MARKS)), regex=True)
