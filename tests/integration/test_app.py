"""The Streamlit app on the shipped models, driven through streamlit.testing."""

import base64
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cleanspeech.evaluation.metrics import precision_recall_f1
from cleanspeech.evaluation.reports import report_from_scores, score_folds
from cleanspeech.labels import LABELS
from tests.helpers import REPO, run_script
from tests.helpers.fake_gemini import KEY, FakeGemini, ok, serving
from tests.helpers.malformed_files import CASES, NO_TEXT_COLUMN, by_name

# The app's models load once per process (st.cache_resource) and the Compare page's two reports are built once per
# module: under pytest-xdist these tests share one worker instead of paying both costs on each.
pytestmark = pytest.mark.xdist_group("app")


@pytest.fixture
def app(shipped_baseline_dir):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    yield at
    # app.py turns an unforeseen exception into one line for the user; in a test it is a failure all the same
    assert not [e.value for e in at.error if e.value.startswith("This page could not finish")]


def check(app, text: str) -> None:
    """Type a comment on the Moderate page and press Check."""
    app.text_area(key="comment").input(text)
    app.button(key="moderate_check").click().run()


def test_moderate_page_starts_empty(app):
    assert app.title[0].value == "Moderate a comment"
    assert any("Enter a comment" in info.value for info in app.info)


def test_typed_insult_is_flagged(app, shipped_baseline):
    check(app, "You are a disgusting idiot.")
    assert not app.exception
    verdict = app.error[0].value  # one verdict from the default policy comes first, in plain words
    assert verdict.startswith("Remove") and "Toxic" in verdict and "Insult" in verdict
    assert "Toxic" in app.error[1].value and "Insult" in app.error[1].value  # then each model's flags
    table = app.dataframe[0].value
    assert table.loc["Toxic", "baseline"] > 0.8
    assert table.loc["Insult", "baseline threshold"] == round(shipped_baseline.thresholds["insult"], 3)
    chart = app.get("plotly_chart")[0].proto.spec  # each threshold mark grouped with its model's horizontal bar
    marks = [trace for trace in json.loads(chart)["data"] if trace["type"] == "scatter"]
    assert marks and all(mark["orientation"] == "h" and mark["offsetgroup"] for mark in marks)
    assert [h.value for h in app.subheader][-2:] == ["Explanation", "Rewrite"]
    assert app.button(key="rewrite_run") is not None  # rewriting runs when asked, not on every keystroke
    # explained at once with the first model's fastest method, for its first flagged label
    assert app.selectbox(key="explain_label").value == "toxic"
    assert app.html[0].value.count('class="cs-word"') == 5 and "idiot." in app.html[0].value


def test_rewrite_shows_the_rewrite_its_backend_scores_and_diff(app, monkeypatch, shipped_transformer):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    text = "You are a disgusting idiot."
    check(app, text)
    app.button(key="rewrite_run").click().run()
    assert not app.exception
    verdict = app.success[-1].value
    assert verdict.startswith("Written by the local rewriter (offline).") and "No label is flagged" in verdict
    rewrite = app.code[-1].value
    assert rewrite and "idiot" not in rewrite
    diff = app.html[-1].value  # the word diff: the insult struck through, the replacement marked as added
    assert '<del class="cs-delete"' in diff and "idiot." in diff
    after = shipped_transformer.predict_proba([rewrite]).iloc[0]
    chart = json.loads(app.get("plotly_chart")[-1].proto.spec)
    bars = {trace["name"]: dict(zip(trace["y"], trace["x"])) for trace in chart["data"] if trace["type"] == "bar"}
    assert bars["after"]["toxic"] == pytest.approx(after["toxic"], abs=1e-4)
    assert bars["after"]["toxic"] < 0.5 < bars["before"]["toxic"]
    # a new rerun (another widget) keeps the rewrite on screen
    app.selectbox(key="explain_label").select("insult").run()
    assert app.code[-1].value == rewrite


def test_rewrite_with_a_key_in_streamlit_secrets_uses_gemini(app, monkeypatch):
    polite = "I think you are mistaken."
    with serving(FakeGemini().reply(200, ok(polite))) as fake:
        monkeypatch.setenv("GEMINI_BASE_URL", fake.url)
        app.secrets["GEMINI_API_KEY"] = KEY
        app.secrets["GEMINI_MODEL"] = "gemini-2.5-flash-lite"
        check(app, "You are a disgusting idiot.")
        app.button(key="rewrite_run").click().run()
    assert not app.exception
    assert app.success[-1].value.startswith("Written by Gemini (gemini-2.5-flash-lite).")
    assert ":generateContent" in fake.requests[0]["path"] and "gemini-2.5-flash-lite" in fake.requests[0]["path"]
    assert app.code[-1].value == polite
    assert fake.requests[0]["headers"]["x-goog-api-key"] == KEY
    shown = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "code") for e in app.get(kind)]
    assert not any(KEY in str(value) for value in shown)  # the key is never displayed


def test_rewrite_with_html_in_the_comment_shows_it_as_text(app):
    check(app, 'you idiot <img src=x onerror="alert(1)">')
    app.button(key="rewrite_run").click().run()
    assert not app.exception
    diff = app.html[-1].value
    assert "<img" not in diff and "&lt;img" in diff


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("Thanks for the careful review, it helped.", "Nothing to rewrite: no label is flagged"),
        ("I am gay.", None),  # flagged or not, the answer keeps who the writer is and never contradicts itself
    ],
)
def test_rewrite_messages_say_one_thing(app, monkeypatch, text, headline):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    check(app, text)
    app.button(key="rewrite_run").click().run()
    assert not app.exception
    assert app.code[-1].value == text  # returned unchanged: nothing to rewrite, or nothing safe to change
    shown = [e.value for kind in ("success", "warning", "info") for e in app.get(kind)]
    assert not any("any more" in value for value in shown)  # never "no label is flagged any more" for a kept text
    if headline:
        assert app.success[-1].value.startswith(headline)
        assert not any("returned unchanged" in info.value for info in app.info)  # said once, in the headline


def test_explanation_shows_html_in_a_comment_as_text(app):
    check(app, 'you idiot <script>alert(1)</script> <img src=x onerror="alert(2)">')
    app.selectbox(key="explain_model").select("baseline").run()
    app.selectbox(key="explain_label").select("insult").run()
    assert not app.exception
    heatmap = app.html[0].value
    assert "<script" not in heatmap and "<img" not in heatmap
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in heatmap and "rgba(214,39,40" in heatmap  # idiot: red
    chart = app.get("plotly_chart")[-1].proto.spec
    assert "idiot" in chart and "contribution to insult" in chart


def test_a_2000_word_comment_is_explained_whole_its_last_words_too(app):
    check(app, "Thanks for the edit. " * 500 + "You idiot.")
    assert not app.exception
    assert app.html[0].value.count('class="cs-word"') == 2002  # the insult at the end is among the words shown


def test_slow_explanation_runs_behind_a_button(app):
    check(app, "You are a disgusting idiot.")
    app.selectbox(key="explain_model").select("transformer").run()
    app.selectbox(key="explain_method_transformer").select("shap").run()
    assert not app.exception and not app.html  # nothing computed until asked
    app.button(key="explain_run").click().run()
    assert not app.exception
    assert app.html[0].value.count('class="cs-word"') == 5
    assert any("(shap, log-odds)" in caption.value for caption in app.caption)


def test_example_button_fills_the_comment(app):
    app.button(key="example_Polite disagreement").click().run()
    assert not app.exception
    assert app.text_area(key="comment").value.startswith("I don't think this source")
    assert app.success[0].value.startswith("Allow") and app.success[1].value == "Not flagged"


def test_moderate_page_shows_no_stale_scores_and_keeps_the_comment_across_pages(app):
    check(app, "You are a disgusting idiot.")
    assert app.error[0].value.startswith("Remove")
    app.text_area(key="comment").input("Thank you, that helped a lot.").run()  # edited, not checked yet
    assert not app.error and not app.dataframe and any("Press Check" in i.value for i in app.info)
    app.switch_page("pages/compare.py").run()
    app.switch_page("pages/moderate.py").run()
    assert app.text_area(key="comment").value == "Thank you, that helped a lot."
    app.button(key="moderate_check").click().run()
    assert app.success[0].value.startswith("Allow")
    # A draft sent with the click that leaves the page (a box that loses focus to a sidebar link) is kept too.
    app.text_area(key="comment").input("A draft, never checked")
    app.switch_page("pages/training.py").run()
    app.switch_page("pages/moderate.py").run()
    assert app.text_area(key="comment").value == "A draft, never checked"


def test_compare_page_shows_stored_metrics_and_a_live_threshold(app, shipped_baseline_dir):
    report = json.loads((shipped_baseline_dir / "evaluation.json").read_text())
    app.switch_page("pages/compare.py").run()
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
    at.switch_page("pages/compare.py").run()
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
    app.switch_page("pages/compare.py").run()
    assert not app.exception
    table = next(df.value for df in app.dataframe if "J" in df.value.columns)
    assert {"copy", "delete", "local", "reference"} <= set(table.index)
    for system, metrics in report["systems"].items():
        assert table.loc[system, "J"] == pytest.approx(round(metrics["J"], 3))


def test_training_page_plots_a_real_run(app, tiny_model, small_data, tmp_path, capsys, monkeypatch):
    run = tmp_path / "runs" / "tiny"
    command = ["--model", str(tiny_model), "--data-dir", str(small_data), "--run-dir", str(run),
               "--max-train-samples", "400", "--max-eval-samples", "200", "--max-length", "48", "--eval-every", "5",
               "--max-steps", "15", "--learning-rate", "0"]  # fmt: skip
    assert run_script(capsys, "train", *command).returncode == 0
    monkeypatch.setenv("CLEANSPEECH_RUNS", str(tmp_path / "runs"))
    app.switch_page("pages/training.py").run()
    assert app.selectbox(key="history_run").options == ["shipped transformer", "runs/tiny/best"]
    app.selectbox(key="history_run").select("runs/tiny/best").run()
    assert not app.exception and app.title[0].value == "Training metrics"
    shown = {m.label: m.value for m in app.metric}
    assert shown["evaluations"] == "3" and shown["early stopping"] == "step 15"  # lr 0: no improvement after step 5
    assert len(app.get("plotly_chart")) == 3


def test_training_page_without_runs_says_how_to_train(app, tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANSPEECH_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("CLEANSPEECH_MODELS", str(tmp_path / "no-models"))
    app.switch_page("pages/training.py").run()
    assert not app.exception and "scripts/train.py" in app.code[0].value
    assert not app.text_input  # runs are picked from a list: no path box to probe the server with


ENTRY = {"step": 5, "train_loss": 0.5, "val_loss": 0.4, "learning_rate": 1e-5, "roc_auc": {"macro": 0.9, "toxic": 0.91}}


@pytest.mark.parametrize(
    ("history", "notice", "evaluations"),
    [
        (json.dumps([ENTRY, ENTRY | {"step": 10}])[:-40], "partly written or damaged: showing the 1 complete", "1"),
        ("{not json", "partly written or damaged: showing the 0 complete", None),
        (json.dumps({"step": 5}), "does not hold a list of entries", None),
        (json.dumps([{"step": "five", "roc_auc": "high"}, 3]), "skipped 1 entries that are not objects", "1"),
        ("\xff\xfe garbage", "partly written or damaged", None),
    ],
)
def test_training_page_survives_a_broken_history(app, tmp_path, monkeypatch, history, notice, evaluations):
    run = tmp_path / "runs" / "live" / "best"
    run.mkdir(parents=True)
    (run / "history.json").write_text(history)
    (run / "metrics.json").write_text('{"best_step": ')  # half-written too
    monkeypatch.setenv("CLEANSPEECH_RUNS", str(tmp_path / "runs"))
    app.switch_page("pages/training.py").run()
    app.selectbox(key="history_run").select("runs/live/best").run()
    assert not app.exception
    assert any(notice in w.value.replace("\\", "") for w in app.warning)
    shown = {m.label: m.value for m in app.metric}
    assert shown.get("evaluations") == evaluations
    if evaluations is None:
        assert "no complete evaluation" in app.info[0].value


@pytest.mark.slow
def test_batch_page_scores_an_upload_and_keeps_every_row(app, data_dir):
    frame = pd.read_csv(data_dir / "jigsaw_sample" / "test.csv.gz", dtype=str, keep_default_na=False).head(40)
    frame["note"] = "<script>alert(1)</script>"
    app.switch_page("pages/batch.py").run()
    app.file_uploader(key="batch_file").upload("comments.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    assert not app.exception and app.selectbox(key="batch_column").value == "comment_text"
    app.button(key="batch_score").click().run()
    assert not app.exception
    scored = app.session_state["batch_result"]["frame"]
    pd.testing.assert_frame_equal(scored[frame.columns], frame)
    assert (scored["baseline_toxic"] >= 0).all() and len(app.get("download_button")) == 2  # CSV and Excel
    assert len(app.get("plotly_chart")) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image"),
        (b"", "empty"),
        (b"comment_text\n", "no rows"),
    ],
)
def test_batch_page_explains_bad_files(app, content, message):
    app.switch_page("pages/batch.py").run()
    app.file_uploader(key="batch_file").upload("bad.csv", content, "text/csv").run()
    assert not app.exception
    assert message in app.error[0].value


def shown(markdown: str) -> str:
    """What a user reads in a Markdown element: the backslash escapes of `pages.common.as_text` undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_batch_page_gives_each_file_its_one_outcome(app):
    app.switch_page("pages/batch.py").run()
    for case in CASES:
        app.file_uploader(key="batch_file").upload(case.file_name, case.content, "application/octet-stream").run()
        assert not app.exception, case.name
        if case.error:
            assert case.error in shown(app.error[0].value), case.name
            continue
        if not case.rows:
            assert "has a header but no rows" in shown(app.error[0].value)
            continue
        assert case.notice is None or any(case.notice in shown(w.value) for w in app.warning), case.name
        app.button(key="batch_score").click().run()
        scored = app.session_state["batch_result"]["frame"]
        assert scored[list(case.rows[0])].to_dict("records") == case.rows, case.name  # nothing lost or shifted
        assert scored["status"].tolist() == case.statuses, case.name
        assert scored.loc[scored["status"] == "empty", "baseline_toxic"].isna().all()


def test_batch_page_keeps_malformed_rows_when_asked(app):
    case = by_name("ragged: a field too many")
    app.switch_page("pages/batch.py").run()
    app.checkbox(key="batch_lenient").check().run()
    app.file_uploader(key="batch_file").upload(case.file_name, case.content, "text/csv").run()
    assert not app.exception and "not scored" in shown(app.warning[0].value)
    app.button(key="batch_score").click().run()
    scored = app.session_state["batch_result"]["frame"]
    assert scored[list(case.lenient_rows[0])].to_dict("records") == case.lenient_rows
    assert scored["status"].tolist() == case.lenient_statuses


def test_batch_page_asks_for_the_text_column(app):
    app.switch_page("pages/batch.py").run()
    app.file_uploader(key="batch_file").upload("ids.csv", NO_TEXT_COLUMN.content, "text/csv").run()
    assert app.selectbox(key="batch_column").value is None and not app.button  # nothing scored on a guess
    assert NO_TEXT_COLUMN.error in shown(app.info[0].value)
    app.selectbox(key="batch_column").select("body").run()
    app.button(key="batch_score").click().run()
    assert app.session_state["batch_result"]["frame"]["status"].tolist() == ["scored"]


def test_batch_page_reads_a_plain_text_file_one_comment_per_line(app):
    app.switch_page("pages/batch.py").run()
    notes = b"You are a disgusting idiot\nThanks, that fixed it.\nsee you tomorrow\n"
    app.checkbox(key="batch_lines").check().run()
    app.file_uploader(key="batch_file").upload("notes.txt", notes, "text/plain").run()
    assert not app.exception and app.selectbox(key="batch_column").value == "comment_text"
    app.button(key="batch_score").click().run()
    scored = app.session_state["batch_result"]["frame"]
    assert scored["comment_text"].tolist() == notes.decode().splitlines()  # the first comment too, commas and all
    assert scored["status"].tolist() == ["scored"] * 3


def test_user_strings_are_shown_as_text(app):
    app.switch_page("pages/batch.py").run()
    name = "**bold** [link](http://evil.example) :red[x].csv"
    app.file_uploader(key="batch_file").upload(name, b"", "text/csv").run()
    error = app.error[0].value
    assert r"\*\*bold\*\* \[link\]\(http\:\/\/evil\.example\) \:red\[x\]\.csv" in error
    assert shown(error).startswith(name)
    app.switch_page("pages/moderate.py").run()
    check(app, "you <b>stupid</b> idiot &amp; moron")
    chart = next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if "contribution to" in c.proto.spec)
    words = " ".join(chart["data"][0]["y"])
    assert "&lt;b&gt;stupid&lt;/b&gt;" in words and "<" not in words  # Plotly shows the entities as <b>, as text


BROKEN_COMMENTS = [
    " \t\u200b\n ",  # white space and a zero-width space only
    "\x00\x01\x02\x1b[31m binary \x7f\ufffd",  # control characters, a terminal escape, a replacement character
    "🤬🤬🤬 💩",  # emoji only
    "‮you idiot‬ ‏שלום‏ مرحبا",  # bidirectional overrides, Hebrew and Arabic
    "<b>bold</b> <script>alert(1)</script> " * 20,  # markup
    "idiot " * 9_000,  # 54 KB: past the length limit
]


def test_moderate_page_survives_broken_comments(app):
    for text in BROKEN_COMMENTS:
        check(app, text)
        assert not app.exception, repr(text[:20])
        assert not [e.value for e in app.error if e.value.startswith("This page could not finish")], repr(text[:20])
    assert any("the models read the first" in info.value for info in app.info)  # the long one says so


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


def test_moderate_page_says_which_language_and_how_the_ensemble_weighs_it(app):
    check(app, "Du bist ein dummer Idiot und alle wissen es.")
    route = next(c.value for c in app.caption if c.value.startswith("Detected language"))
    assert route.startswith("Detected language: German (de).")
    assert "The ensemble weighs " in route and "transformer" in route
    # where German's validation comments gave labels mixes of their own, each label is named with its mix
    spec = json.loads((REPO / "models" / "ensemble" / "ensemble.json").read_text())
    german = spec["language_weights"]["de"]
    mixes = {label: spec.get("label_weights", {}).get("de", {}).get(label, german) for label in LABELS}
    named = [label for label in LABELS if re.search(rf"\b{label}\b[^;]*: baseline", route)]
    assert named == (list(LABELS) if len({tuple(m.items()) for m in mixes.values()}) > 1 else [])
    # text clearly in a language no model was trained or measured on is named, and weighed by the default weights
    check(app, "Je bent een ontzettende idioot en niemand wil jou hier hebben.")
    route = next(c.value for c in app.caption if c.value.startswith("Detected language"))
    assert route.startswith("Detected language: nl, not one the models were trained or measured on.")
    default = {member["name"]: member["weight"] for member in spec["members"]}
    assert f"The ensemble weighs baseline {default['baseline']:.0%}, embedding {default['embedding']:.0%}" in route
    assert route.endswith("(its default weights, fitted for languages it has no weights for)."), route
