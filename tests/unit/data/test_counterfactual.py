"""Counterfactual identity copies: terms swapped within their language and category, labels and the rest kept."""

import numpy as np
import pandas as pd

from cleanspeech.data.counterfactual import counterfactual_rows, swap_identity_terms
from cleanspeech.data.identity_terms import IDENTITY_TERMS, identity_spans
from cleanspeech.labels import LABELS


def test_a_swap_changes_only_identity_terms_and_keeps_their_category():
    rng = np.random.default_rng(0)
    for _ in range(20):
        swapped = swap_identity_terms("I am a gay man and my wife is Muslim.", "en", rng)
        spans = identity_spans(swapped)
        words = [swapped[s:e].lower() for s, e in spans]
        assert swapped.startswith("I am a ") and swapped.endswith(".") and len(words) == 3
        assert words[0] in IDENTITY_TERMS["sexuality"]["en"] and words[0] != "gay"
        assert words[2] in IDENTITY_TERMS["religion"]["en"] and words[2] != "muslim"
    german = swap_identity_terms("Ich bin schwul.", "de", rng)
    assert german != "Ich bin schwul." and german[8:-1].lower() in IDENTITY_TERMS["sexuality"]["de"]
    assert swap_identity_terms("He is 18 years old.", "en", rng) is None  # age words are not swapped
    assert swap_identity_terms("Nothing to see here.", "en", rng) is None


def test_benign_rows_get_more_copies_and_labels_are_kept():
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"], "lang": ["en", "en", "en", "ru"], "source": "s",
                          "text": ["Muslims are welcome here.", "I hate gay people, idiot.", "No group named.",
                                   "Muslim"]})  # fmt: skip
    for label in LABELS:
        frame[label] = [0.0, 1.0 if label in ("toxic", "identity_hate") else 0.0, 0.0, 0.0]
    copies = counterfactual_rows(frame, benign_copies=3, toxic_copies=1, seed=1)
    assert copies["id"].tolist() == ["a~cf0", "a~cf1", "a~cf2", "b~cf0"]  # no copy without a term or a language
    assert (copies.loc[copies["id"].str.startswith("a"), list(LABELS)] == 0).all().all()
    assert copies.loc[3, "toxic"] == 1 and copies.loc[3, "identity_hate"] == 1
    assert all(text.endswith("are welcome here.") and "Muslims" not in text for text in copies["text"][:3])
    assert list(copies.columns) == list(frame.columns)
