"""The sentence-embedding family: frozen e5 embeddings under one logistic regression per label or a hidden layer."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.classifiers import load_model
from cleanspeech.classifiers.e5 import embed_comments, sentence_embeddings
from cleanspeech.classifiers.embedding import MAX_LENGTH, EmbeddingModel
from cleanspeech.errors import InputError, ModelNotFound
from cleanspeech.labels import LABELS
from cleanspeech.sysinfo import native_cpu_bf16
from tests.helpers import run_script

pytestmark = pytest.mark.xdist_group("e5")

ATTACKS = ["{g} are vermin and should leave.", "{g} do not deserve to vote.", "I will never respect {g}.",
           "{g} are a disease on this country."]  # fmt: skip
BENIGN = ["{g} are my neighbours and friends.", "I have always respected {g}.", "Saying {g} are vermin is hateful.",
          "The article is about {g} in history."]  # fmt: skip
GROUPS = ["Muslims", "gay people", "women", "immigrants", "Jews", "refugees"]


def _rows(templates, groups, hate: float) -> pd.DataFrame:
    texts = [t.format(g=g).capitalize() for t in templates for g in groups]
    labels = dict.fromkeys(LABELS, 0.0) | {"toxic": hate, "identity_hate": hate, "threat": np.nan}
    return pd.DataFrame([{"text": t, **labels} for t in texts])


@pytest.fixture(scope="module")
def stance_model():
    """A model fitted on attacks on and benign sentences about five groups; `threat` is unknown on half the rows."""
    rows = pd.concat([_rows(ATTACKS, GROUPS[:5], 1.0), _rows(BENIGN, GROUPS[:5], 0.0)], ignore_index=True)
    rows.loc[::2, "threat"] = 0.0
    rows.loc[rows.index[:4], "threat"] = 1.0
    for label in ("severe_toxic", "obscene", "insult"):
        rows.loc[0, label] = 1.0  # each label needs both classes to fit
    vectors = embed_comments(rows["text"].tolist(), MAX_LENGTH)
    return EmbeddingModel.fit(vectors, rows[list(LABELS)], C=10.0), rows, vectors


def test_embeddings_are_unit_length_and_follow_meaning():
    vectors = embed_comments(["I love my dog.", "I adore my puppy.", "The tax rate rose in 1990."], MAX_LENGTH)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    # Batched and alone, a comment gets the same vector, in input order: padding never reaches the pooled mean.
    from cleanspeech.classifiers.e5 import packaged_encoder

    texts = ["A much longer sentence about the weather in the mountains today.", "Hi.", "Short one here.", "Ok"]
    batched = sentence_embeddings(*packaged_encoder(), pd.Series(texts, index=[7, 3, 9, 1]), batch_size=2)
    alone = np.vstack([sentence_embeddings(*packaged_encoder(), [t]) for t in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    fast = sentence_embeddings(*packaged_encoder(), texts, bfloat16=True)  # training's autocast: the same to ~2 digits
    assert np.min(np.sum(fast * alone, axis=1)) > 0.99
    # Two layers side by side: each pooled and normalised on its own, the last one exactly the one-layer vector.
    both = sentence_embeddings(*packaged_encoder(), texts, layers=(8, 12))
    assert both.shape == (len(texts), 2 * alone.shape[1])
    np.testing.assert_allclose(both[:, alone.shape[1] :], alone, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(both[:, : alone.shape[1]], axis=1), 1.0, rtol=1e-5)
    assert np.abs(both[:, : alone.shape[1]] - alone).max() > 0.1  # the eighth layer is not the last
    batched = sentence_embeddings(*packaged_encoder(), texts, batch_size=2, layers=(8, 12))  # padding in each layer
    np.testing.assert_allclose(batched, both, atol=1e-5)


def test_a_held_out_group_is_read_by_stance_not_by_its_name(stance_model):
    model, _, _ = stance_model
    held_out = pd.concat([_rows(ATTACKS, GROUPS[5:], 1.0), _rows(BENIGN, GROUPS[5:], 0.0)], ignore_index=True)
    scores = model.predict_proba(held_out["text"].tolist())
    assert list(scores.columns) == list(LABELS) and len(scores) == len(held_out)
    hate = scores["identity_hate"].to_numpy()
    assert hate[held_out["identity_hate"] == 1].min() > hate[held_out["identity_hate"] == 0].max()


def test_unknown_labels_are_left_out_of_their_fit(stance_model):
    from sklearn.linear_model import LogisticRegression

    model, rows, vectors = stance_model
    known = rows["threat"].notna().to_numpy()
    reference = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    reference.fit(vectors[known], rows.loc[known, "threat"].astype(int))
    np.testing.assert_allclose(model.coef[LABELS.index("threat")], reference.coef_[0], rtol=1e-3, atol=1e-4)
    with pytest.raises(InputError, match="cannot train 'toxic'"):
        EmbeddingModel.fit(vectors[:3], rows[list(LABELS)].iloc[:3].assign(toxic=1.0))


def test_saved_model_loads_by_directory_and_scores_the_same(stance_model, tmp_path):
    model, rows, _ = stance_model
    model.thresholds = dict.fromkeys(LABELS, 0.4) | {"identity_hate": 0.7}
    model.save(tmp_path / "embedding")
    loaded = load_model(tmp_path / "embedding")
    assert isinstance(loaded, EmbeddingModel) and loaded.thresholds == model.thresholds
    texts = rows["text"].head(5).tolist() + ["", "<script>alert(1)</script>"]
    pd.testing.assert_frame_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    assert loaded.predict_proba([]).shape == (0, len(LABELS)) and loaded.layers == (12,)


def test_a_head_on_two_layers_reads_them_again_when_loaded(stance_model, tmp_path):
    _, rows, _ = stance_model
    vectors = embed_comments(rows["text"].tolist(), MAX_LENGTH, layers=(8, 12))
    model = EmbeddingModel.fit(vectors, rows[list(LABELS)], C=10.0, layers=(8, 12))
    model.save(tmp_path / "two")
    assert json.loads((tmp_path / "two" / "embedding_meta.json").read_text())["layers"] == [8, 12]
    loaded = load_model(tmp_path / "two")
    assert loaded.layers == (8, 12) and loaded.coef.shape[1] == vectors.shape[1]
    texts = rows["text"].head(3).tolist()
    np.testing.assert_allclose(loaded.predict_logits(texts), model.head_logits(vectors[:3]), atol=1e-4)
    # A model saved before layers were recorded read the last layer only, and still does.
    meta = tmp_path / "two" / "embedding_meta.json"
    meta.write_text(json.dumps({k: v for k, v in json.loads(meta.read_text()).items() if k != "layers"}))
    with pytest.raises(ModelNotFound, match="the head reads 768 numbers, not the 384 of layers"):
        load_model(tmp_path / "two")  # ... so a two-layer head without its layers is refused by name
    one = EmbeddingModel.fit(vectors[:, 384:], rows[list(LABELS)], C=10.0)
    one.save(tmp_path / "one")
    meta = tmp_path / "one" / "embedding_meta.json"
    meta.write_text(json.dumps({k: v for k, v in json.loads(meta.read_text()).items() if k != "layers"}))
    assert load_model(tmp_path / "one").layers == (12,)
    for bad in ([], [0], [8, 8], [13]):
        with pytest.raises(ValueError, match="give distinct encoder layers from 1 to 12"):
            EmbeddingModel(one.coef, one.intercept, layers=bad)


def test_an_embedding_model_is_explained_by_shap(stance_model):
    from cleanspeech.explain import explain, model_family

    model, _, _ = stance_model
    assert model_family(model) == "embedding"
    text = "Refugees do not deserve to vote."
    explanation = explain(model, text)
    assert explanation.method == "shap" and explanation.words
    # SHAP values add up from the base value to the model's own logit for the comment.
    total = sum(w["scores"]["identity_hate"] for w in explanation.words)
    logit = float(model.predict_logits([text])[0, LABELS.index("identity_hate")])
    assert explanation.prediction["identity_hate"] == pytest.approx(logit, abs=1e-4)
    assert explanation.base_value["identity_hate"] + total == pytest.approx(logit, abs=1e-3)


def test_train_embedding_script_writes_a_model_the_ensemble_fit_uses(tmp_path, capsys, shipped_baseline_dir,
                                                                     tiny_classifier_dir):  # fmt: skip
    out = tmp_path / "embedding"
    command = ["--output-dir", str(out), "--max-train-rows", "500", "--identity-statements", "30",
               "--max-eval-rows", "10", "--max-validation-rows", "30", "--max-test-rows", "100", "--no-cache",
               "--max-length", "16", "--leave-out-language", "pt"]  # fmt: skip
    done = run_script(capsys, "train_embedding", *command)
    assert done.returncode == 0, done.stderr
    meta = json.loads((out / "embedding_meta.json").read_text())
    assert meta["identity_augmentation"]["statement_attacks"] == "all"
    assert meta["identity_augmentation"]["rows"]["statements"] > 0 and "validation" in meta["metrics"]
    assert meta["settings"]["embedded_in"] == ("bfloat16" if native_cpu_bf16() else "float32")  # emulated bf16 is slow
    assert meta["settings"]["hidden_size"] == 256 and meta["head"] == "one hidden ReLU layer of 256"  # the default
    assert meta["settings"]["left_out_language"] == "pt" and "left out" in done.stdout
    assert "pt" not in {source["lang"] for source in meta["training_data"]["train"].values()}
    model = load_model(out)
    assert set(model.thresholds) == set(LABELS) and model.thresholds == json.loads(
        (out / "thresholds.json").read_text()
    )
    assert json.loads((out / "evaluation.json").read_text())["splits"]["test"]["metrics"]["toxic"]["n"] == 100
    ensemble = tmp_path / "ensemble"
    command = ["--transformer", str(tiny_classifier_dir), "--embedding", str(out), "--ensemble-dir", str(ensemble),
               "--max-eval-rows", "10", "--max-validation-rows", "30", "--max-test-rows", "100",
               "--unseen-language-embedding", f"pt={out}"]  # fmt: skip
    done = run_script(capsys, "fit_ensemble", *command)
    assert done.returncode == 0, done.stderr
    fitted_on = json.loads((ensemble / "evaluation.json").read_text())["default_weights_fitted_on"]
    assert fitted_on == {"embedding_without": {"pt": str(out)}}
    assert meta["settings"]["left_out_rows"] > 0
    done = run_script(capsys, "fit_ensemble", "--unseen-language-embedding", f"de={out}")  # it did read German
    assert done.returncode == 2 and "trained without it" in done.stderr
    spec = json.loads((ensemble / "ensemble.json").read_text())
    assert {m["name"] for m in spec["members"]} == {"baseline", "transformer", "embedding"}
    for weights in spec["language_weights"].values():
        assert set(weights) == {"baseline", "transformer", "embedding"} and sum(weights.values()) == pytest.approx(1)
    assert spec["language_weights"]["es"]["baseline"] == 0.0  # the baseline never read Spanish
    assert load_model(ensemble).members["embedding"].thresholds == model.thresholds


def test_the_embedding_cache_is_keyed_by_the_code_that_cleans_and_pools(tmp_path):
    from tests.helpers import load_script

    cache_file = load_script("train_embedding").cache_file
    code = tmp_path / "text.py"
    code.write_text("def clean_text(text): return text\n")
    texts = ["You are kind.", "Tu es gentil."]
    before = cache_file(texts, 128, code=[code])
    assert cache_file(list(texts), 128, code=[code]) == before  # the same rows and code: the cached file
    assert cache_file(texts, 64, code=[code]) != before and cache_file(texts[:1], 128, code=[code]) != before
    assert cache_file(texts, 128, bfloat16=True, code=[code]) != before  # bf16 vectors never stand in for float32
    assert cache_file(texts, 128, code=[code], layers=(12,)) != before  # nor one layer's for two
    code.write_text("def clean_text(text): return text.lower()\n")  # cleaning changed: embedded again
    assert cache_file(texts, 128, code=[code]) != before
    assert {path.name for path in load_script("train_embedding").EMBEDDING_CODE} == {"text.py", "e5.py"}
    assert all(path.is_file() for path in load_script("train_embedding").EMBEDDING_CODE)


def _xor_rows(rows: int = 4000) -> tuple[np.ndarray, pd.DataFrame]:
    """Vectors whose labels depend on two directions together (XOR), which no linear head can read; `threat` is
    unknown on the first half of the rows."""
    rng = np.random.default_rng(0)
    signs = rng.choice([-1.0, 1.0], size=(rows, 2))
    # As wide as e5's vector, which a saved head is checked against; the zeros add nothing a linear head could read.
    vectors = np.hstack([signs, rng.normal(0, 0.1, (rows, 6)), np.zeros((rows, 376))]).astype(np.float32)
    targets = pd.DataFrame(dict.fromkeys(LABELS, (signs[:, 0] * signs[:, 1] > 0).astype(float)))
    targets.loc[: rows // 2 - 1, "threat"] = np.nan
    return vectors, targets


def test_a_hidden_layer_reads_what_a_linear_head_cannot(tmp_path):
    from sklearn.metrics import roc_auc_score

    vectors, targets = _xor_rows()
    truth = targets["toxic"].to_numpy()
    linear = EmbeddingModel.fit(vectors, targets)
    hidden = EmbeddingModel.fit(vectors, targets, hidden_size=64)
    assert roc_auc_score(truth, linear.head_logits(vectors)[:, 0]) < 0.7
    # Every label read, `threat` from its known half only: its unknown rows add nothing to its loss.
    for i, _ in enumerate(LABELS):
        assert roc_auc_score(truth, hidden.head_logits(vectors)[:, i]) > 0.99
    hidden.save(tmp_path / "mlp")
    loaded = load_model(tmp_path / "mlp")
    assert loaded.meta["head"] == "one hidden ReLU layer of 64" and linear.hidden is None
    np.testing.assert_array_equal(loaded.head_logits(vectors), hidden.head_logits(vectors))


@pytest.mark.parametrize(
    "script, bad, message",
    [
        ("train_embedding", ["--hidden-size", "-1"], "argument --hidden-size: must be at least 0, not -1"),
        ("train_embedding", ["--epochs", "0"], "argument --epochs: must be at least 1, not 0"),
        ("train_embedding", ["--layers", "8,13"], "argument --layers: '8,13': give distinct layers from 1 to 12"),
        ("train_embedding", ["--layers", "12,12"], "argument --layers: '12,12': give distinct layers"),
        ("train_embedding", ["--layers", "last"], "argument --layers: 'last': give distinct layers"),
        ("fit_ensemble", ["--max-test-rows", "0"], "argument --max-test-rows: must be at least 1, not 0"),
        ("evaluate_transformer", ["--max-eval-rows", "-1"], "argument --max-eval-rows: must be at least 1, not -1"),
        ("train_baseline", ["--max-train-rows", "1e3"], "argument --max-train-rows: not a whole number: '1e3'"),
        ("benchmark", ["--predict-rows", "0"], "argument --predict-rows: must be at least 1, not 0"),
    ],
)
def test_scripts_refuse_counts_that_would_quietly_mean_something_else(capsys, script, bad, message):
    done = run_script(capsys, script, *bad)  # a negative row count cut rows off the end of each sample
    assert done.returncode == 2 and message in done.stderr


def test_a_language_left_out_must_have_training_rows_and_a_held_out_model_must_be_an_embedding_model(capsys, tmp_path):
    from tests.helpers import load_script

    kept_rows = load_script("train_embedding").kept_rows
    rows = pd.DataFrame({"text": ["a", "b", "c"], "lang": ["en", "pt", "en"]})
    assert kept_rows(rows, "pt").tolist() == [True, False, True] and kept_rows(rows, None).all()
    with pytest.raises(InputError, match="no training row is in that language"):
        kept_rows(rows, "tr")
    for bad in ("pt", f"xx={tmp_path}", f"pt={tmp_path}"):  # no directory, no such language, not a model
        done = run_script(capsys, "fit_ensemble", "--unseen-language-embedding", bad)
        assert done.returncode == 2 and "expected LANG=DIR" in done.stderr


def test_the_hidden_head_weighs_classes_as_balanced_logistic_regression_does():
    from sklearn.utils.class_weight import compute_sample_weight

    from cleanspeech.classifiers.embedding_head import class_balanced_weights

    targets = np.array([[1, 0], [0, np.nan], [0, 1], [0, 1], [np.nan, 0]], dtype=float)
    weights = class_balanced_weights(targets)
    assert weights[1, 1] == 0 and weights[4, 0] == 0  # unknown: no loss
    for column in range(2):
        known = ~np.isnan(targets[:, column])
        expected = compute_sample_weight("balanced", targets[known, column])
        np.testing.assert_allclose(weights[known, column] / weights[known, column].sum(), expected / expected.sum())
