"""A moderator's shift in a real headless Chromium (tests/helpers/browser.py): a batch sent to the queue, ten items
decided with the keyboard, a policy tightened, the decisions exported and a baseline retrained on them."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.browser import click_until, download, settled, until

# One worker runs every browser test (this module's, test_e2e_browser's), so the server and the browser start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _item_id(page) -> int:
    heading = page.get_by_role("heading", name="Item ").first
    heading.wait_for()
    return int(heading.inner_text().split()[1])


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
    click_until(page, "to the review queue", "comments are in the review queue", screenshots)
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
            settled(page)
            page.keyboard.press("x" if i % 2 else "a")  # remove (reason: toxic) or approve (reason: not toxic)
            if until(lambda done=i + 1: len(store.history(reviewer="ana")) == done, seconds=20):
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
    settled(page)
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
    download(page, "Download as training rows", exported, screenshots)
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
