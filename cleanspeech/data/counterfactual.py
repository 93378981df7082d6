"""Counterfactual identity augmentation: training comments that name a group, copied with the group swapped.

Toxicity classifiers learn that "gay" or "Muslim" predicts toxicity because those words occur mostly in attacks.
Counterfactual data augmentation (Dixon et al. 2018; Garg et al. 2019) breaks the link: each training comment that
mentions an identity term is copied with every term replaced by another term of the same language and category,
labels unchanged (an attack on one group stays an attack on another; a benign mention stays benign). Benign
comments get more copies than toxic ones, so identity words appear in benign company at least as often as in
attacks. The terms are the shared list in `identity_terms`.
"""

import re

import numpy as np
import pandas as pd

from ..labels import LABELS
from .identity_terms import IDENTITY_TERMS, identity_spans

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


def _match_case(replacement: str, original: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement


def swap_identity_terms(text: str, lang: str, rng: np.random.Generator) -> str | None:
    """`text` with each identity term of `lang` replaced by another term of its category; None if it has none."""
    pieces, last, swapped = [], 0, False
    for start, end in identity_spans(text):
        word = text[start:end]
        category = _category_of(word.lower(), lang)
        if category is None:
            continue
        choices = [t for t in SWAPPED[category][lang] if t != word.lower()]
        pieces += [text[last:start], _match_case(str(rng.choice(choices)), word)]
        last, swapped = end, True
    return "".join(pieces + [text[last:]]) if swapped else None


def counterfactual_rows(frame: pd.DataFrame, benign_copies: int = DEFAULT_BENIGN_COPIES,
                        toxic_copies: int = DEFAULT_TOXIC_COPIES, seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """New training rows: `benign_copies` swapped copies of each benign row naming a group, `toxic_copies` of each
    toxic one (rows with any label 1), labels kept. Ids get a `~cf<k>` suffix; `source` and `lang` are kept."""
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
