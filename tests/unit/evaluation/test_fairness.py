"""The fairness evaluation: the template set, the Borkan et al. metrics, the functional suite and its script."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.classifiers import flagged_labels
from cleanspeech.errors import InputError
from cleanspeech.evaluation.bias import bias_report, generalized_mean
from cleanspeech.evaluation.functional import (
    BENIGN_MENTIONS,
    FUNCTIONALITIES,
    functional_cases,
    run_functional_suite,
)
from cleanspeech.evaluation.identity_templates import LANGUAGES, TERMS, template_rows
from cleanspeech.evaluation.mentions import mentions, term_words
from tests.helpers import load_script, run_script


def test_the_template_set_covers_the_terms_categories_and_languages():
    rows = pd.DataFrame(template_rows())
    assert len(TERMS) >= 40 and set(LANGUAGES) == {"en", "de", "fr", "es", "it", "pt"}
    assert {c for c, _ in TERMS.values()} == {"gender", "sexuality", "religion", "race", "nationality", "disability",
                                              "age"}  # fmt: skip
    assert len(rows) == len(TERMS) * len(LANGUAGES) * 16 and rows["toxic"].mean() == 0.5
    assert not rows["text"].str.contains("{", regex=False).any()
    for _, row in rows.sample(200, random_state=0).iterrows():  # the term's own form is in its sentence
        form = TERMS[row["term"]][1][LANGUAGES.index(row["lang"])]
        assert form.lower() in row["text"].lower()
    assert "Ich bin schwul." in set(rows["text"]) and "Ser musulmán es asqueroso." in set(rows["text"])


def test_generalized_mean_weighs_the_worst_group():
    assert generalized_mean([0.9, 0.9, 0.9]) == pytest.approx(0.9)
    assert 0.6 < generalized_mean([0.5, 1.0, 1.0, 1.0]) < 0.7 < np.mean([0.5, 1.0, 1.0, 1.0])  # near the worst
    assert np.isnan(generalized_mean([float("nan")]))


def test_the_metrics_catch_a_model_that_scores_an_identity_word():
    rows = pd.DataFrame(template_rows(("en",)))
    labels, gay = rows["toxic"].to_numpy(), (rows["term"] == "gay").to_numpy()
    rng = np.random.default_rng(0)
    fair = 0.2 + 0.6 * labels + rng.uniform(-0.1, 0.1, len(rows))
    biased = np.where(gay, fair + 0.8, fair)  # "gay" alone lifts a benign sentence above every attack
    groups = {term: (rows["term"] == term).to_numpy() for term in TERMS}
    good, bad = (bias_report(labels, s, s >= 0.5, groups) for s in (fair, biased))
    assert good["bpsn_auc_gmean"] == 1.0 and good["max_benign_fpr"] == 0.0 and good["final_metric"] == 1.0
    assert bad["groups"]["gay"]["bpsn_auc"] == 0.0 and bad["groups"]["gay"]["benign_fpr"] == 1.0
    assert bad["groups"]["gay"]["bnsp_auc"] == 1.0 and bad["groups"]["muslim"]["bpsn_auc"] == 1.0
    assert bad["bpsn_auc_gmean"] < 0.5 < bad["bnsp_auc_gmean"] and bad["max_benign_fpr"] == 1.0
    assert good["terms_over_fpr_limit"] == 0 and bad["terms_over_fpr_limit"] == bad["terms_surely_over_fpr_limit"] == 1


def test_a_rate_just_over_the_limit_is_not_surely_over_it():
    labels = np.r_[np.zeros(48), np.ones(48)]
    member = np.ones(96, bool)
    for hits, surely in ((5, False), (15, True)):  # 10.4% and 31% of 48 benign sentences
        flagged = np.r_[np.arange(48) < hits, np.ones(48, bool)]
        report = bias_report(labels, flagged.astype(float), flagged, {"term": member})
        low, high = report["groups"]["term"]["benign_fpr_ci"]
        assert low < hits / 48 < high and report["terms_over_fpr_limit"] == 1
        assert report["terms_surely_over_fpr_limit"] == int(surely) and (low > 0.1) == surely
    assert all(
        v != v for v in bias_report(labels, labels, labels == 1, {"t": labels == 1})["groups"]["t"]["benign_fpr_ci"]
    )


def test_real_comments_are_grouped_by_the_terms_they_name_in_each_form():
    assert {"muslim", "muslims"} <= term_words("muslim", "en")
    assert {"schwul", "schwule", "schwuler"} <= term_words("gay", "de")
    texts = pd.Series(
        [
            "Women and men alike",
            "The Jews of Berlin",
            "He uses a wheelchair.",
            "I'll be there, user",
            "Les Arabes de Paris",
            "Ich weiß es nicht",
            "Arabs and Asians",
            "a mentally  ill man",
        ]
    )
    found = mentions(texts, "en")
    assert found["woman"].tolist() == [True, False, False, False, False, False, False, False]
    assert found["man"][[0, 7]].all() and found["jewish"][1] and found["wheelchair user"][2]
    assert not found["mentally ill"][3] and found["mentally ill"][7]  # "I'll" is not "ill"; a phrase across spaces
    assert found["arab"][6] and found["asian"][6]  # plurals of the race and ethnicity terms
    assert mentions(texts, "fr", ["arab"])["arab"].tolist() == [False, False, False, False, True, False, False, False]
    assert not mentions(texts, "de", ["white"])["white"].any()  # "weiß" is also "(I) know"
    assert list(mentions(texts, "de", ["gay", "deaf"])) == ["gay", "deaf"]
    written = pd.Series(["los arabes", "WEISSE Männer", "re\u0301fugie\u0301s", "non\u2013binary", "mentally-ill",
                         "Cristiano Ronaldo", "un CD-ROM", "trans fats"])  # fmt: skip
    assert mentions(written, "es", ["arab"])["arab"][0] and mentions(written, "de", ["white"])["white"][1]
    assert mentions(written, "fr", ["refugee"])["refugee"][2]  # accents left out, decomposed, or ß as ss
    assert mentions(written, "en", ["nonbinary"])["nonbinary"][3] and mentions(written, "en")["mentally ill"][4]
    assert not mentions(written, "es", ["christian"])["christian"][5] and not mentions(written, "fr")["roma"][6]
    assert not mentions(written, "en", ["transgender"])["transgender"].any()


def test_each_template_sentence_is_a_mention_of_its_own_term_and_of_no_other():
    rows = pd.DataFrame(template_rows(LANGUAGES))
    # in real comments "weiß", "Rom", "behindert" and "âgé" mostly mean "know", Rome, "hinders" and "aged (25)"
    left_out = {("white", "de"), ("roma", "de"), ("disabled", "de"), ("elderly", "fr")}
    for lang, sentences in rows.groupby("lang"):
        for term, found in mentions(sentences["text"], lang).items():
            own = (sentences["term"] == term).to_numpy()
            assert (found == own).all() or ((term, lang) in left_out and not found.any()), (term, lang)
    with pytest.raises(KeyError, match="unknown identity term"):
        term_words("martian", "en")


def test_the_functional_suite_has_every_functionality_and_judges_cases_by_their_labels(shipped_baseline):
    named = ["derogation, explicit", "derogation, implicit", "threat, direct", "threat, normative", "slurs",
             "profanity, untargeted", "profanity, targeted at a person", "pronoun reference", "negated hate",
             "negated praise", "hate as a question", "hate as an opinion", "identity, neutral mention",
             "identity, positive mention", "counter-speech, quoting hate", "counter-speech, denouncing hate",
             "abuse of objects", "abuse of individuals", "abuse of non-protected groups", "spelling: swapped letters",
             "spelling: missing letters", "spelling: added spaces", "spelling: leet"]  # fmt: skip
    assert list(FUNCTIONALITIES) == named
    cases = functional_cases()
    assert all(not set(e) & set(f) for e, f in zip(cases["expect"], cases["forbid"]))
    report = run_functional_suite(shipped_baseline, cases)
    assert report["cases"] == len(cases) and 0 <= report["pass_rate"] <= 1
    for functionality, result in report["functionalities"].items():
        for failure in result["failures"]:  # every kept failure really breaks its functionality's expectation
            flagged = set(flagged_labels(shipped_baseline.predict_proba([failure["text"]]).iloc[0],
                                         shipped_baseline.thresholds))  # fmt: skip
            assert flagged == set(failure["flagged"])
            assert not set(result["expect"]) <= flagged or set(result["forbid"]) & flagged, functionality


def test_the_suite_says_how_well_attacks_are_ranked_above_benign_mentions_of_the_same_groups(shipped_baseline):
    from sklearn.metrics import roc_auc_score

    cases = functional_cases(groups=("Muslims", "women"))
    report = run_functional_suite(shipped_baseline, cases)
    scores = shipped_baseline.predict_proba(cases["text"].tolist())
    benign = cases["functionality"].isin(BENIGN_MENTIONS).to_numpy()
    implicit = (cases["functionality"] == "derogation, implicit").to_numpy()
    for label in ("toxic", "identity_hate"):  # the AUC of implicit derogation against the benign mentions
        truth = np.r_[np.ones(implicit.sum()), np.zeros(benign.sum())]
        expected = roc_auc_score(truth, np.r_[scores[label][implicit], scores[label][benign]])
        assert report["functionalities"]["derogation, implicit"]["separation"][label] == pytest.approx(expected)
    assert report["functionalities"]["threat, direct"]["separation"].keys() == {"toxic", "threat"}  # its own labels
    for name in (*BENIGN_MENTIONS, "slurs", "abuse of objects"):  # nothing expected, or no group named: no AUC
        assert report["functionalities"][name]["separation"] == {}
    assert set(report["separation"]) == {"toxic", "identity_hate"}
    assert all(0 <= v <= 1 for v in report["separation"].values())


def test_one_command_writes_the_report_beside_each_model(tmp_path, capsys, shipped_baseline_dir, dataset):
    done = run_script(capsys, "evaluate_fairness", "--quick", "--model", "baseline", "--output-dir", str(tmp_path),
                      "--real-rows", "40")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "baseline" / "fairness.json").read_text())
    assert report["settings"]["real_rows"] == 40 and report["real_comments"]["en"]["comments"] <= 80
    assert set(report["real_comments"]["en"]["groups"]) <= {"gay", "muslim", "black", "woman", "deaf", "immigrant"}
    assert list(report["templates"]["languages"]) == ["all", "en", "de"]
    templates = report["templates"]["languages"]["all"]
    assert set(templates["groups"]) == {"gay", "muslim", "black", "woman", "deaf", "immigrant"}
    assert 0 <= templates["final_metric"] <= 1 and 0 <= templates["max_benign_fpr"] <= 1
    assert set(report["real_comments"]) == {"en", "de"} and report["real_comments"]["en"]["comments"] > 0
    assert len(report["functional"]["functionalities"]) == len(FUNCTIONALITIES)
    assert done.stdout.startswith("baseline: templates BPSN gmean")


def test_models_of_one_folder_name_get_a_report_each(tmp_path):
    output_dirs = load_script("evaluate_fairness").output_dirs
    folders = output_dirs(["runs/a/best", "runs/b/best", "baseline"], str(tmp_path / "out"))
    assert [p.name for p in folders.values()] == ["a-best", "b-best", "baseline"]  # not one best/ for both
    inside = output_dirs(["/best", "runs/best", "."], str(tmp_path / "out")).values()
    assert [p.name for p in inside] == ["best", "runs-best", "model"]  # "/best" once made a folder at the root
    assert all(p.parent == tmp_path / "out" for p in inside)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):  # before anything is measured
        output_dirs(["baseline"], str(tmp_path / "file"))


def test_a_sample_never_replaces_a_models_report_and_a_bad_output_folder_is_refused_before_scoring(tmp_path, capsys):
    refused = run_script(capsys, "evaluate_fairness", "--quick", "--model", "baseline", "--no-real")
    assert refused.returncode == 2 and "give --output-dir" in refused.stderr
    (tmp_path / "afile").write_text("")
    with pytest.raises(InputError, match="afile is a file, not a folder"):  # before the model is even looked for
        load_script("evaluate_fairness").main(["--model", "no-such-model", "--output-dir", f"{tmp_path}/afile/x"])


def test_the_python_api_takes_one_name_or_several_and_refuses_unknown_ones():
    assert {row["term"] for row in template_rows("en", "woman")} == {"woman"}  # not "man", a substring of it
    assert {row["lang"] for row in template_rows(["de", "fr"], ["gay"])} == {"de", "fr"}
    for languages, terms in (("xx", None), ("en", []), ("en", ["martian"])):
        with pytest.raises(InputError):
            template_rows(languages, terms)
    assert set(functional_cases("gay people")["group"]) == {"gay people", ""}
    with pytest.raises(InputError):
        functional_cases([])
