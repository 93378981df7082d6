"""A real browser on the dashboard: `streamlit run app.py` on a free port, one per test worker, and a headless
Chromium driving it, with the waits a Streamlit page needs (a click during a rerun can be lost).

Debian's /usr/bin/chromium is driven by Playwright (no browser download; `.ci/run` installs chromium where it is
missing): where it is missing, the tests that use these fixtures are skipped and say why. The fixtures are the
integration tests' (tests/integration/conftest.py imports them); the browser tests share one worker
(`xdist_group("browser")`), so the server starts once, and Chromium once per module. Screenshots go to
`$CLEANSPEECH_SCREENSHOTS`, else the test's tmp dir.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")
# No GPU, no network beyond localhost, nothing Chromium would fetch or sync on its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
TIMEOUT_MS = 120_000  # the first score loads the models (over 60 s on 2 AVX2 cores beside the other tests); later
# steps take a second or two


def free_port() -> int:
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


@pytest.fixture(scope="session")
def browser_runs(tmp_path_factory) -> Path:
    """The server's runs folder: one run whose history.json is being written (cut off mid-entry)."""
    root = tmp_path_factory.mktemp("runs")
    entry = {"step": 5, "train_loss": 0.5, "val_loss": 0.4, "learning_rate": 1e-5, "roc_auc": {"macro": 0.9}}
    (root / "live" / "best").mkdir(parents=True)
    (root / "live" / "best" / "history.json").write_text(f"[{json.dumps(entry)}, {json.dumps(entry)[:30]}")
    return root


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, shipped_baseline_dir, browser_runs):
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]  # fmt: skip
    # No Gemini key reaches the server: the rewrite step checks the offline rewriter.
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL")}
    env["CLEANSPEECH_RUNS"] = str(browser_runs)
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


@pytest.fixture(scope="module")  # not per worker: Playwright's sync API keeps an asyncio loop running in this thread
def browser():  # while it is open, and a later test's asyncio.run() on the same worker would then fail
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing and was not installed (apt-get install -y chromium; .ci/run does this)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (see requirements.txt)")
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


def grid_rows(page, index: int = 0) -> list[list[str]]:
    """The cells of a st.dataframe: it paints on a canvas, and mirrors the rows in view in a hidden ARIA table."""
    grid = page.locator("[data-testid=stDataFrame] table[role=grid]").nth(index)
    grid.wait_for(state="attached")
    return grid.evaluate("t => [...t.querySelectorAll('tr')].map(tr => [...tr.children].map(c => c.textContent))")


def until(condition, seconds: float) -> bool:
    """Whether `condition()` came true within `seconds`, asked four times a second."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def settled(page) -> None:
    """Wait until Streamlit has finished running the page: a click during a rerun can be lost."""
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden")
    page.wait_for_timeout(500)


def click_until(page, button: str, shown: str, screenshots: Path) -> None:
    """Click a button until the page shows `shown`: up to three clicks, each on a settled page. A click during a rerun
    can be lost (seen twice in CI on the Batch page's Send button, never alone), as a key press can; a person clicks
    again, and so does this. A failed attempt leaves a screenshot."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        settled(page)
        target = page.get_by_role("button", name=button)
        if target.count():  # gone: the click counted and the page is still drawing its answer
            target.click()
        try:
            page.get_by_text(shown).first.wait_for(timeout=30_000)
            return
        except PlaywrightError:
            page.screenshot(path=screenshots / f"click-attempt-{attempt}.png", full_page=True)
            if attempt == 2:
                raise


def download(page, button: str, target: Path, screenshots: Path) -> None:
    """Click a download button and save what it gives: up to three clicks, each on a settled page, since a click
    during a rerun can be lost as a key press can. (The pages' download buttons do not rerun the page: in CI one that
    did lost its file to the rerun and stayed disabled, spinning, for the client's three-minute timeout.)"""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        settled(page)
        try:
            with page.expect_download(timeout=20_000) as saved:
                page.get_by_role("button", name=button).click()
            break
        except PlaywrightError:
            page.screenshot(path=screenshots / f"download-attempt-{attempt}.png", full_page=True)
            if attempt == 2:
                raise
    Path(saved.value.path()).replace(target)
