"""The dashboard end to end: `streamlit run app.py` on a free port, driven by a real headless Chromium.

Debian's /usr/bin/chromium is driven by Playwright (no browser download; `.ci/run` installs chromium where it is
missing). Screenshots go to `$CLEANSPEECH_SCREENSHOTS`, else the test's tmp dir.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from cleanspeech.classifiers import flagged_labels, load_models
from cleanspeech.labels import LABEL_NAMES, LABELS
from cleanspeech.rewrite import load_lexicon
from cleanspeech.rewrite.local import LocalRewriter
from tests.helpers import REPO, assert_kept_behind_formula_guards

CHROMIUM = Path("/usr/bin/chromium")
# No GPU, no network beyond localhost, nothing Chromium would fetch or sync on its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
TIMEOUT_MS = 120_000  # the first score loads the models (over 60 s on 2 AVX2 cores beside the other tests); later
# steps take a second or two

if not CHROMIUM.is_file():
    pytest.skip(
        f"{CHROMIUM} is missing and was not installed (apt-get install -y chromium; .ci/run does this)",
        allow_module_level=True,
    )
# A Streamlit server and a Chromium start for this module: one worker runs all its tests, so they start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (see requirements.txt)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer at {url} within {timeout:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """The server's runs folder: one run whose history.json is being written (cut off mid-entry)."""
    root = tmp_path_factory.mktemp("runs")
    entry = {"step": 5, "train_loss": 0.5, "val_loss": 0.4, "learning_rate": 1e-5, "roc_auc": {"macro": 0.9}}
    (root / "live" / "best").mkdir(parents=True)
    (root / "live" / "best" / "history.json").write_text(f"[{json.dumps(entry)}, {json.dumps(entry)[:30]}")
    return root


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, shipped_baseline_dir, runs):
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]  # fmt: skip
    # No Gemini key reaches the server: the rewrite step checks the offline rewriter.
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL")}
    env["CLEANSPEECH_RUNS"] = str(runs)
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Every alert() the page fires: HTML in a comment must never run, so this stays empty."""
    return []


@pytest.fixture
def page(browser, app_url, dialogs):
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    directory = Path(os.environ.get("CLEANSPEECH_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {directory}")
    return directory


def _grid_rows(page, index: int = 0) -> list[list[str]]:
    """The cells of a st.dataframe: it paints on a canvas, and mirrors the rows in view in a hidden ARIA table."""
    grid = page.locator("[data-testid=stDataFrame] table[role=grid]").nth(index)
    grid.wait_for(state="attached")
    return grid.evaluate("t => [...t.querySelectorAll('tr')].map(tr => [...tr.children].map(c => c.textContent))")


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
    table = _grid_rows(page)
    assert table[0] == ["", *(f"{name}{kind}" for name in models for kind in ("", " threshold"))]  # side by side
    for column, (name, model) in enumerate(models.items()):
        expected = model.predict_proba([insult]).iloc[0].round(3).rename(LABEL_NAMES).to_dict()
        assert {row[0]: float(row[1 + 2 * column]) for row in table[1:]} == pytest.approx(expected, abs=1e-3), name
        thresholds = {LABEL_NAMES[label]: round(value, 3) for label, value in model.thresholds.items()}
        assert {row[0]: float(row[2 + 2 * column]) for row in table[1:]} == pytest.approx(thresholds), name
    heatmap = page.locator(".cs-heatmap").filter(has_text="disgusting")  # the explanation, word by word
    heatmap.wait_for()
    assert heatmap.locator(".cs-word").count() == len(insult.split())
    _settled(page)  # the heatmap shows while the page still runs: a click then can be lost
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
    _download(page, "Download CSV", tmp_path / "scored.csv", screenshots)
    preview = _grid_rows(page)
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

    page.get_by_role("link", name="Training metrics").click()
    page.get_by_role("combobox", name="Run").click()
    page.get_by_role("option", name="runs/live/best").click()
    page.get_by_text("showing the 1 complete entries before it").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()  # what was read so far is plotted
    page.screenshot(path=screenshots / "training-partial.png", full_page=True)
    assert page.locator("[data-testid=stException]").count() == 0


def _item_id(page) -> int:
    heading = page.get_by_role("heading", name="Item ").first
    heading.wait_for()
    return int(heading.inner_text().split()[1])


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def _settled(page) -> None:
    """Wait until Streamlit has finished running the page: a click during a rerun can be lost."""
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden")
    page.wait_for_timeout(500)


def _click_until(page, button: str, shown: str, screenshots: Path) -> None:
    """Click a button until the page shows `shown`: up to three clicks, each on a settled page. A click during a rerun
    can be lost (seen twice in CI on the Batch page's Send button, never alone), as a key press can; a person clicks
    again, and so does this. A failed attempt leaves a screenshot."""
    for attempt in range(3):
        _settled(page)
        target = page.get_by_role("button", name=button)
        if target.count():  # gone: the click counted and the page is still drawing its answer
            target.click()
        try:
            page.get_by_text(shown).first.wait_for(timeout=30_000)
            return
        except sync_api.Error:
            page.screenshot(path=screenshots / f"click-attempt-{attempt}.png", full_page=True)
            if attempt == 2:
                raise


def _download(page, button: str, target: Path, screenshots: Path) -> None:
    """Click a download button and save what it gives: up to three clicks, each on a settled page, since a click
    during a rerun can be lost as a key press can. (The pages' download buttons do not rerun the page: in CI one that
    did lost its file to the rerun and stayed disabled, spinning, for the client's three-minute timeout.)"""
    for attempt in range(3):
        _settled(page)
        try:
            with page.expect_download(timeout=20_000) as download:
                page.get_by_role("button", name=button).click()
            break
        except sync_api.Error:
            page.screenshot(path=screenshots / f"download-attempt-{attempt}.png", full_page=True)
            if attempt == 2:
                raise
    Path(download.value.path()).replace(target)


def _shift_batch(data_dir: Path, path: Path) -> pd.DataFrame:
    """Real Jigsaw rows, toxic ones first: enough that the default policy queues more than ten."""
    rows = pd.read_csv(data_dir / "jigsaw_sample" / "train.csv.gz", dtype=str, keep_default_na=False)
    frame = pd.concat([rows[rows["insult"] == "1"].head(14), rows[rows["toxic"] == "0"].head(4)], ignore_index=True)
    frame[["id", "comment_text"]].to_csv(path, index=False)
    return frame


def test_a_moderators_shift(page, data_dir, kaggle_dir, tmp_path, screenshots, capsys):
    """Upload a batch, review ten items with the keyboard, tighten the policy, export the decisions and retrain the
    baseline on them: the loop a moderation team runs, in a real browser."""
    from cleanspeech.moderation import ModerationStore
    from tests.helpers import run_script

    store = ModerationStore()  # the server's store: CLEANSPEECH_STORE, set for this test process and its children
    queued_before = store.queue.count()
    _shift_batch(data_dir, tmp_path / "shift.csv")
    page.get_by_role("link", name="Batch").click()
    page.locator("input[type=file]").set_input_files(tmp_path / "shift.csv")
    page.get_by_role("button", name="Score").click()
    page.get_by_role("button", name="to the review queue").wait_for()
    _click_until(page, "to the review queue", "comments are in the review queue", screenshots)
    assert store.queue.count() - queued_before >= 10
    page.screenshot(path=screenshots / "shift-1-batch.png", full_page=True)

    page.get_by_role("link", name="Queue").click()
    page.get_by_label("Your name").fill("ana")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=re.compile(r"^Review next")).wait_for()
    page.get_by_role("heading", name="Review queue").click()  # focus on the page, not on an input
    page.keyboard.press("n")
    seen = [_item_id(page)]
    page.screenshot(path=screenshots / "shift-2-item.png", full_page=True)
    for i in range(10):
        for _attempt in range(3):  # a key pressed while the page reruns can be lost: the store says if it counted
            _settled(page)
            page.keyboard.press("x" if i % 2 else "a")  # remove (the reason its flags suggest) or approve
            if _until(lambda done=i + 1: len(store.history(reviewer="ana")) == done, seconds=20):
                break
        if i < 9:
            page.wait_for_function(f"() => !document.body.innerText.includes('Item {seen[-1]} ·')")
            seen.append(_item_id(page))
    page.get_by_text("10 decided this session.").wait_for()
    assert len(set(seen)) == 10
    log = store.history(reviewer="ana")
    assert len(log) == 10 and log["action"].value_counts().to_dict() == {"approve": 5, "remove": 5}

    page.get_by_role("link", name="Policies").click()
    page.get_by_text("change verdict").first.wait_for()
    _settled(page)
    remove_toxic = page.get_by_label("Remove at").first
    remove_toxic.fill("0.80")
    remove_toxic.press("Enter")
    page.get_by_text("change verdict").first.wait_for()  # the change measured before it is saved
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Saved default v2").wait_for()
    assert store.policies.default().remove["toxic"] == 0.8
    page.screenshot(path=screenshots / "shift-3-policy.png", full_page=True)

    page.get_by_role("link", name="History").click()
    page.get_by_role("heading", name="Proposed thresholds").wait_for()  # the page has run to its end
    exported = tmp_path / "decisions.csv"
    _download(page, "Download as training rows", exported, screenshots)
    page.screenshot(path=screenshots / "shift-4-history.png", full_page=True)
    rows = pd.read_csv(exported)
    assert len(rows) == 10 and sorted(rows["toxic"].tolist()) == [0] * 5 + [1] * 5

    out = tmp_path / "retrained"
    result = run_script(capsys, "train_baseline", "--data-dir", str(kaggle_dir), "--output-dir", str(out),
                        "--extra-data", str(exported), "--max-train-rows", "2000")  # every decision trains  # fmt: skip
    assert result.returncode == 0, result.stderr
    from cleanspeech.data.corpus import build_dataset
    from cleanspeech.text import dedup_key

    frame = build_dataset(str(kaggle_dir))  # decided comments that are validation or test rows must not train
    held_out = set(frame.loc[frame["fold"] != "train", "text"].map(dedup_key))
    expected = sum(dedup_key(text) not in held_out for text in rows["comment_text"])
    assert expected > 0 and json.loads((out / "baseline_meta.json").read_text())["extra_data"]["rows"] == expected
