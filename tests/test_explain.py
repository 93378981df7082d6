"""Word attributions: exact for the baseline, spans into the original text, and faithful to the model."""

import numpy as np
import pytest

from cleanspeech.explain import MAX_EXPLAINED_WORDS, explain_baseline, split_words
from cleanspeech.labels import LABELS


def baseline_logits(model, text: str) -> np.ndarray:
    matrix = model.features.transform(model._clean([text]))
    return np.array([model.classifiers[label].decision_function(matrix)[0] for label in LABELS])


@pytest.fixture(scope="module")
def baseline(shipped_baseline_dir):
    from cleanspeech.baseline import BaselineModel

    return BaselineModel.load(shipped_baseline_dir)


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


def test_removing_the_top_word_lowers_the_score(baseline):
    text = "Thanks for the edit, you stupid idiot, now go away."
    explanation = explain_baseline(baseline, text)
    top = explanation.top_words("insult", 1)[0]
    assert top["word"].strip(",.").lower() in {"idiot", "stupid"}
    without = text[: top["start"]] + text[top["end"] :]
    assert baseline.predict_proba([without])["insult"][0] < baseline.predict_proba([text])["insult"][0]


def test_long_comments_are_capped_and_say_so():
    spans, notes = split_words("word " * 2000)
    assert len(spans) == MAX_EXPLAINED_WORDS and "400 of 2,000 words" in notes[0]
    assert split_words("word " * 2000, max_words=None)[0][-1] == (9995, 9999)
