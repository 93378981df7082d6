"""The baseline on real data: fit/predict/save/load, masking, and the shipped artifact."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech import predict
from cleanspeech.classifiers.baseline import BaselineModel
from cleanspeech.errors import InputError, ModelNotFound
from cleanspeech.evaluation.metrics import evaluate
from cleanspeech.labels import LABELS


def test_predict_proba_shape(small_baseline):
    scores = small_baseline.predict_proba(["You are a disgusting idiot.", "Thanks for fixing the citation.", ""])
    assert list(scores.columns) == list(LABELS) and len(scores) == 3
    assert ((scores >= 0) & (scores <= 1)).all().all()
    assert scores.loc[0, "toxic"] > scores.loc[1, "toxic"]
    assert small_baseline.predict_proba([]).shape == (0, 6)
    assert small_baseline.predict_proba("one string is one comment").shape == (1, 6)


def test_no_comments_give_the_same_columns_and_types_as_some(shipped_baseline):
    none, some = shipped_baseline.predict_proba([]), shipped_baseline.predict_proba(["hi"])
    assert none.dtypes.to_dict() == some.dtypes.to_dict()  # float32 both: one return shape


def test_small_model_learns_from_real_data(small_baseline, dataset):
    rows = dataset[(dataset["fold"] == "validation") & (dataset["source"] == "jigsaw")].head(2000)
    table = evaluate(rows[list(LABELS)], small_baseline.predict_proba(rows["text"]))
    assert table.loc["toxic", "roc_auc"] > 0.9


def test_save_load_round_trip(small_baseline, tmp_path):
    texts = ["You are a disgusting idiot.", "Я тебя найду", "nice work"]
    small_baseline.thresholds = {lb: 0.3 for lb in LABELS}
    small_baseline.save(tmp_path)
    loaded = BaselineModel.load(tmp_path)
    pd.testing.assert_frame_equal(loaded.predict_proba(texts), small_baseline.predict_proba(texts), atol=1e-5)
    assert loaded.thresholds == small_baseline.thresholds
    assert json.loads((tmp_path / "baseline_meta.json").read_text())["labels"] == list(LABELS)


def test_a_model_saved_with_joblib_still_loads_and_a_retrain_replaces_its_file(small_baseline, tmp_path):
    import joblib

    texts = ["You are a disgusting idiot.", "nice work"]
    small_baseline.save(tmp_path)
    (tmp_path / "baseline_pipeline.pkl.gz").unlink()  # the folder as older versions wrote it
    joblib.dump({"features": small_baseline.features, "classifiers": small_baseline.classifiers},
                tmp_path / "baseline_pipeline.joblib", compress=3)  # fmt: skip
    legacy = BaselineModel.load(tmp_path)
    pd.testing.assert_frame_equal(legacy.predict_proba(texts), small_baseline.predict_proba(texts))
    legacy.save(tmp_path)
    assert sorted(p.name for p in tmp_path.glob("baseline_pipeline*")) == ["baseline_pipeline.pkl.gz"]
    pd.testing.assert_frame_equal(BaselineModel.load(tmp_path).predict_proba(texts), legacy.predict_proba(texts))


def test_unknown_labels_are_masked_in_training(dataset):
    rows = dataset[(dataset["fold"] == "train") & dataset["source"].isin(["jigsaw", "told_br"])]
    rows = rows.sample(3000, random_state=1)
    model = BaselineModel(word_max_features=5000, char_max_features=5000).fit(rows["text"], rows[list(LABELS)])
    # threat is unknown (NaN) for ToLD-Br: its classifier must equal one trained on the Jigsaw rows alone.
    jigsaw = (rows["source"] == "jigsaw").to_numpy()
    assert rows.loc[~jigsaw, "threat"].isna().all() and jigsaw.sum() < len(rows)
    matrix = model.features.transform(model.clean_texts(rows["text"]))
    reference = model._fit_label(matrix[jigsaw], rows.loc[jigsaw, "threat"].astype(int).to_numpy())
    np.testing.assert_allclose(model.classifiers["threat"].coef_, reference.coef_, rtol=1e-3, atol=1e-5)
    # Counting the unknown rows as negatives would have given another classifier.
    as_negative = model._fit_label(matrix, rows["threat"].fillna(0).astype(int).to_numpy())
    assert not np.allclose(model.classifiers["threat"].coef_, as_negative.coef_, atol=1e-3)


def test_nb_average_is_one_linear_model(small_baseline):
    """The folded classifier's log-odds are exactly coefficient . tfidf + intercept (what explanations rely on)."""
    texts = ["You are a disgusting idiot.", "Thanks for the edit."]
    matrix = small_baseline.features.transform(small_baseline.clean_texts(texts))
    clf = small_baseline.classifiers["insult"]
    logits = matrix @ clf.coef_.ravel() + clf.intercept_[0]
    expected = small_baseline.predict_proba(texts)["insult"].to_numpy()
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), expected, rtol=1e-6)


def test_a_label_with_one_known_class_cannot_train():
    targets = pd.DataFrame({lb: [0.0, 1.0, np.nan] for lb in LABELS}).assign(threat=[0.0, np.nan, 0.0])
    with pytest.raises(ValueError, match="cannot train 'threat'"):
        BaselineModel(min_df=1).fit(["a b c", "d e f", "g h i"], targets)


def test_load_missing_model_says_how_to_create_it(tmp_path):
    with pytest.raises(ModelNotFound, match="train_baseline.py"):
        BaselineModel.load(tmp_path)


@pytest.mark.artifact
def test_shipped_baseline_flags_an_obvious_insult(shipped_baseline_dir):
    model = BaselineModel.load(shipped_baseline_dir)
    scores = predict(
        ["You are a disgusting idiot.", "Thank you for the helpful edit."], model=str(shipped_baseline_dir)
    )
    assert scores.loc[0, "toxic"] >= model.thresholds["toxic"] and scores.loc[0, "insult"] >= model.thresholds["insult"]
    assert scores.loc[1, "toxic"] < model.thresholds["toxic"]


def test_scores_of_a_series_keep_its_index(shipped_baseline, shipped_transformer):
    frame = pd.DataFrame({"comment_text": ["hello", "You are a disgusting idiot.", "Thanks for the fix!", "go die"]})
    kept = frame[frame["comment_text"].str.len() > 5]  # rows 1, 2, 3: a filtered frame's column
    for model in (shipped_baseline, shipped_transformer):
        scores = model.predict_proba(kept["comment_text"])
        assert scores.index.tolist() == [1, 2, 3], model.name  # assigned back, each score lands on its own row
        assert kept.assign(toxic=scores["toxic"])["toxic"].idxmin() == 2  # the thank-you, not the insult
        assert model.predict_proba(list(kept["comment_text"])).index.tolist() == [0, 1, 2]  # a list: positions


@pytest.mark.parametrize(
    "texts, says",
    [
        (b"You idiot", "decode them first"),  # would be scored as nine comments, one per byte
        (["Thanks!", b"You idiot"], r"texts\[1\] is bytes"),  # would be scored as an empty comment
        (pd.DataFrame({"comment_text": ["You idiot"]}), "pass the column"),  # would score the column's name
        ({"a": "You idiot"}, "not dict"),  # would score the keys
        (None, "not NoneType"),
        (42, "not int"),
    ],
)
def test_what_would_be_misread_is_refused_by_every_family(texts, says, shipped_baseline, shipped_transformer):
    for model in (shipped_baseline, shipped_transformer):
        with pytest.raises(InputError, match=says):
            model.predict_proba(texts)
    assert shipped_baseline.predict_proba(("You idiot", float("nan"))).shape == (2, len(LABELS))  # NaN: an empty cell


def test_a_lone_surrogate_is_scored_by_every_family(shipped_baseline, shipped_transformer):
    """JSON can carry "\\ud800" and a file decoded with surrogateescape holds such code points: no tokenizer takes one,
    so every model reads it as U+FFFD, as the CLI reads undecodable bytes."""
    texts = json.loads('["You \\ud800 idiot", "You \\udcff"]')
    for model in (shipped_baseline, shipped_transformer):
        scores = model.predict_proba(texts)
        expected = model.predict_proba(["You \ufffd idiot", "You \ufffd"])
        assert np.allclose(scores.to_numpy(), expected.to_numpy(), atol=1e-6), model.name


@pytest.mark.artifact
def test_shipped_artifact_is_small_and_complete(shipped_baseline_dir):
    total = sum(p.stat().st_size for p in shipped_baseline_dir.iterdir())
    assert total < 30 * 2**20
    meta = json.loads((shipped_baseline_dir / "baseline_meta.json").read_text())
    assert set(meta["thresholds"]) == set(LABELS) and meta["training_data"]["train"]["jigsaw"]["rows"] > 30_000
    report = json.loads((shipped_baseline_dir / "evaluation.json").read_text())
    assert set(report["splits"]) == {"validation", "test"}
    assert report["splits"]["validation"]["metrics"]["macro"]["roc_auc"] > 0.95
    assert len(report["predictions"]["test"]["id"]) == 1027


def test_train_baseline_script_on_kaggle_files(kaggle_dir, tmp_path, capsys):
    """The training script end to end on Kaggle's file layout (zipped train.csv): the artifact a user would ship."""
    from tests.helpers import run_script

    out = tmp_path / "baseline"
    result = run_script(capsys, "train_baseline", "--data-dir", str(kaggle_dir), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    assert "test: macro ROC-AUC" in result.stdout
    meta = json.loads((out / "baseline_meta.json").read_text())
    assert meta["jigsaw"] == "kaggle" and meta["training_data"]["test"]["jigsaw"]["rows"] == 1027
    report = json.loads((out / "evaluation.json").read_text())
    assert report["splits"]["test"]["metrics"]["macro"]["roc_auc"] > 0.8
    assert set(report["splits"]["validation"]["curves"]) <= set(LABELS)
    model = BaselineModel.load(out)
    assert model.thresholds == meta["thresholds"]
