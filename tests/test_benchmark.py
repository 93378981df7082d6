"""scripts/benchmark.py runs end to end and writes the JSON it promises (figures are not asserted: no timing tests)."""

import json
import subprocess
import sys

from .conftest import REPO


def test_benchmark_writes_json(tmp_path, data_dir, shipped_baseline_dir):
    out = tmp_path / "bench.json"
    args = ["--data-dir", str(data_dir), "--predict-rows", "200", "--train-rows", "1000", "--latency-repeats", "5"]
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "benchmark.py"), *args, "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    baseline = report["models"]["baseline"]
    assert baseline["comments"] == 200 and baseline["comments_per_s"] > 0 and 0 < baseline["size_mb"] < 30
    assert report["baseline_training"]["comments"] == 1000 and report["peak_rss_mb"] > 0
