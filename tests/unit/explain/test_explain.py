"""Word attributions: exact for the baseline, spans into the original text, and faithful to the model."""

import json
import re

import numpy as np
import pytest

from cleanspeech.classifiers import load_model
from cleanspeech.errors import InputError
from cleanspeech.explain import MAX_EXPLAINED_WORDS, explain_baseline, split_words
from cleanspeech.labels import LABELS


def baseline_logits(model, text: str) -> np.ndarray:
    matrix = model.features.transform(model.clean_texts([text]))
    return np.array([model.classifiers[label].decision_function(matrix)[0] for label in LABELS])


@pytest.fixture(scope="module")
def baseline(shipped_baseline):
    return shipped_baseline


def test_baseline_words_sum_exactly_to_the_logit(baseline, dataset):
    texts = dataset[dataset["fold"] == "validation"]["text"].head(150).tolist()
    texts += ["You are a disgusting idiot.", "", "   ", "Ｙｏｕ ａｒｅ аn idiооt!!! http://x.example/a"]
    for text in texts:
        explanation = explain_baseline(baseline, text)
        total = np.array([explanation.base_value[lb] + explanation.scores(lb).sum() for lb in LABELS])
        np.testing.assert_allclose(total, baseline_logits(baseline, text), atol=1e-3)
        assert total == pytest.approx(list(explanation.prediction.values()), abs=1e-6)


def test_spans_point_into_the_original_text(baseline):
    text = "  Ｙｏｕ\tare\u200b a <b>disgusting</b>   idiot!! "
    words = explain_baseline(baseline, text).words
    assert [w["word"] for w in words] == text.split()
    assert all(text[w["start"] : w["end"]] == w["word"] for w in words)


@pytest.mark.artifact
def test_removing_the_top_word_lowers_the_score(baseline):
    text = "Thanks for the edit, you stupid idiot, now go away."
    explanation = explain_baseline(baseline, text)
    top = explanation.top_words("insult", 1)[0]
    assert top["word"].strip(",.").lower() in {"idiot", "stupid"}
    without = text[: top["start"]] + text[top["end"] :]
    assert baseline.predict_proba([without])["insult"][0] < baseline.predict_proba([text])["insult"][0]
    clean = explain_baseline(baseline, "Thank you for the careful review of my edit.")
    assert all(w["scores"]["threat"] > 0 for w in clean.top_words("threat", 10))  # none that pulled it down
    assert len(clean.top_words("threat", 10)) < len(clean.words)
    with pytest.raises(InputError, match="has no scores for 'toxic' .* carries: insult"):
        explanation.only(("insult",)).top_words("toxic")  # was a bare KeyError


def test_long_comments_are_capped_and_say_so():
    spans, notes = split_words("word " * 2000)
    assert len(spans) == MAX_EXPLAINED_WORDS and "400 of 2,000 words" in notes[0]
    assert split_words("word " * 2000, max_words=None)[0][-1] == (9995, 9999)


# --- the transformer (the shipped model, PyTorch backend: gradients need it) --------------------------------------

INSULT = "Thanks for the edit, you stupid idiot, now go away."
MESSY = "  Ｙｏｕ\tare\u200b a <b>disgusting</b>   idiot!! "


@pytest.fixture(scope="module")
def transformer(shipped_transformer_torch):
    return shipped_transformer_torch  # TransformerModel.load(model_path("transformer"), backend="torch"), once


def explained_total(explanation) -> np.ndarray:
    return np.array([explanation.base_value[lb] + explanation.scores(lb).sum() for lb in LABELS])


@pytest.mark.parametrize("text", [INSULT, "I will find you and hurt you.", MESSY])
def test_integrated_gradients_add_up_to_the_logit(transformer, text):
    from cleanspeech.explain import explain

    explanation = explain(transformer, text, "ig")
    logits = transformer.predict_logits([text])[0]
    np.testing.assert_allclose(list(explanation.prediction.values()), logits, atol=1e-3)
    gap = logits - np.array(list(explanation.base_value.values()))
    missed = np.abs(explained_total(explanation) - logits)
    # completeness up to the integral's approximation (16 steps): within half of the change, 30% typically
    assert np.all(missed <= np.maximum(0.5 * np.abs(gap), 0.3)) and np.median(missed / np.abs(gap)) <= 0.3
    # ...and every label beyond 10% is named in the notes, so a caller knows how loose it is
    loose = [lb for lb, m, g in zip(LABELS, missed, gap) if m > max(0.1 * abs(g), 0.15)]
    assert all(any(re.search(rf"(?<!\w){lb} [+-]", note) for note in explanation.notes) for lb in loose)


def test_shap_values_add_up_exactly(transformer):
    from cleanspeech.explain import explain

    explanation = explain(transformer, INSULT, "shap")
    np.testing.assert_allclose(explained_total(explanation), transformer.predict_logits([INSULT])[0], atol=2e-3)
    for one_word in ("idiot", "  you.idiot,moron  "):  # one player: SHAP's own clustering fails on it
        alone = explain(transformer, one_word, "shap")
        assert [w["word"] for w in alone.words] == [one_word.strip()]
        np.testing.assert_allclose(explained_total(alone), transformer.predict_logits([one_word])[0], atol=2e-3)


@pytest.mark.parametrize("method", ["gradient", "integrated_gradients", "shap"])
def test_transformer_spans_point_into_the_original_text(transformer, method):
    from cleanspeech.explain import explain

    words = explain(transformer, MESSY, method).words
    assert [w["word"] for w in words] == MESSY.split()
    assert all(MESSY[w["start"] : w["end"]] == w["word"] for w in words)


# Gradient x input is the fast, rough method (comprehensiveness 0.22 vs 0.48 for IG): it may put a sentence-final
# word first, so for it an insult word must be among the top two; integrated gradients must rank one first.
@pytest.mark.artifact
@pytest.mark.parametrize(("method", "within"), [("gradient", 2), ("integrated_gradients", 1)])
def test_removing_the_top_word_lowers_the_transformer_score(transformer, method, within):
    from cleanspeech.explain import explain

    top_words = explain(transformer, INSULT, method).top_words("insult", within)
    assert {w["word"].strip(",.").lower() for w in top_words} & {"idiot", "stupid"}
    top = top_words[0]
    without = INSULT[: top["start"]] + INSULT[top["end"] :]
    assert transformer.predict_proba([without])["insult"][0] < transformer.predict_proba([INSULT])["insult"][0]


def test_a_long_comment_is_explained_on_the_window_that_scored_it(transformer, baseline):
    from cleanspeech.explain import explain

    text = "This is fine. " * 600 + "You idiot."  # 1,802 words, several windows: the insult in the last one
    explanation = explain(transformer, text, "gradient", labels=("insult",))
    assert len(explanation.words) == 1802 and explanation.top_words("insult", 1)[0]["word"] == "idiot."
    assert explanation.prediction["insult"] == pytest.approx(transformer.predict_logits([text])[0][4], abs=1e-3)
    linear = explain(baseline, text)  # exact: its logit is the served one, not the first 400 words'
    np.testing.assert_allclose(explained_total(linear), baseline_logits(baseline, text), atol=1e-3)
    assert len(explain(transformer, text, "gradient", max_words=MAX_EXPLAINED_WORDS).words) == MAX_EXPLAINED_WORDS


def test_methods_are_checked_against_the_model(baseline, transformer):
    from cleanspeech.classifiers.ensemble import EnsembleModel
    from cleanspeech.explain import ExplanationError, explain

    with pytest.raises(ExplanationError, match="does not apply"):
        explain(baseline, INSULT, "shap")
    ensemble = EnsembleModel({"baseline": baseline}, {"baseline": 1.0}, baseline.thresholds)
    with pytest.raises(ExplanationError, match="explain one of its members"):
        explain(ensemble, INSULT)
    with pytest.raises(ExplanationError, match=r"takes a loaded model: explain\(cleanspeech.load_model\('baseline'\)"):
        explain("baseline", INSULT)
    for words in (-1, 0, 2.5, True):  # -1 once explained "the first -1 of 5 words"
        with pytest.raises(InputError, match="max_words is a whole number"):
            explain(baseline, INSULT, max_words=words)
    explanation = explain(baseline, INSULT)
    assert len(explanation.top_words("toxic", k=0)) == 0 and explanation.top_words("toxic", k=1)
    with pytest.raises(InputError, match="k is how many words"):  # -1 gave every word but the last
        explanation.top_words("toxic", k=-1)


def test_flagged_labels_takes_one_comments_scores_whole(baseline):
    from cleanspeech import flagged_labels

    scores = baseline.predict_proba([INSULT])
    assert "toxic" in flagged_labels(scores.iloc[0], baseline.thresholds)
    with pytest.raises(InputError, match=r"one comment's scores \(frame.iloc\[0\]\)"):
        flagged_labels(scores, baseline.thresholds)
    with pytest.raises(InputError, match="the scores have no severe_toxic"):
        flagged_labels({"toxic": 0.9}, baseline.thresholds)


def test_heatmap_escapes_html_in_the_comment(baseline):
    from views.highlight import heatmap_html

    text = 'you idiot <script>alert("x")</script> <img src=x onerror=alert(1)>'
    rendered = heatmap_html(explain_baseline(baseline, text), "insult")
    assert "<script" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered
    assert rendered.count('class="cs-word"') == len(text.split())
    assert "rgba(214,39,40" in rendered  # "idiot" pushes towards insult: red


def test_cli_explain_prints_the_one_shape(capsys):
    from cleanspeech.cli import main

    assert main(["explain", "You are a disgusting idiot.", "--model", "baseline"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "baseline" and result["method"] == "linear"
    assert set(result["base_value"]) == set(LABELS)
    assert [w["word"] for w in result["words"]] == ["You", "are", "a", "disgusting", "idiot."]
    assert result["words"][4]["start"] == 21 and set(result["words"][4]["scores"]) == set(LABELS)
    assert main(["explain", "  ", "--model", "baseline"]) == 2
    assert main(["explain", "hi", "--model", "baseline", "--method", "shap"]) == 2
    assert "does not apply" in capsys.readouterr().err
    # --label: that label alone, for every method, and --top ranks by it ("idiot," is no threat; "will" is)
    assert (
        main(["explain", "You idiot, I will hurt you", "--model", "baseline", "--label", "threat", "--top", "1"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert set(result["base_value"]) == set(result["prediction"]) == set(result["words"][0]["scores"]) == {"threat"}
    full = explain_baseline(load_model("baseline"), "You idiot, I will hurt you")
    assert result["words"][0]["word"] == full.top_words("threat", 1)[0]["word"]


def test_gradient_methods_can_explain_only_the_labels_asked_for(transformer):
    from cleanspeech.explain import ExplanationError, explain

    every = explain(transformer, INSULT, "gradient")
    one = explain(transformer, INSULT, "gradient", labels=("insult",))
    assert set(one.base_value) == set(one.words[0]["scores"]) == {"insult"}
    np.testing.assert_allclose(one.scores("insult"), every.scores("insult"), atol=1e-4)
    with pytest.raises(ExplanationError, match="unknown label"):
        explain(transformer, INSULT, "gradient", labels=("rude",))
    for method in ("shap", "gradient"):  # the same rules for every method: a bare label, an unknown one
        assert set(explain(transformer, INSULT, method, labels="insult").base_value) == {"insult"}
        with pytest.raises(ExplanationError, match="unknown label"):
            explain(transformer, INSULT, method, labels=("rude",))
    with pytest.raises(InputError, match="not bytes"):
        explain(transformer, INSULT.encode(), "gradient")


def test_a_blank_text_has_nothing_to_explain(baseline, transformer):
    from cleanspeech.explain import explain

    for blank in ("", "  \n", "\u200b", "\u3164"):  # nothing to attribute a score to, as the CLI and the service say
        for model in (baseline, transformer):
            with pytest.raises(InputError, match="nothing to explain"):
                explain(model, blank)
