"""scripts/benchmark.py runs end to end and writes the JSON it promises (figures are not asserted: no timing tests)."""

import json
import os
import subprocess
import sys

from .conftest import REPO


def test_benchmark_measures_every_configuration_side_by_side(
    tmp_path, data_dir, shipped_baseline_dir, e5_classifier_dir
):
    out = tmp_path / "bench.json"
    args = ["--data-dir", str(data_dir), "--predict-rows", "40", "--train-rows", "1000", "--latency-repeats", "3",
            "--transformer-dir", str(e5_classifier_dir), "--output", str(out)]  # fmt: skip
    env = {**os.environ, "CLEANSPEECH_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "benchmark.py"), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    serving = report["serving"]
    expected = {"baseline", "transformer[torch]", "transformer[onnx]", "transformer[onnx-int8]", "naive_pipeline"}
    assert set(serving) == expected
    for entry in serving.values():
        assert entry["comments"] == 40 and entry["comments_per_s"] > 0 and entry["single_latency_ms_p95"] > 0
        assert entry["cold_start_s"] > 0 and entry["peak_rss_mb"] > 50
    assert 0 < serving["baseline"]["size_mb"] < 30
    assert serving["naive_pipeline"]["size_mb"] > 300  # the full exported model, word table included
    assert all(value is not None and value > 0 for value in report["ratios"].values())
    assert report["baseline_training"]["comments"] == 1000 and report["peak_rss_mb"] > 0
