"""The rewrite metrics (chrF, fluency, similarity) and scripts/evaluate_rewrite.py on real ParaDetox rows."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.data.paradetox import development_pairs, paradetox_part, read_sentences_csv
from cleanspeech.rewrite.metrics import CharLanguageModel, FluencyScorer, SentenceEncoder, chrf, normalize
from tests.helpers import run_script

NEUTRAL = [
    "i think you are wrong about this.",
    "he was back home and should have stayed there.",
    "why are universities convening courts for this?",
    "i like harry potter very much.",
    "please stop editing this page without a source.",
    "the article needs a better citation.",
] * 5


def test_chrf_matches_sacrebleu():
    # Reference values computed with sacreBLEU 2.6.0 (corpus_chrf / sentence_chrf, default chrF: n=6, beta=2).
    hypotheses = ["you are wrong about this.", "he was back home and should have stayed there."]
    references = [
        ["you are mistaken about this.", "you are wrong here."],
        ["he was back home and should have stayed there."],
    ]
    assert chrf(hypotheses, references) == pytest.approx(88.55024338936747, abs=1e-9)
    assert chrf(hypotheses[:1], references[:1]) == pytest.approx(60.00713857549943, abs=1e-9)
    assert chrf(["x"], [[]]) == 0.0  # no reference: skipped


def test_normalize_detokenizes_paradetox_style():
    assert normalize("I don 't care , really .") == normalize("i don't care, really.") == "i don't care, really."


def test_character_model_prefers_fluent_text_and_is_a_distribution():
    model = CharLanguageModel(NEUTRAL, order=4)
    assert model.log_prob_per_char("i think the article is wrong.") > model.log_prob_per_char(
        "wrong. the is think i article"
    )
    context = "\x02\x02\x02"  # probabilities of every character after the start of a text sum to one
    alphabet = {g for g in model.counts if len(g) == 1} | {"\x00"}  # every seen character and one unseen
    assert sum(model._probability(context, ch) for ch in alphabet) == pytest.approx(1.0, abs=1e-9)


def test_fluency_is_calibrated_on_human_text():
    calibration = ["you are wrong about the page.", "he should have stayed at home.", "i like this article very much."]
    scorer = FluencyScorer(NEUTRAL, calibration)
    fluent, garbled, empty = scorer(["i think you are wrong about this page.", "th , , wr ab . . qz", ""])
    assert fluent == 1.0 and garbled < 0.2 and empty == 0.0


def test_sentence_similarity_follows_meaning():
    encoder = SentenceEncoder()
    same, close, far = encoder.similarity(
        ["you are wrong about this."] * 3,
        ["you are wrong about this.", "i think you are mistaken here.", "the weather in paris is sunny."],
    )
    assert same == pytest.approx(1.0, abs=1e-5) and same > close > far


def test_held_out_split_is_by_sentence_and_keeps_all_rewrites_together(tmp_path):
    rows = pd.DataFrame(
        {"toxic": [f"sentence number {i} is shit" for i in range(200)], "neutral1": "n1", "neutral2": "", "x": "?"}
    )
    rows.to_csv(tmp_path / "pairs.csv", index=False)
    frame = read_sentences_csv(tmp_path / "pairs.csv")
    assert frame["held_out"].tolist() == [paradetox_part(t) == "heldout" for t in frame["toxic"]]  # as in training
    assert 20 <= frame["held_out"].sum() <= 65  # about one in five
    assert all(refs == ["n1"] for refs in frame["references"])
    assert len(development_pairs(frame)) == (~frame["held_out"]).sum()


def test_evaluate_rewrite_script_on_a_csv(tmp_path, data_dir, capsys):
    sentences = pd.DataFrame(
        {
            "comment": ["you are a fucking idiot .", "thanks for the help !", "this shit is broken"],
            "reference": ["you are wrong .", "thanks for the help !", "this is broken"],
        }
    )
    sentences.to_csv(tmp_path / "toxic.csv", index=False)
    run = run_script(
        capsys, "evaluate_rewrite", "--input", str(tmp_path / "toxic.csv"), "--column", "comment",
        "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "out"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "out" / "evaluation.json").read_text())
    systems = report["systems"]
    assert report["sentences"] == 3 and {"copy", "delete", "local"} <= set(systems)
    assert systems["copy"]["SIM"] == pytest.approx(1.0, abs=1e-5) and systems["copy"]["changed"] == 0.0
    assert systems["local"]["STA"] > systems["copy"]["STA"]
    local = [example["local"] for example in report["examples"]]
    assert local[1] == "thanks for the help !" and "fucking" not in local[0]
    for metrics in systems.values():
        assert 0 <= metrics["J"] <= min(metrics["STA"], metrics["SIM"], metrics["FL"]) + 1e-6
        assert np.isfinite(metrics["chrF"])


def test_evaluate_rewrite_script_says_what_is_missing(tmp_path, data_dir, capsys):
    (tmp_path / "bad.csv").write_text("text\nhello\n")
    command = ["--input", str(tmp_path / "bad.csv")]
    run = run_script(capsys, "evaluate_rewrite", *command, "--data-dir", str(data_dir))
    assert run.returncode == 2 and "has no column 'toxic'" in run.stderr
