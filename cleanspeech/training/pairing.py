"""Identity mitigation in transformer training: counterfactual copies and counterfactual logit pairing.

Counterfactual copies (`identity_benign_copies`, `identity_toxic_copies`) add training rows with the identity terms
swapped, as the baseline's training does (`data.counterfactual`). Counterfactual logit pairing (Garg et al. 2019,
`clp_weight`) goes further: each training comment that names a group and is not an identity attack travels with an
identity-swapped twin, the twin is scored in the same forward pass, and the loss adds
`clp_weight * mean |logit(comment) - logit(twin)|`, so swapping "gay" for "straight" in a benign comment cannot
move its scores. Twins carry no labels of their own (their targets are NaN, masked out of the BCE). Identity attacks
are left unpaired: "[group] are vermin" should score as an attack whatever the group, but its twin need not.
"""

import numpy as np
import pandas as pd
import torch

from ..data.counterfactual import identity_training_rows, swap_identity_terms
from ..data.statements import parse_attack_languages


def with_counterfactual_copies(train_rows: pd.DataFrame, config) -> pd.DataFrame:
    """The training rows plus their identity-mitigation rows (counterfactual copies, balancing rows, copies of
    attacks without profanity, written identity statements), as `data.counterfactual.identity_training_rows` makes
    them for both families."""
    extra, _ = identity_training_rows(
        train_rows,
        config.identity_benign_copies,
        config.identity_toxic_copies,
        config.identity_balance_factor,
        config.clean_attack_copies,
        config.identity_statements,
        config.seed,
        parse_attack_languages(config.identity_statement_attacks),
    )
    return pd.concat([train_rows, extra], ignore_index=True)


def twin_texts(rows: pd.DataFrame, seed: int) -> list[str | None]:
    """Per row, its identity-swapped twin, or None: no identity term, or a known identity attack."""
    rng = np.random.default_rng(seed + 1)
    attacks = rows["identity_hate"].to_numpy() == 1
    return [None if attack else swap_identity_terms(text, lang, rng)
            for text, lang, attack in zip(rows["text"], rows["lang"], attacks)]  # fmt: skip


def logit_pairing_loss(logits: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between the logits of each (row, twin) pair of the batch; 0 with no pairs."""
    if pairs.numel() == 0:
        return logits.sum() * 0.0  # keeps the graph (and DDP's bookkeeping) the same with and without pairs
    return (logits[pairs[:, 0]].float() - logits[pairs[:, 1]].float()).abs().mean()
