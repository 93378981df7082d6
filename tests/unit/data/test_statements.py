"""Written identity statements: labelled as they read, marked as mitigation rows, and none of them a sentence of the
evaluation sets."""

import re
import string

import numpy as np
import pandas as pd
import pytest

from cleanspeech.data.counterfactual import identity_training_rows, is_mitigation_row
from cleanspeech.data.readers import FRAME_COLUMNS
from cleanspeech.data.statements import GRAMMARS, identity_statement_rows
from cleanspeech.evaluation.functional import functional_cases
from cleanspeech.evaluation.identity_templates import template_rows
from cleanspeech.labels import LABELS

COLUMNS = [*FRAME_COLUMNS, "fold"]


def _normalised(text: str) -> str:
    return " ".join(re.sub(f"[{re.escape(string.punctuation)}«»„“”¿¡’]", " ", text.lower()).split())


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return identity_statement_rows(COLUMNS, per_language=1500, seed=0)


def test_each_language_gets_distinct_training_rows_marked_as_mitigation(rows):
    assert set(rows["lang"]) == set(GRAMMARS) == {"en", "de", "fr", "es", "it", "pt"}
    for _, language in rows.groupby("lang"):
        assert len(language) == 1500 and language["text"].is_unique
    assert is_mitigation_row(rows["id"]).all() and (rows["fold"] == "train").all()
    assert list(rows.columns) == COLUMNS and (rows["source"] == "identity_statements").all()


def test_attacks_are_identity_hate_without_obscenity_and_the_rest_is_benign(rows):
    attacks = rows["identity_hate"] == 1
    assert 0.25 < attacks.mean() < 0.5  # both sides, in every language
    assert (rows.loc[attacks, "toxic"] == 1).all() and (rows.loc[attacks, "obscene"] == 0).all()
    assert rows.loc[attacks, "insult"].isna().all()  # unknown, masked in training
    assert 0 < rows.loc[attacks, "threat"].mean() < 1
    assert (rows.loc[~attacks, list(LABELS)] == 0).all().all()
    for lang, language in rows.groupby("lang"):
        assert 0.25 < (language["identity_hate"] == 1).mean() < 0.5, lang


def test_every_frame_of_every_language_fills_every_placeholder(rows):
    leftovers = rows["text"][rows["text"].str.contains(r"[{}]", regex=True)]
    assert leftovers.empty, leftovers.tolist()
    assert not rows["text"].str.contains(r"\s\s|\s[.,]|^\s|^[a-zà-ÿ]", regex=True).any()  # French spaces "?"
    for lang, grammar in GRAMMARS.items():  # the sample reaches every frame
        used = rows.loc[rows["lang"] == lang, "text"]
        for frame in (
            grammar.BENIGN_FRAMES
            + grammar.ATTACK_FRAMES
            + grammar.PERSON_FRAMES
            + grammar.PERSON_F_FRAMES
            + grammar.SELF_FRAMES
        ):
            anchor = max(re.split(r"\{\w+\}", frame), key=len).strip(" .?!:,")
            assert used.str.contains(anchor, regex=False).any(), (lang, frame)


def test_denials_can_be_drawn_as_a_kind_of_their_own(rows):
    from cleanspeech.data.statements import MAX_DENIALS
    from cleanspeech.errors import InputError

    denied = identity_statement_rows(COLUMNS, per_language=1500, seed=0, denials=0.08)
    assert denied["text"].is_unique and (denied.groupby("lang").size() == 1500).all()
    for lang, grammar in GRAMMARS.items():
        used = denied.loc[denied["lang"] == lang]
        openers = tuple(frame.split("{")[0] for frame in grammar.DENIAL_FRAMES if frame[0] != "{")
        denials = used[used["text"].str.startswith(openers)]
        assert len(denials) > 0.03 * len(used), lang  # among the benign frames they were 2% of the sentences
        assert (denials[list(LABELS)] == 0).all().all(), lang
        toxic = (used["toxic"] == 1).mean()
        assert 0.3 < toxic < 0.45, lang  # the share is taken from the benign kinds, not the attacks
    assert not rows["text"].str.startswith(("No, ", "Nein, ", "Non, ", "Não, ")).any()  # off by default
    for share in (-0.1, MAX_DENIALS + 0.01):
        with pytest.raises(InputError, match="identity-statement-denials"):
            identity_statement_rows(COLUMNS, per_language=10, seed=0, denials=share)


def test_no_statement_is_a_sentence_of_the_evaluation_sets(rows):
    evaluation = {_normalised(t) for t in functional_cases()["text"]}
    evaluation |= {_normalised(r["text"]) for r in template_rows()}
    denied = identity_statement_rows(COLUMNS, per_language=1500, seed=0, denials=0.4)
    shared = [t for t in pd.concat([rows["text"], denied["text"]]) if _normalised(t) in evaluation]
    assert not shared, shared[:5]


def test_statements_never_outnumber_the_real_rows():
    frame = pd.DataFrame({"id": [str(i) for i in range(600)], "text": "a comment", "lang": "en", "source": "jigsaw",
                          **{label: 0.0 for label in LABELS}})  # fmt: skip
    frame.loc[:5, "toxic"] = 1.0
    extra, counts = identity_training_rows(frame, 0, 0, 0, 0, statements=500, seed=0)
    assert counts["statements"] == 600 == len(extra)  # 600 rows: 100 per language, not 500
    _, fewer = identity_training_rows(frame, 0, 0, 0, 0, statements=40, seed=0)
    assert fewer["statements"] == 240  # under the cap, as many as asked
    _, off = identity_training_rows(frame, 0, 0, 0, 0, statements=0, seed=0)
    assert off["statements"] == 0
    again, _ = identity_training_rows(frame, 0, 0, 0, 0, statements=500, seed=0)
    assert again["text"].tolist() == extra["text"].tolist() and np.all(again["id"] == extra["id"])


def test_languages_left_out_of_the_attacks_get_benign_statements_only():
    english_attacks = identity_statement_rows(COLUMNS, per_language=300, seed=0, attack_languages=("en",))
    for lang, language in english_attacks.groupby("lang"):
        attacks = (language[list(LABELS)] == 1).any(axis=1)
        assert attacks.any() if lang == "en" else not attacks.any(), lang
    assert len(english_attacks) == 6 * 300 and english_attacks["text"].is_unique
    # the default (every language) is the same as naming them all
    every = identity_statement_rows(COLUMNS, per_language=300, seed=0, attack_languages=tuple(GRAMMARS))
    assert every["text"].tolist() == identity_statement_rows(COLUMNS, per_language=300, seed=0)["text"].tolist()


def test_attack_languages_are_read_from_the_option():
    from cleanspeech.data.statements import parse_attack_languages
    from cleanspeech.errors import InputError

    assert parse_attack_languages(None) is None and parse_attack_languages("none") == ()
    assert parse_attack_languages("all") is None
    assert parse_attack_languages(" en, de ") == ("en", "de")
    with pytest.raises(InputError, match="xx"):
        parse_attack_languages("en,xx")
    benign = identity_statement_rows(COLUMNS, per_language=100, seed=0, attack_languages=())
    assert not (benign[list(LABELS)] == 1).any().any()


def test_people_say_who_they_are_in_every_language(rows):
    for lang, grammar in GRAMMARS.items():
        used = rows.loc[rows["lang"] == lang]
        first_person = [f for f in used["text"] if any(_opens(f, frame) for frame in grammar.SELF_FRAMES)]
        women = [f for f in used["text"] if any(_opens(f, frame) for frame in grammar.PERSON_F_FRAMES)]
        assert len(first_person) > 20 and len(women) > 10, lang
        sentences = used.set_index("text").loc[first_person + women, list(LABELS)]
        assert (sentences == 0).all().all(), lang  # saying who you are is never toxic
        assert any(form in text for text in first_person for form in grammar.PERSON_F), lang  # women speak too


def _opens(text: str, frame: str) -> bool:
    head = frame.split("{x}")[0]
    return bool(head) and text.startswith(head[0].upper() + head[1:]) and frame.split("{x}")[1] in text
