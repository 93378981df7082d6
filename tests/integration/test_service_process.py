"""`python -m cleanspeech serve` as a user starts it: a real process (two workers), the docs' quickstart run against
it unchanged but for the address, concurrent requests scored together, and a clean shutdown."""

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cleanspeech.server.load import running_service
from tests.helpers import REPO

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("service")]


def quickstart_code(port: int) -> str:
    """The docs' quickstart Python block, pointed at `port`."""
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "service.md").read_text(), re.S)
    code = next(block for block in blocks if "discovery.build" in block)
    return code.replace("127.0.0.1:8080", f"127.0.0.1:{port}")


@pytest.fixture(scope="module")
def served():
    """The service as a user starts it, with two workers; yields (port, pid of the parent process)."""
    with running_service("baseline", ["--workers", "2"]) as (url, pid):
        yield int(url.rsplit(":", 1)[1]), pid


def test_the_docs_quickstart_prints_perspective_scores(served):
    port, _ = served
    ran = subprocess.run([sys.executable, "-c", quickstart_code(port)], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    response = json.loads(ran.stdout)
    assert set(response["attributeScores"]) == {"TOXICITY", "INSULT", "THREAT"}
    spans = response["attributeScores"]["INSULT"]["spanScores"]
    assert len(spans) == 2 and spans[0]["score"]["value"] > 0.5 > spans[1]["score"]["value"]
    assert response["detectedLanguages"] == ["en"]


def test_two_workers_answer_concurrent_requests_and_batch_them(served):
    port, pid = served
    url = f"http://127.0.0.1:{port}"
    texts = [f"Comment number {i}: you are an idiot" if i % 2 else f"Comment number {i}: thanks" for i in range(64)]

    def score(text):
        body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
        return httpx.post(f"{url}/v1alpha1/comments:analyze", json=body, timeout=60)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(score, texts))
    assert all(a.status_code == 200 for a in answers)
    values = [a.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] for a in answers]
    assert all(v > 0.5 for v in values[1::2]) and all(v < 0.5 for v in values[::2])
    metrics = httpx.get(f"{url}/metrics").text  # every worker's counters, added up
    assert metric(metrics, 'cleanspeech_requests_total{code="200",route="/v1alpha1/comments:analyze"}') >= 64
    assert metric(metrics, "cleanspeech_batch_texts_count") < 64  # concurrent requests shared forward passes
    children = (Path("/proc") / str(pid) / "task" / str(pid) / "children").read_text().split()
    assert len(children) >= 2  # the workers (uvicorn's supervisor may add a helper process)


def metric(exposition: str, name: str) -> float:
    """A sample's value in Prometheus' text format (summed where several lines carry it)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines() if line.startswith(name + " "))
