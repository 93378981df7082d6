"""Counterfactual identity copies: terms swapped within their language and category, labels and the rest kept."""

import re

import numpy as np
import pandas as pd

from cleanspeech.data.counterfactual import (
    balancing_rows,
    clean_attack_rows,
    counterfactual_rows,
    identity_training_rows,
    swap_identity_terms,
)
from cleanspeech.data.identity_terms import IDENTITY_TERMS, all_identity_terms, identity_spans
from cleanspeech.labels import LABELS


def test_the_prefix_tree_finds_what_a_longest_first_alternation_of_every_term_finds():
    terms = sorted(all_identity_terms(), key=len, reverse=True)
    flat = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, terms)) + r")(?![\w-])", re.IGNORECASE)
    joined = [sep.join(terms) for sep in (" ", "-", "", "+", ". ", "_")]
    texts = [*joined, *(t.upper() for t in joined), "LGBTQ+ lgbtq lgbt+x gays-gay GAYS trans-women",
             "ÄLTER älter Männer", "I am a gay man and my neighbours are Muslim.",
             "Les femmes sourdes; die Gehörlosen; i giovani."]  # fmt: skip
    for text in texts:
        assert identity_spans(text) == [m.span() for m in flat.finditer(text)], text[:60]


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


def labelled(texts: list[str], toxic: list[int], obscene: list[int] | None = None, lang: str = "en") -> pd.DataFrame:
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "lang": lang, "source": "s", "text": texts})
    for label in LABELS:
        frame[label] = 0.0
    frame["toxic"] = [float(t) for t in toxic]
    frame["identity_hate"] = frame["toxic"]
    frame["obscene"] = [float(o) for o in obscene] if obscene else 0.0
    return frame


def test_balancing_adds_benign_mentions_of_a_term_seen_mostly_in_attacks():
    attacks = [f"gay people are scum number {i}" for i in range(6)]
    benign = ["my neighbours are Muslims", "women vote too", "the Christian choir sang", "lunch was nice",
              "the weather is nice", "a quiet day", "a long walk", "good book", "fine tea", "new shoes"]  # fmt: skip
    frame = labelled(attacks + benign, [1] * 6 + [0] * 10)
    added = balancing_rows(frame, seed=0, max_factor=4)
    # 6 of 16 rows are toxic (37.5%): "gay" needs ceil(6 * 0.625 / 0.375) = 10 benign mentions, and has none
    assert len(added) == 10 and added["id"].str.contains("~bal-gay-").all()
    assert (added[list(LABELS)] == 0).all().all()  # donors are benign, and so are their copies
    assert all("gay" in text.lower() and text.split()[-1] != "scum" for text in added["text"])
    donors = {"my neighbours are", "vote too", "choir sang"}
    assert all(any(part in text for part in donors) for text in added["text"])  # real benign comments that name a group
    assert len(balancing_rows(frame, seed=0, max_factor=1)) == 6  # at most max_factor per toxic mention
    assert balancing_rows(frame, seed=0, max_factor=0).empty


def test_only_attacks_without_profanity_get_clean_attack_copies():
    frame = labelled(["Muslims don't deserve to vote", "f*** those gay people", "a nice day"], [1, 1, 0], [0, 1, 0])
    copies = clean_attack_rows(frame, copies=2, seed=0)
    assert copies["id"].tolist() == ["r0~atk0", "r0~atk1"]
    assert (copies["identity_hate"] == 1).all() and all(t.endswith("don't deserve to vote") for t in copies["text"])
    assert all(t.split()[0] != "Muslims" for t in copies["text"])  # the group is swapped


def test_identity_training_rows_counts_each_kind():
    frame = labelled(["Muslims don't deserve to vote", "gay men, scum", "the choir sang, women too", "a nice day"],
                     [1, 1, 0, 0])  # fmt: skip
    rows, counts = identity_training_rows(frame, benign_copies=1, toxic_copies=0, balance_factor=2,
                                          clean_attack_copies=1, seed=0)  # fmt: skip
    assert sum(counts.values()) == len(rows) and counts["clean_attacks"] == 2 and counts["counterfactual"] == 1
    assert counts["balancing"] > 0
