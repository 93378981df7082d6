"""The Compare models page through streamlit.testing: stored metrics, a live threshold, disagreements, faithfulness,
the rewriter's evaluation, fairness per term and functionality, damaged reports."""

import base64
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cleanspeech.evaluation.metrics import precision_recall_f1
from cleanspeech.evaluation.reports import report_from_scores, score_folds
from tests.helpers import REPO, run_script
from tests.helpers.app_testing import shown

# The app's models load once per process (st.cache_resource): under pytest-xdist the app's tests share one worker
# instead of paying that on each.
pytestmark = pytest.mark.xdist_group("app")


def test_compare_page_shows_stored_metrics_and_a_live_threshold(app, shipped_baseline_dir):
    report = json.loads((shipped_baseline_dir / "evaluation.json").read_text())
    app.switch_page("views/compare.py").run()
    assert not app.exception and app.title[0].value == "Compare models"
    table = app.dataframe[0].value
    macro = table[(table["model"] == "baseline") & (table["label"] == "macro")]
    assert macro["roc_auc"].iloc[0] == pytest.approx(
        report["splits"]["validation"]["metrics"]["macro"]["roc_auc"], 1e-3
    )

    app.selectbox(key="compare_label").select("insult").run()
    app.slider(key="threshold_baseline_insult").set_value(0.9).run()
    assert not app.exception
    predictions = report["predictions"]["validation"]
    truth = np.array([np.nan if v is None else v for v in predictions["labels"]["insult"]], dtype=float)
    scores = np.array(predictions["scores"]["insult"])
    known = ~np.isnan(truth)
    precision, recall, _ = precision_recall_f1(truth[known].astype(int), scores[known], 0.9)
    shown = {m.label: m.value for m in app.metric[:4]}  # the first model's row: the baseline
    assert shown["precision"] == f"{precision:.3f}" and shown["recall"] == f"{recall:.3f}"


@pytest.fixture(scope="session")  # session, not module: xdist may interleave other modules, tearing a module's down
def two_models(tmp_path_factory, shipped_baseline_dir, small_baseline, dataset):
    """A models dir with the shipped baseline and a second evaluation.json, from a small baseline scored for real.

    The page lists models by their shipped names, so the second report sits where the transformer's would.
    """
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(shipped_baseline_dir, root / "baseline")
    # validation (500 rows per source) and test, as a shipped report; the page compares the ids both reports hold
    scores = score_folds(small_baseline, dataset, max_eval_rows=0, max_validation_rows=500)
    (root / "transformer").mkdir()
    (root / "transformer" / "evaluation.json").write_text(
        json.dumps(report_from_scores("transformer", dataset, scores))
    )
    return root


def _stored_scores(models_root, name, split, label) -> pd.Series:
    record = json.loads((models_root / name / "evaluation.json").read_text())["predictions"][split]
    return pd.Series(record["scores"][label], index=record["id"])


def _compare_page(models_root, monkeypatch, label):
    monkeypatch.setenv("CLEANSPEECH_MODELS", str(models_root))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/compare.py").run()
    at.selectbox(key="compare_label").select(label).run()
    assert not at.exception
    return at


def test_compare_page_shows_where_two_models_disagree(two_models, dataset, monkeypatch):
    at = _compare_page(two_models, monkeypatch, "insult")
    a = _stored_scores(two_models, "baseline", "validation", "insult")
    b = _stored_scores(two_models, "transformer", "validation", "insult")
    expected = (a - b).dropna().abs().sort_values(ascending=False)
    table = at.dataframe[-1].value
    columns = ["comment", "true insult", "baseline", "transformer", "difference", "source", "id"]
    assert len(table) == 20 and list(table.columns) == columns
    assert table["difference"].abs().tolist() == pytest.approx(expected.head(20).tolist(), abs=1e-5)
    top = table.iloc[0]
    assert (top["baseline"], top["transformer"]) == (a[top["id"]], b[top["id"]])
    rows = dataset.set_index("id").loc[table["id"]]
    assert table["comment"].tolist() == rows["text"].tolist()  # joined from the data directory by id
    truth = rows["insult"].map({1.0: "yes", 0.0: "no"}).fillna("unknown")
    assert table["true insult"].tolist() == truth.tolist()

    at.selectbox(key="disagree_a").select("transformer").run()
    assert at.dataframe[-1].value["difference"].iloc[0] == -top["difference"]


def test_compare_page_without_data_shows_ids_and_says_where_texts_come_from(two_models, monkeypatch, tmp_path):
    monkeypatch.setenv("CLEANSPEECH_DATA", str(tmp_path / "no-data"))
    at = _compare_page(two_models, monkeypatch, "toxic")
    table = at.dataframe[-1].value
    assert len(table) == 20 and table.columns[0] == "id" and "comment" not in table.columns
    assert any("Comment texts come from the data directory" in info.value for info in at.info)


def test_compare_page_shows_measured_faithfulness(two_models, monkeypatch, capsys):
    out = two_models / "baseline"
    command = ["--model", "baseline", "--comments", "30", "--output-dir", str(two_models)]
    done = run_script(capsys, "evaluate_explanations", *command)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "faithfulness.json").read_text())
    linear = report["methods"]["linear"]
    assert report["comments"] == 30 and report["label"] == "toxic"
    assert linear["comprehensiveness"] > 2 * linear["random"]["comprehensiveness"]  # the exact method beats chance
    assert linear["sufficiency"] < linear["random"]["sufficiency"]
    at = _compare_page(two_models, monkeypatch, "toxic")
    table = next(df.value for df in at.dataframe if "comprehensiveness" in df.value.columns)
    assert table.iloc[0]["method"] == "linear"
    assert table.iloc[0]["comprehensiveness"] == linear["comprehensiveness"]


def test_compare_page_shows_the_rewriters_evaluation(app):
    report = json.loads((REPO / "models" / "rewriter" / "evaluation.json").read_text())
    app.switch_page("views/compare.py").run()
    assert not app.exception
    table = next(df.value for df in app.dataframe if "J" in df.value.columns)
    assert {"copy", "delete", "local", "reference"} <= set(table.index)
    for system, metrics in report["systems"].items():
        assert table.loc[system, "J"] == pytest.approx(round(metrics["J"], 3))


def test_compare_page_survives_damaged_reports(tmp_path, monkeypatch):
    models = REPO / "models"
    for directory in (p for p in models.iterdir() if p.is_dir()):
        (tmp_path / directory.name).mkdir()
        for file in directory.iterdir():
            (tmp_path / directory.name / file.name).symlink_to(file)
    damaged = {"transformer/evaluation.json": '{"splits": {"validation": {"metrics": ',
               "baseline/faithfulness.json": "[", "rewriter/evaluation.json": "null",
               "ensemble/evaluation.json": '{"no_splits": 1}'}  # fmt: skip
    for name, content in damaged.items():
        (tmp_path / name).unlink()
        (tmp_path / name).write_text(content)
    at = _compare_page(tmp_path, monkeypatch, "toxic")
    assert not at.exception and not [e.value for e in at.error if "could not finish" in e.value]
    warnings = " ".join(w.value for w in at.warning)
    assert "transformer/evaluation.json is damaged" in shown(warnings)
    assert "baseline/faithfulness.json is damaged" in shown(warnings)
    metrics = next(df.value for df in at.dataframe if "roc_auc" in df.value.columns)
    assert set(metrics["model"]) == {"baseline", "embedding"}  # the readable reports are still shown


def _plotly_array(values) -> np.ndarray:
    """A figure's numbers, as Plotly writes them: a list, or base64 bytes with their dtype."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
    return np.asarray(values, dtype=float)


def test_compare_page_shows_fairness_per_term_and_functionality(two_models, shipped_baseline, monkeypatch, tmp_path):
    from cleanspeech.evaluation.fairness import fairness_report

    root = tmp_path / "models"
    shutil.copytree(two_models, root)
    report = fairness_report(shipped_baseline, None, ("en", "de"), ("gay", "muslim", "deaf"))
    (root / "baseline" / "fairness.json").write_text(json.dumps(report))
    at = _compare_page(root, monkeypatch, "toxic")
    summary = next(df.value for df in at.dataframe if "bpsn_auc_gmean" in df.value.columns)
    assert summary.loc["baseline", "bpsn_auc_gmean"] == report["templates"]["languages"]["all"]["bpsn_auc_gmean"]
    chart = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if "benign_fpr" in c.proto.spec))
    assert sorted(chart["data"][0]["x"]) == ["deaf", "gay", "muslim"]
    all_terms = report["templates"]["languages"]["all"]
    assert summary.loc["baseline", "terms_over_fpr_limit"] == all_terms["terms_over_fpr_limit"]
    gay = all_terms["groups"]["gay"]
    bar = chart["data"][0]["x"].index("gay")  # each bar carries its term's interval
    above = _plotly_array(chart["data"][0]["error_y"]["array"])
    assert abs(above[bar] - (gay["benign_fpr_ci"][1] - gay["benign_fpr"])) < 1e-9
    functional = next(df.value for df in at.dataframe if "expected flags" in df.value.columns)
    assert functional.loc["negated hate", "baseline"] == report["functional"]["functionalities"]["negated hate"][
        "pass_rate"]  # fmt: skip
    at.radio(key="fair_source").set_value("real comments").run()
    assert not at.exception and any("No real comments were measured" in i.value for i in at.info)


def test_compare_page_shows_a_sample_as_one_and_skips_what_a_report_lacks(
    two_models, shipped_baseline, monkeypatch, tmp_path
):
    """A `--quick` report is named a sample; a language where no comment names a term, and a report without the
    functional tests (written by hand, or cut short), leave the page whole."""
    from cleanspeech.evaluation.fairness import fairness_report

    root = tmp_path / "models"
    shutil.copytree(two_models, root)
    report = fairness_report(shipped_baseline, None, ("en", "de"), ("gay", "deaf"))
    report["settings"] = {"model": "baseline", "languages": ["en", "de"], "terms": ["gay", "deaf"], "real_rows": 200}
    report["real_comments"] = {"fr": {"comments": 12, "overall_auc": 0.7, "groups": {}}}
    (root / "baseline" / "fairness.json").write_text(json.dumps(report))
    (root / "transformer" / "fairness.json").write_text(json.dumps({"templates": report["templates"]}))
    at = _compare_page(root, monkeypatch, "toxic")
    assert not at.exception and not [e.value for e in at.error if "could not finish" in e.value]
    assert any("baseline: measured on a sample (2 terms, languages en, de, 200 real comments a language)" in w.value
               for w in at.warning)  # fmt: skip
    summary = next(df.value for df in at.dataframe if "bpsn_auc_gmean" in df.value.columns)
    assert set(summary.index) == {"baseline", "transformer"}  # the templates of both
    functional = next(df.value for df in at.dataframe if "expected flags" in df.value.columns)
    assert list(functional.columns) == ["expected flags", "baseline"]  # the transformer's report has no such tests
    at.selectbox(key="fair_lang_templates").select("de").run()
    at.radio(key="fair_source").set_value("real comments").run()
    assert not at.exception and any("No real comments in this language name a term" in i.value for i in at.info)
    at.radio(key="fair_source").set_value("templates").run()  # the templates' language is still the one chosen
    assert at.selectbox(key="fair_lang_templates").value == "de"
