"""The dashboard end to end in a real headless Chromium (tests/helpers/browser.py): a typed comment, an uploaded
file, broken inputs. The moderator's shift is test_e2e_shift.py."""

import re
from pathlib import Path

import pandas as pd
import pytest

from cleanspeech.classifiers import flagged_labels, load_models
from cleanspeech.labels import LABEL_NAMES, LABELS
from cleanspeech.rewrite import load_lexicon
from cleanspeech.rewrite.local import LocalRewriter
from tests.helpers import assert_kept_behind_formula_guards
from tests.helpers.browser import download, grid_rows, settled

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
# One worker runs every browser test (this module's, test_e2e_shift's), so the server and the browser start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def models() -> dict:
    """The shipped models the app shows, loaded in this process to know what the page must say."""
    return load_models()


def _moderate(page, text: str, models: dict) -> dict[str, list[str]]:
    """Type `text`, wait for every model's verdict as computed in-process, and return the flagged labels."""
    flagged = {
        name: flagged_labels(model.predict_proba([text]).iloc[0], model.thresholds) for name, model in models.items()
    }
    box = page.get_by_role("textbox", name="Comment", exact=True)
    box.fill(text)
    box.press("Control+Enter")  # Streamlit commits a text area on Ctrl+Enter (or blur)
    page.get_by_role("button", name=re.compile(r"^Check")).click()  # its name also shows the shortcut
    for labels in flagged.values():
        shown = ", ".join(LABEL_NAMES[label] for label in labels)
        page.get_by_text("Flagged: " + shown if labels else "Not flagged", exact=True).first.wait_for()
    return flagged


def test_moderate_scores_a_typed_comment_and_shows_html_as_text(page, dialogs, screenshots, models):
    insult = "You are a disgusting idiot."
    page.get_by_role("heading", name="Moderate a comment").wait_for()
    assert {"toxic", "insult"} <= set(_moderate(page, insult, models)["baseline"])
    page.locator(".js-plotly-plot").first.wait_for()  # the per-label score chart
    page.get_by_text("Scores and thresholds").click()
    table = grid_rows(page)
    assert table[0] == ["", *(f"{name}{kind}" for name in models for kind in ("", " threshold"))]  # side by side
    for column, (name, model) in enumerate(models.items()):
        expected = model.predict_proba([insult]).iloc[0].round(3).rename(LABEL_NAMES).to_dict()
        assert {row[0]: float(row[1 + 2 * column]) for row in table[1:]} == pytest.approx(expected, abs=1e-3), name
        thresholds = {LABEL_NAMES[label]: round(value, 3) for label, value in model.thresholds.items()}
        assert {row[0]: float(row[2 + 2 * column]) for row in table[1:]} == pytest.approx(thresholds), name
    heatmap = page.locator(".cs-heatmap").filter(has_text="disgusting")  # the explanation, word by word
    heatmap.wait_for()
    assert heatmap.locator(".cs-word").count() == len(insult.split())
    settled(page)  # the heatmap shows while the page still runs: a click then can be lost
    page.get_by_role("button", name="Rewrite politely").click()  # the local rewriter: no key is set for the server
    diff = page.locator(".cs-diff")
    diff.wait_for()
    judge = models["transformer"]
    expected = LocalRewriter(judge, load_lexicon(), guide=models["baseline"]).rewrite_text(insult)[0]
    page.get_by_text(expected, exact=True).first.wait_for()  # the same rewrite as in-process
    assert "idiot" in diff.locator("del").all_inner_texts()[-1]
    page.screenshot(path=screenshots / "moderate.png", full_page=True)

    _moderate(page, XSS, models)
    page.wait_for_timeout(1000)  # time for an injected onerror handler to fire, had the text become HTML
    assert page.get_by_role("textbox", name="Comment", exact=True).input_value() == XSS
    page.locator(".cs-heatmap").filter(has_text="onerror").wait_for()  # the comment's HTML shown as text
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []


def _comments_csv(data_dir: Path, path: Path) -> pd.DataFrame:
    """Real Jigsaw test rows plus one comment made of HTML; the text column is not called comment_text."""
    rows = pd.read_csv(data_dir / "jigsaw_sample" / "test.csv.gz", dtype=str, keep_default_na=False).head(8)
    frame = pd.concat([rows, pd.DataFrame({"id": ["html-1"], "comment_text": [XSS]})], ignore_index=True)
    frame = frame.rename(columns={"comment_text": "comment"}).assign(note=[f"row {i}" for i in range(len(rows) + 1)])
    frame.to_csv(path, index=False)
    return frame


def test_batch_scores_an_uploaded_csv_and_downloads_every_row(page, dialogs, data_dir, tmp_path, screenshots, models):
    upload = _comments_csv(data_dir, tmp_path / "comments.csv")
    page.get_by_role("link", name="Batch").click()
    page.get_by_role("heading", name="Score a file of comments").wait_for()
    page.locator("input[type=file]").set_input_files(tmp_path / "comments.csv")
    page.get_by_text(f"{len(upload)} rows, {len(upload.columns)} columns.").wait_for()
    page.get_by_label("Text column").click()
    page.get_by_role("option", name="comment", exact=True).click()
    page.get_by_role("button", name="Score").click()
    download(page, "Download CSV", tmp_path / "scored.csv", screenshots)
    preview = grid_rows(page)
    assert [preview[-1][preview[0].index(c)] for c in ("comment", "note")] == [XSS, "row 8"]  # shown as text
    page.screenshot(path=screenshots / "batch.png", full_page=True)

    scored = pd.read_csv(tmp_path / "scored.csv", dtype=str, keep_default_na=False)
    score_columns = [f"{name}_{label}" for name in models for label in LABELS]
    flagged_columns = [f"{name}_flagged" for name in models]
    assert list(scored.columns[: len(upload.columns)]) == list(upload.columns)
    assert set(scored.columns[len(upload.columns) :]) == {"status", *score_columns, *flagged_columns}
    assert set(scored["status"]) == {"scored"}
    # Every row and value, but with a ' before the cells a spreadsheet would run as formulas ("== From RfC ==")
    assert_kept_behind_formula_guards(scored, upload)
    assert scored[score_columns].astype(float).apply(lambda s: s.between(0, 1)).all().all()
    assert dialogs == []


def test_broken_inputs_get_one_plain_message_never_an_exception_box(page, tmp_path, screenshots):
    ragged = tmp_path / "**ragged**.csv"
    ragged.write_bytes(b"id,comment_text\n1,hello\n2,you,idiot\n")
    page.get_by_role("heading", name="Moderate a comment").wait_for()  # app.py's navigation is up
    page.get_by_role("link", name="Batch").click()
    page.locator("input[type=file]").set_input_files(ragged)
    error = page.locator("[data-testid=stAlertContentError]")
    error.wait_for()
    assert error.inner_text().startswith("1 malformed row(s) in **ragged**.csv: line 3: 3 fields where the header")
    assert error.locator("strong").count() == 0  # the file name is shown as typed, not as Markdown
    page.get_by_test_id("stCheckbox").get_by_text("Keep malformed rows").click()
    page.get_by_role("button", name="Score").click()
    page.get_by_text("scored: 1 · error: 1").wait_for()
    page.screenshot(path=screenshots / "batch-malformed.png", full_page=True)
    fine = tmp_path / "fine.csv"
    fine.write_text("comment_text\nhello\nyou idiot\n")
    page.locator("input[type=file]").set_input_files(fine)  # a second file: the models chosen stay chosen (the box
    page.get_by_text("2 rows, 1 columns.").wait_for()  # showed none, and Score did nothing)
    page.get_by_role("button", name="Score").click()
    page.get_by_text("scored: 2").wait_for()
    assert "baseline" in page.get_by_test_id("stMultiSelect").inner_text()

    page.get_by_role("link", name="Training metrics").click()
    page.get_by_role("combobox", name="Run").click()
    page.get_by_role("option", name="runs/live/best").click()
    page.get_by_text("showing the 1 complete entries before it").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()  # what was read so far is plotted
    page.screenshot(path=screenshots / "training-partial.png", full_page=True)
    assert page.locator("[data-testid=stException]").count() == 0
