"""`python -m cleanspeech serve` as a user starts it: a real process (two workers), the docs' quickstart run against
it unchanged but for the address, concurrent requests scored together, and a clean shutdown."""

import json
import re
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO
from tests.helpers.service import wait_until_ready

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("service")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quickstart_code(port: int) -> str:
    """The docs' quickstart Python block, pointed at `port`."""
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "service.md").read_text(), re.S)
    code = next(block for block in blocks if "discovery.build" in block)
    return code.replace("127.0.0.1:8080", f"127.0.0.1:{port}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port, store = free_port(), tmp_path_factory.mktemp("served") / "feedback.sqlite3"
    command = [sys.executable, "-m", "cleanspeech", "serve", "--model", "baseline", "--port", str(port),
               "--workers", "2", "--store", str(store)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}")
        yield port, process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


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
    port, process = served
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
    children = (Path("/proc") / str(process.pid) / "task" / str(process.pid) / "children").read_text().split()
    assert len(children) >= 2  # the workers (uvicorn's supervisor may add a helper process)


def metric(exposition: str, name: str) -> float:
    """A sample's value in Prometheus' text format (summed where several lines carry it)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines() if line.startswith(name + " "))
