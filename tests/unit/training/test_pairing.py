"""Counterfactual logit pairing: twins ride in the same batch, carry no labels, and the loss pulls each pair's
logits together; identity attacks are never paired."""

import numpy as np
import pandas as pd
import torch

from cleanspeech.data.counterfactual import is_mitigation_row
from cleanspeech.labels import LABELS
from cleanspeech.training.batching import CommentDataset, encode, encode_twins, make_collate
from cleanspeech.training.config import TrainConfig
from cleanspeech.training.pairing import logit_pairing_loss, twin_texts, with_counterfactual_copies
from tests.helpers.tiny_models import build_tokenizer


def rows() -> pd.DataFrame:
    frame = pd.DataFrame({"text": ["I am a gay man", "gay people are vermin", "nice weather today", "muslims pray"],
                          "lang": "en", "id": list("abcd")})  # fmt: skip
    for label in LABELS:
        frame[label] = 0.0
    frame.loc[1, ["toxic", "identity_hate"]] = 1.0  # an identity attack: never paired
    return frame


def test_twins_are_swapped_non_attacks_only():
    twins = twin_texts(rows(), seed=0)
    assert twins[1] is None and twins[2] is None  # the attack, and a comment naming no group
    assert twins[0].startswith("I am a ") and "gay" not in twins[0]  # e.g. "I am a queer female"
    assert twins[3] is not None and "muslims" not in twins[3].lower()
    assert twin_texts(rows(), seed=0) == twins  # the same twins on a resumed run


def test_twins_join_the_batch_unlabelled_and_pair_with_their_comment():
    frame, config = rows(), TrainConfig(max_length=32)
    tokenizer = build_tokenizer(frame["text"].tolist() * 20, vocab_size=200)
    dataset = CommentDataset(*encode(tokenizer, frame, config), twins=encode_twins(tokenizer, twin_texts(frame, 0),
                                                                                   config))  # fmt: skip
    batch = make_collate(tokenizer, None)([dataset[i] for i in range(4)])
    assert batch["input_ids"].shape[0] == 6  # four comments and two twins
    assert batch["pairs"].tolist() == [[0, 4], [3, 5]]
    assert torch.isnan(batch["labels"][4:]).all() and not torch.isnan(batch["labels"][:4]).any()


def test_the_pairing_loss_is_the_mean_absolute_logit_gap():
    logits = torch.tensor([[1.0, 2.0], [0.0, 0.0], [3.0, 2.0]], requires_grad=True)
    loss = logit_pairing_loss(logits, torch.tensor([[0, 2]]))
    assert loss.item() == 1.0  # (|1 - 3| + |2 - 2|) / 2
    loss.backward()
    assert logits.grad[1].abs().sum() == 0  # an unpaired row is untouched
    assert logit_pairing_loss(logits, torch.empty(0, 2, dtype=torch.long)).item() == 0.0


def test_counterfactual_copies_follow_the_config():
    frame = rows()
    off = {"identity_benign_copies": 0, "identity_toxic_copies": 0, "identity_balance_factor": 0}
    assert len(with_counterfactual_copies(frame, TrainConfig(**off, clean_attack_copies=0))) == 4
    swaps_only = TrainConfig(identity_benign_copies=2, identity_toxic_copies=1, identity_balance_factor=0,
                             clean_attack_copies=0)  # fmt: skip
    grown = with_counterfactual_copies(frame, swaps_only)
    assert len(grown) == 4 + 2 + 1 + 2  # two benign rows name a group (2 copies each), the attack 1
    assert np.array_equal(grown.loc[grown["id"] == "b~cf0", "identity_hate"], [1.0])  # labels kept
    attacks = with_counterfactual_copies(frame, TrainConfig(**off, clean_attack_copies=3))
    assert attacks["id"].tolist()[4:] == ["b~atk0", "b~atk1", "b~atk2"]  # the attack uses no profanity
    assert is_mitigation_row(attacks["id"]).tolist() == [False] * 4 + [True] * 3
