"""The ensemble's per-language weights: fitted on validation, routed by the detected language when it serves."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.classifiers import load_model
from cleanspeech.classifiers.ensemble import EnsembleModel, to_log_odds
from cleanspeech.errors import InputError
from cleanspeech.evaluation.metrics import roc_aucs
from cleanspeech.labels import LABELS
from cleanspeech.languages import language_probabilities
from tests.helpers import load_script, run_script


class Constant:
    """A member that gives every text the same probabilities: which member spoke shows in the output."""

    def __init__(self, value: float):
        self.value, self.thresholds = value, dict.fromkeys(["toxic"], 0.5)

    def predict_proba(self, texts):
        return pd.DataFrame({label: [self.value] * len(texts) for label in LABELS})


def test_each_comment_is_scored_with_its_languages_weights():
    members = {"baseline": Constant(1.0), "transformer": Constant(0.0)}
    by_language = {"en": {"baseline": 0.8, "transformer": 0.2}, "it": {"baseline": 0.0, "transformer": 1.0}}
    ensemble = EnsembleModel(members, {"baseline": 0.5, "transformer": 0.5}, {}, by_language)
    texts = ["You are a stupid idiot and everyone knows it.", "Sei un idiota e lo sanno tutti.", "ok"]
    scores = ensemble.predict_proba(texts)["toxic"].tolist()
    assert scores == pytest.approx([0.8, 0.0, 0.5])  # English, Italian (transformer alone), undetermined (default)
    assert [r["language"] for r in ensemble.route(texts)] == ["en", "it", "und"]


def test_the_log_odds_mean_lets_a_confident_member_outvote_an_unsure_one():
    members = {"baseline": Constant(0.999), "transformer": Constant(0.1)}
    weights = {"baseline": 0.5, "transformer": 0.5}
    by_probability = EnsembleModel(members, weights, {}).predict_proba(["a comment"])["toxic"].iloc[0]
    by_log_odds = EnsembleModel(members, weights, {}, combine="logit").predict_proba(["a comment"])["toxic"].iloc[0]
    assert by_probability == pytest.approx(0.5495)  # the confident member's 0.999 counts as much as a 0.9 would
    odds = np.sqrt(0.999 / 0.001 * 0.1 / 0.9)  # the geometric mean of the odds
    assert by_log_odds == pytest.approx(odds / (1 + odds), abs=1e-6) and by_log_odds > 0.9
    certain = {"baseline": Constant(1.0), "transformer": Constant(0.0)}  # 0 and 1 are clipped, not infinite
    assert EnsembleModel(certain, weights, {}, combine="logit").predict_proba(["x"])["toxic"].iloc[0] == 0.5
    assert EnsembleModel(members, weights, {}, combine="logit").predict_proba([]).shape == (0, len(LABELS))
    with pytest.raises(ValueError, match="combine must be one of logit, mean"):
        EnsembleModel(members, weights, {}, combine="median")


def test_a_comment_whose_language_is_uncertain_gets_each_languages_weights_by_its_probability(tmp_path):
    from cleanspeech.classifiers.ensemble import ROUTING_CONFIDENCE, routing_language, save_ensemble
    from cleanspeech.languages import detect_language_with_confidence

    members = {"baseline": Constant(1.0), "transformer": Constant(0.0)}
    default = {"baseline": 0.0, "transformer": 1.0}
    by_language = {"pt": {"baseline": 0.5, "transformer": 0.5}, "es": {"baseline": 0.0, "transformer": 1.0},
                   "fr": {"baseline": 0.8, "transformer": 0.2}}  # fmt: skip
    ensemble = EnsembleModel(members, default, {}, by_language)
    sure, unsure = "Eu não concordo com você, mas obrigado pela resposta educada.", "que lixo"
    assert detect_language_with_confidence(sure) == ("pt", pytest.approx(1.0, abs=0.05))
    language, confidence = detect_language_with_confidence(unsure)
    assert language == "pt" and 0.2 < confidence < ROUTING_CONFIDENCE  # read as Portuguese, but not surely
    assert routing_language(sure) == ("pt", "pt") and routing_language(unsure) == ("pt", "und")
    routes = ensemble.route([sure, unsure])
    assert [(r["language"], r["routed_as"], r["blended"]) for r in routes] == [("pt", "pt", False), ("pt", "und", True)]
    p = language_probabilities(unsure)
    assert sum(p.values()) == pytest.approx(1.0) and p["es"] > 0.2 and p["fr"] > 0.1  # Spanish, French likely too
    blended = 0.5 * p["pt"] + 0.8 * p["fr"]  # the baseline's say: Portuguese's and French's, as likely as each is
    assert routes[1]["weights"] == pytest.approx({"baseline": blended, "transformer": 1 - blended})
    assert ensemble.predict_proba([sure, unsure])["toxic"].tolist() == pytest.approx([0.5, blended])
    # the rule before blending: the default weights (an ensemble.json without "unsure" was fitted with it)
    before = EnsembleModel(members, default, {}, by_language, unsure="default")
    assert before.predict_proba([sure, unsure])["toxic"].tolist() == pytest.approx([0.5, 0.0])
    for name in members:
        (tmp_path / name).mkdir()
    path = save_ensemble(tmp_path / "ensemble", {n: tmp_path / n for n in members}, default, dict.fromkeys(LABELS, 0.5),
                         by_language)  # fmt: skip
    assert EnsembleModel.load(path.parent, lambda p: members[p.name]).unsure == "blend"
    spec = json.loads(path.read_text())
    del spec["unsure"]
    path.write_text(json.dumps(spec))
    assert EnsembleModel.load(path.parent, lambda p: members[p.name]).unsure == "default"
    # undetermined (no language clearly ahead: a word, emoji, a language outside the candidates): the default weights,
    # never a blend that would give the baseline a say over text it cannot read
    for text in ("ok", "😀😀😀", ""):
        every_label = dict.fromkeys(LABELS, default)
        assert ensemble.route(text)[0] == {"language": "und", "routed_as": "und", "weights": default,
                                           "label_weights": every_label, "blended": False}  # fmt: skip
    with pytest.raises(ValueError, match="unsure must be one of blend, default"):
        EnsembleModel(members, default, {}, by_language, unsure="ignore")


def test_fit_ensemble_writes_weights_per_language_thresholds_and_a_report(tmp_path, capsys, shipped_baseline_dir,
                                                                          tiny_classifier_dir, dataset):  # fmt: skip
    out = tmp_path / "ensemble"
    command = ["--transformer", str(tiny_classifier_dir), "--embedding", "none", "--ensemble-dir", str(out),
               "--max-eval-rows", "50", "--max-validation-rows", "400", "--combine", "logit"]  # fmt: skip
    done = run_script(capsys, "fit_ensemble", *command)
    assert done.returncode == 0, done.stderr
    spec = json.loads((out / "ensemble.json").read_text())
    weights = spec["language_weights"]
    assert {"en", "de", "fr", "pt", "es", "it", "tr", "ru"} == set(weights)
    for lang in ("es", "it", "tr", "ru"):  # the baseline never trained on these: the transformer alone
        assert weights[lang] == {"baseline": 0.0, "transformer": 1.0}
    assert weights["en"]["baseline"] > 0  # the random tiny transformer knows nothing: the baseline must count
    assert {m["name"] for m in spec["members"]} == {"baseline", "transformer"}  # --embedding none: two members
    ensemble = load_model(out)
    assert ensemble.language_weights == weights and set(ensemble.thresholds) == set(spec["thresholds"])
    assert spec["combine"] == ensemble.combine == "logit"  # the members' log-odds are averaged
    assert spec["unsure"] == ensemble.unsure == "blend"  # an unsure language: its candidates' weights, blended
    per_label = spec["label_weights"]  # the default: each label English's validation rows measure has its own mix
    assert ensemble.label_weights == per_label and set(per_label["en"]) <= set(LABELS) and "es" not in per_label
    english = {label: per_label["en"].get(label, weights["en"]) for label in LABELS}
    texts = ["You are a stupid idiot and everyone knows it.", "Thanks, the new table reads much better."]
    members = {name: to_log_odds(ensemble.members[name].predict_proba(texts)) for name in weights["en"]}
    mean = pd.DataFrame({label: sum(members[n][label] * w for n, w in english[label].items()) for label in LABELS})
    assert ensemble.predict_proba(texts).to_numpy() == pytest.approx(1 / (1 + np.exp(-mean.to_numpy())), abs=1e-5)
    one_mix = tmp_path / "one-mix"  # --weights-per language: no label weights, the same language weights
    one_mix_command = [str(one_mix) if part == str(out) else part for part in command]
    done = run_script(capsys, "fit_ensemble", *one_mix_command, "--weights-per", "language")
    assert done.returncode == 0, done.stderr
    assert "label_weights" not in json.loads((one_mix / "ensemble.json").read_text())
    assert load_model(one_mix).language_weights == weights
    report = json.loads((out / "evaluation.json").read_text())
    assert report["thresholds"] == spec["thresholds"] and {"validation", "test"} <= set(report["splits"])


def test_a_language_can_weigh_the_members_differently_on_each_label(tmp_path):
    from cleanspeech.classifiers.ensemble import save_ensemble

    members = {"baseline": Constant(1.0), "transformer": Constant(0.0)}
    default = {"baseline": 0.5, "transformer": 0.5}
    by_language = {"en": {"baseline": 0.8, "transformer": 0.2}, "pt": {"baseline": 0.5, "transformer": 0.5}}
    by_label = {"en": {"identity_hate": {"baseline": 0.1, "transformer": 0.9}},
                "pt": {"identity_hate": {"baseline": 1.0, "transformer": 0.0}}}  # fmt: skip
    ensemble = EnsembleModel(members, default, {}, by_language, label_weights=by_label)
    texts = ["You are a stupid idiot and everyone knows it.", "ok", "que lixo"]  # English, undetermined, unsure
    scores = ensemble.predict_proba(texts)
    assert scores.loc[0].to_dict() == pytest.approx(dict.fromkeys(LABELS, 0.8) | {"identity_hate": 0.1})
    assert scores.loc[1].to_dict() == pytest.approx(dict.fromkeys(LABELS, 0.5))  # the default weights: one mix
    routes = ensemble.route(texts)
    assert routes[0]["weights"] == by_language["en"]  # the language's mix, for the labels without their own
    assert routes[0]["label_weights"]["identity_hate"] == by_label["en"]["identity_hate"]
    assert routes[0]["label_weights"]["toxic"] == by_language["en"]
    p = language_probabilities("que lixo")  # unsure: each label blended by the detector's probabilities
    toxic = 0.8 * p["en"] + 0.5 * p["pt"] + 0.5 * (1 - p["en"] - p["pt"])
    hate = 0.1 * p["en"] + 1.0 * p["pt"] + 0.5 * (1 - p["en"] - p["pt"])
    assert routes[2]["blended"] and scores.loc[2, ["toxic", "identity_hate"]].tolist() == pytest.approx([toxic, hate])
    for name in members:
        (tmp_path / name).mkdir()
    path = save_ensemble(tmp_path / "ensemble", {n: tmp_path / n for n in members}, default, dict.fromkeys(LABELS, 0.5),
                         by_language, label_weights=by_label)  # fmt: skip
    loaded = EnsembleModel.load(path.parent, lambda p: members[p.name])
    assert loaded.label_weights == by_label and loaded.predict_proba(texts).equals(scores)


def test_the_label_fit_gives_each_label_the_members_that_read_it():
    fit = load_script("fit_ensemble")
    rng, truth, rows, reads = _labelled_rows_and_a_reader(3)
    rows = rows.assign(lang="en", threat=0.0)  # no threat in these rows: nothing to fit it on
    few = rows.index[rows["severe_toxic"] == 1][fit.MIN_LABEL_POSITIVES - 1 :]
    rows.loc[few, "severe_toxic"] = np.nan  # too few positives left to tell mixes apart: the language's mix
    noise = pd.DataFrame({label: rng.random(len(truth)) for label in LABELS})
    # The embedding model reads identity_hate as the transformer does and nothing else; the baseline reads nothing.
    embedding = (10 * noise).assign(identity_hate=reads["identity_hate"])
    scores = {"baseline": noise, "transformer": reads, "embedding": embedding}
    mixes = fit.best_label_mixes(rows, scores, fit.candidate_weights(scores), 0.001)
    assert set(mixes) == set(LABELS) - {"threat", "severe_toxic"}
    assert mixes["identity_hate"] == {"baseline": 0.0, "transformer": 0.0, "embedding": 1.0}  # alike: the embedding
    assert mixes["toxic"] == {"baseline": 0.0, "transformer": 1.0, "embedding": 0.0}
    per_label = fit.fit_label_weights(rows, scores, {"en"})
    assert per_label == {"en": mixes} and fit.fit_label_weights(rows, scores, {"de"}) == {}  # unread: no fit


def test_the_cli_says_which_language_and_how_much_each_member_counted():
    from cleanspeech.cli import _json_results
    from cleanspeech.serving import score_frame

    members = {"baseline": Constant(1.0), "transformer": Constant(0.0)}
    thresholds = dict.fromkeys(LABELS, 0.5)
    ensemble = EnsembleModel(members, {"baseline": 0.5, "transformer": 0.5}, thresholds,
                             {"it": {"baseline": 0.0, "transformer": 1.0}})  # fmt: skip
    dutch = "Je bent een ontzettende idioot en niemand wil jou hier hebben."  # a language outside the candidates
    texts = pd.DataFrame({"text": ["Sei un idiota e lo sanno tutti.", "", "que lixo", dutch]})  # + empty, unsure
    results = _json_results(score_frame(texts, "text", {"ensemble": ensemble}), {"ensemble": ensemble})
    assert results[0]["language"] == "it" and results[0]["models"]["ensemble"]["weights"]["transformer"] == 1.0
    assert results[0]["models"]["ensemble"]["routed_as"] == "it"
    assert results[0]["models"]["ensemble"]["flagged"] == []  # the transformer alone spoke: 0.0 everywhere
    assert results[1]["language"] is None and results[1]["models"] == {}
    unsure = results[2]["models"]["ensemble"]
    italian = language_probabilities("que lixo")["it"]  # read as Portuguese, unsurely: Italian's weights count a bit
    assert results[2]["language"] == "pt" and unsure["routed_as"] == "und"
    expected = {"baseline": 0.5 * (1 - italian), "transformer": 0.5 + 0.5 * italian}
    assert unsure["weights"] == pytest.approx(expected, abs=5e-5)  # rounded to four decimals, as printed
    assert unsure["label_weights"]["toxic"] == unsure["weights"] and set(unsure["label_weights"]) == set(LABELS)
    other = results[3]["models"]["ensemble"]  # named, and weighed by the default weights, never a blend
    assert (results[3]["language"], other["routed_as"], other["weights"]) == ("nl", "und", ensemble.weights)


def test_the_weight_fit_prefers_the_transformer_where_validation_cannot_tell_weights_apart():
    smallest_near_best = load_script("fit_ensemble").smallest_near_best
    #        baseline weight: 0     0.1    0.2    0.3    0.4     0.5     0.6     0.7     0.8    0.9    1.0
    aucs = [0.960, 0.970, 0.974, 0.9754, 0.9758, 0.9762, 0.9763, 0.9763, 0.976, 0.975, 0.974]
    assert smallest_near_best(aucs, 0.0) == 0.6  # the argmax alone, as before
    assert smallest_near_best(aucs, 0.001) == 0.3
    assert smallest_near_best([0.80, 0.82, float("nan"), 0.81] + [0.5] * 7, 0.001) == 0.1  # NaN (no label): skipped


def _labelled_rows_and_a_reader(seed: int):
    """600 rows with every label equal to one truth, and scores that read it with noise (ROC-AUC about 0.88)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, 600).astype(float)
    rows = pd.DataFrame({label: truth for label in LABELS})
    return rng, truth, rows, pd.DataFrame({label: truth + rng.normal(0, 0.6, len(truth)) for label in LABELS})


def test_the_weight_fit_gives_the_embedding_model_the_say_where_validation_cannot_tell_mixes_apart():
    fit = load_script("fit_ensemble")
    rng, truth, rows, reads = _labelled_rows_and_a_reader(0)
    noise = pd.DataFrame({label: rng.random(len(truth)) for label in LABELS})
    # The embedding model ranks exactly as the transformer does: every mix of the two scores alike, so it gets it all.
    scores = {"baseline": noise, "transformer": reads, "embedding": reads * 0.5}
    assert fit.best_mix(rows, scores, fit.candidate_weights(scores), 0.001) == {
        "baseline": 0.0, "transformer": 0.0, "embedding": 1.0}  # fmt: skip
    # An embedding model that cannot read the rows gets nothing; without one, the old two-member fit.
    scores = {
        "baseline": noise,
        "transformer": reads,
        "embedding": 10 * noise.sample(frac=1, random_state=1).set_axis(rows.index),
    }
    assert fit.best_mix(rows, scores, fit.candidate_weights(scores), 0.001)["embedding"] == 0.0
    two = {"baseline": reads, "transformer": 10 * noise}
    assert fit.best_mix(rows, two, fit.candidate_weights(two), 0.001) == {"baseline": 1.0, "transformer": 0.0}
    assert fit.candidate_weights(two, baseline_readable=False) == [
        {"baseline": 0.0, "embedding": 0.0, "transformer": 1.0}
    ]


def test_the_weight_fit_keeps_toxic_and_falls_back_where_nothing_can_be_measured():
    fit = load_script("fit_ensemble")
    rng, truth, rows, reads = _labelled_rows_and_a_reader(1)
    # An embedding model that ranks five labels as the transformer does and toxic not at all: mixing it in costs
    # only toxic, a sixth of the mean, so within a wide tolerance of the best mean much of it would be taken.
    blind = reads.assign(toxic=rng.random(len(truth)))
    scores = {"transformer": reads, "embedding": blind}
    candidates = fit.candidate_weights(scores, baseline_readable=False)
    weights = fit.best_mix(rows, scores, candidates, 0.05)
    aucs = {w["embedding"]: roc_aucs(rows, fit.blend(scores, rows.index, w)) for w in candidates}
    assert aucs[weights["embedding"]]["toxic"] >= aucs[0.0]["toxic"] - 0.05  # toxic kept
    by_mean = max(e for e, a in aucs.items() if a.mean() >= aucs[0.0].mean() - 0.05)
    assert by_mean > weights["embedding"] and aucs[by_mean]["toxic"] < aucs[0.0]["toxic"] - 0.05  # the mean allowed it
    # Every label of the rows has one class: no mix can be measured, and the transformer scores alone.
    one_class = rows.assign(**dict.fromkeys(LABELS, 0.0))
    assert fit.best_mix(one_class, scores, fit.candidate_weights(scores), 0.001) == {
        "transformer": 1.0,
        "embedding": 0.0,
    }


def test_the_default_weights_can_be_fitted_on_languages_the_embedding_model_never_read():
    fit = load_script("fit_ensemble")
    rng, truth, rows, reads = _labelled_rows_and_a_reader(2)
    rows = rows.assign(lang=["en"] * 300 + ["de"] * 300)
    noise = pd.DataFrame({label: rng.random(len(truth)) for label in LABELS})
    # The shipped embedding model reads both languages better than the transformer (it trained on both) ...
    sharp = pd.DataFrame({label: truth + rng.normal(0, 0.2, len(truth)) for label in LABELS})
    scores = {"baseline": noise, "transformer": reads, "embedding": sharp}
    default, _ = fit.fit_language_weights(rows, scores, {"en", "de"})
    assert default["embedding"] == 1.0
    # ... but one trained without German reads German rows no better than chance: on them, the transformer speaks.
    german = rows[rows["lang"] == "de"]
    unseen = {name: member.loc[german.index] for name, member in scores.items()}
    unseen["embedding"] = noise.loc[german.index] * 3  # wider than the others' scores: any share of it costs
    default, per_language = fit.fit_language_weights(rows, scores, {"en", "de"}, unseen=(german, unseen))
    assert default == {"baseline": 0.0, "transformer": 1.0, "embedding": 0.0}
    assert per_language["de"]["embedding"] == 1.0  # a language with validation rows: fitted on them, as before
    assert per_language["es"] == default  # one without: the default weights


def test_held_out_scores_replace_the_embedding_members_on_their_language_only(monkeypatch):
    fit = load_script("fit_ensemble")
    frame = pd.DataFrame({"text": ["Du Idiot.", "Merci.", "You fool.", "Obrigado."], "lang": ["de", "fr", "en", "pt"],
                          "fold": "validation"} | dict.fromkeys(LABELS, 0.0))  # fmt: skip
    scores = {name: pd.DataFrame(0.5, index=frame.index, columns=list(LABELS)) for name in ("transformer", "embedding")}
    monkeypatch.setattr(fit, "load_model", lambda directory: Constant(0.9))  # the model trained without each language
    rows, unseen = fit.unseen_language_fit(frame, frame, scores, {"de": "without-de", "fr": "without-fr"})
    assert rows["lang"].tolist() == ["de", "fr"] and unseen["transformer"].equals(scores["transformer"].loc[[0, 1]])
    assert unseen["embedding"].to_numpy() == pytest.approx(0.9) and (scores["embedding"] == 0.5).all().all()
    logits = {name: to_log_odds(member) for name, member in scores.items()}
    _, unseen = fit.unseen_language_fit(frame, frame, logits, {"de": "without-de"}, logit=True)
    assert unseen["embedding"].to_numpy() == pytest.approx(np.log(0.9 / 0.1), abs=1e-5)  # on the scale averaged
    with pytest.raises(InputError, match="no rows in that language"):
        fit.check_unseen_languages({"es": "without-es"}, frame, {"embedding": "e"})
    with pytest.raises(InputError, match="needs an embedding member"):
        fit.check_unseen_languages({"de": "without-de"}, frame, {"transformer": "t"})


def test_a_comment_in_a_language_outside_the_candidates_gets_the_default_weights():
    members = {"baseline": Constant(1.0), "transformer": Constant(0.0)}
    default = {"baseline": 0.0, "transformer": 1.0}  # languages without weights: the baseline cannot read them
    ensemble = EnsembleModel(members, default, {}, {"en": {"baseline": 0.5, "transformer": 0.5}})
    arabic = "هذا تعليق طويل جدا باللغة العربية عن السياسة والاقتصاد في المنطقة"  # read as English (0.70) if forced
    [route] = ensemble.route([arabic])
    assert (route["language"], route["routed_as"], route["blended"]) == ("ar", "und", False)  # named, not weighed
    assert route["weights"] == default and ensemble.predict_proba([arabic])["toxic"].tolist() == [0.0]
    dutch = "Je bent een ontzettende idioot en niemand wil jou hier hebben."  # Latin letters, five words and more
    [route] = ensemble.route([dutch])
    assert (route["language"], route["routed_as"], route["blended"], route["weights"]) == ("nl", "und", False, default)
