"""Pieces of the training pipeline on real data: class weights, masked loss, length-grouped batches."""

import numpy as np
import pandas as pd
import pytest
import torch

from cleanspeech.errors import DataFileNotFound, InputError
from cleanspeech.labels import LABELS
from cleanspeech.training import (
    LengthGroupedBatches,
    class_weights,
    masked_weighted_bce,
    oversample_positives,
    parse_oversampling,
)


def test_class_weights_follow_the_seed_formula(dataset):
    train = dataset[dataset["fold"] == "train"]
    weights = class_weights(train)
    freq = np.array([train[lb].dropna().mean() for lb in LABELS])  # over the rows that annotate the label
    expected = 1 / (freq + 1e-6)
    expected = expected / expected.sum() * 6
    np.testing.assert_allclose(weights.numpy(), expected, rtol=1e-6)
    assert weights.sum().item() == pytest.approx(6.0)
    assert weights[LABELS.index("threat")] > weights[LABELS.index("toxic")]  # rare labels weigh more


def test_oversampling_repeats_rare_positives_in_place(dataset):
    train = dataset[(dataset["fold"] == "train") & (dataset["source"] == "jigsaw")].sample(3000, random_state=0)
    repeated = oversample_positives(train, parse_oversampling("threat=4, identity_hate=2"))
    threat, hate = train["threat"].fillna(0) == 1, train["identity_hate"].fillna(0) == 1
    assert threat.sum() > 0 and hate.sum() > 0
    expected_rows = len(train) + 3 * threat.sum() + (hate & ~threat).sum()
    assert len(repeated) == expected_rows
    counts = repeated.index.value_counts()
    assert (counts[train.index[threat]] == 4).all()  # both labels: the larger count, not the sum
    assert (counts[train.index[hate & ~threat]] == 2).all()
    assert (counts[train.index[~threat & ~hate]] == 1).all()
    assert list(dict.fromkeys(repeated.index)) == list(train.index)  # order kept, copies beside their original
    assert oversample_positives(train, {}).equals(train)


@pytest.mark.parametrize("spec", ["threat", "threat=0", "menace=3", "threat=two"])
def test_bad_oversampling_is_a_clear_error(spec):
    with pytest.raises(InputError, match="--oversample"):
        parse_oversampling(spec)


def test_masked_labels_do_not_contribute():
    torch.manual_seed(0)
    logits = torch.randn(8, 6, requires_grad=True)
    targets = torch.randint(0, 2, (8, 6)).float()
    targets[:4, 3] = float("nan")  # threat unknown for half the rows
    weights = torch.linspace(0.5, 1.5, 6)
    loss = masked_weighted_bce(logits, targets, weights)
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.all(logits.grad[:4, 3] == 0) and torch.all(logits.grad[4:, 3] != 0)

    known = ~torch.isnan(targets)
    per_entry = torch.nn.functional.binary_cross_entropy_with_logits(
        logits.detach()[known], targets[known], reduction="none"
    )
    expected = (per_entry * weights.expand(8, 6)[known]).sum() / known.sum()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)

    shifted = logits.detach().clone()
    shifted[:4, 3] += 100.0  # whatever the model says about an unknown label costs nothing
    assert masked_weighted_bce(shifted, targets, weights).item() == pytest.approx(loss.item(), rel=1e-6)


def test_length_grouped_batches_cover_everything_once():
    lengths = list(np.random.default_rng(0).integers(5, 300, size=1000))
    sampler = LengthGroupedBatches(lengths, batch_size=16, seed=42, mega=10)
    first = sampler.batches()
    assert sorted(i for b in first for i in b) == list(range(1000)) and len(first) == len(sampler)
    assert first == sampler.batches()  # a pure function of (seed, epoch): resumable
    sampler.use_epoch(1)
    assert first != sampler.batches()
    spread = np.mean([np.ptp([lengths[i] for i in b]) for b in first])
    random_spread = np.mean([np.ptp(lengths[i : i + 16]) for i in range(0, 1000, 16)])
    assert spread < random_spread / 3  # batches hold comments of similar length


def test_frame_targets_keep_nan(dataset):
    told = dataset[(dataset["source"] == "told_br") & (dataset["fold"] == "train")]
    assert pd.isna(told["threat"]).all() and told["insult"].notna().all()


def test_extra_data_rows_train_and_never_validate(data_dir, tmp_path):
    from cleanspeech.data import build_dataset
    from cleanspeech.training.batching import load_training_frame
    from cleanspeech.training.config import TrainConfig

    built = build_dataset(str(data_dir))
    validation_text = built.loc[built["fold"] == "validation", "text"].iloc[0]
    extra = tmp_path / "decisions.csv"
    rows = {"comment_text": ["our word for it, said kindly", "go back where you came from", validation_text],
            "toxic": [0, 1, 1], "identity_hate": ["0", "1", ""], "insult": [0, "", ""]}  # fmt: skip
    pd.DataFrame(rows).to_csv(extra, index=False)
    config = TrainConfig(data_dir=str(data_dir), extra_data=str(extra), max_eval_samples=50)
    frame = load_training_frame(config)
    mine = frame[frame["source"] == "extra"]
    assert len(mine) == 2 and set(mine["fold"]) == {"train"}  # the validation comment never trains
    assert mine["insult"].isna().tolist() == [False, True]  # a blank cell is "not judged", not 0
    assert mine["threat"].isna().all()  # a label the file does not have is not judged either
    bad = tmp_path / "bad.csv"
    bad.write_text("comment_text,toxic\nhello,maybe\n")
    with pytest.raises(DataFileNotFound, match="must be 0, 1 or blank"):
        load_training_frame(TrainConfig(data_dir=str(data_dir), extra_data=str(bad)))
