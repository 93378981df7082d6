"""scripts/benchmark.py runs end to end and writes the JSON it promises (figures are not asserted: no timing tests)."""

import json

import pytest

from tests.helpers import run_script


@pytest.mark.slow
def test_benchmark_measures_every_configuration_side_by_side(
    tmp_path, data_dir, shipped_baseline_dir, tiny_classifier_dir, capsys
):
    out = tmp_path / "bench.json"
    args = ["--data-dir", str(data_dir), "--predict-rows", "16", "--train-rows", "500", "--latency-repeats", "3",
            "--explain-repeats", "0", "--rewrite-comments", "0", "--service-comments", "0", "--queue-items", "100",
            "--transformer-dir", str(tiny_classifier_dir),
            # The shipped embedding model and ensemble load through the same `load_model` path as the baseline, and
            # their cold starts (e5 built from its 4-bit file) would be a third of this test's time
            "--skip", "embedding,ensemble", "--output", str(out)]  # fmt: skip
    # In-process; its cold starts are fresh processes of their own. The ONNX graphs it builds and the dataset it reads
    # go to the tests' own cache (tests/conftest.py), which the cold-start processes inherit.
    result = run_script(capsys, "benchmark", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    serving = report["serving"]
    expected = {"baseline", "transformer[torch]", "transformer[onnx]", "transformer[onnx-int8]", "naive_pipeline"}
    assert set(serving) == expected  # the embedding model and the ensemble skipped
    for entry in serving.values():
        assert entry["comments"] == 16 and entry["comments_per_s"] > 0 and entry["single_latency_ms_p95"] > 0
        assert entry["cold_start_s"] > 0 and entry["peak_rss_mb"] > 50
    assert 0 < serving["baseline"]["size_mb"] < 30
    # The exported pipeline holds the whole model, word table included (for the shipped e5: 465 MB against 45 MB)
    weights_mb = (tiny_classifier_dir / "model.safetensors").stat().st_size / 2**20
    assert serving["naive_pipeline"]["size_mb"] >= weights_mb
    ratios = dict(report["ratios"])
    assert ratios.pop("served_backend") == "torch"  # no backend.json beside this model: PyTorch
    assert ratios.pop("ensemble_vs_served_throughput") is None  # skipped
    assert all(value is not None and value > 0 for value in ratios.values())
    assert "explanation_latency" not in report  # --explain-repeats 0
    assert "rewrite_latency" not in report  # --rewrite-comments 0
    assert "service" not in report  # --service-comments 0
    for backend in ("sqlite", "postgresql"):  # the queue figures on both stores (CI runs PostgreSQL)
        figures = report["queue"][backend]
        assert figures["items"] == 100 and figures["enqueue_items_per_s"] > 0 and figures["queue_page_last_ms"] > 0
    assert report["baseline_training"]["comments"] == 500 and report["peak_rss_mb"] > 0


def test_explanation_latency_is_measured_per_method_and_length(monkeypatch, shipped_baseline_dir):
    from cleanspeech.classifiers import load_model
    from cleanspeech.explain import timing

    monkeypatch.setattr(timing, "EXPLAIN_WORDS", (5, 12))
    texts = ["You are a disgusting idiot.", "Thanks for fixing the table, it reads much better now."]
    assert timing.comments_of_length(texts, 12).split() == (texts[0] + " " + texts[1]).split()[:12]
    timings = timing.explanation_timings(load_model(shipped_baseline_dir), texts, "linear", None, 2)
    assert set(timings) == {"5_words_s", "12_words_s"} and all(t > 0 for t in timings.values())


def test_rewrite_latency_is_measured_on_toxic_comments(dataset, shipped_transformer):
    from cleanspeech.rewrite import load_rewriter
    from tests.helpers import load_script

    benchmark = load_script("benchmark")
    timings = benchmark.bench_rewrites(dataset, 3, load_rewriter(judge=shipped_transformer))
    assert timings["comments"] == 3 and 0 < timings["p50_s"] <= timings["p95_s"]


@pytest.mark.slow
@pytest.mark.xdist_group("service")
def test_service_is_measured_at_each_load_batched_and_not_against_offline_scoring(tmp_path, data_dir, capsys):
    out = tmp_path / "bench.json"
    out.write_text(json.dumps({"machine": {"cpus": 64}, "serving": {"baseline": {"comments_per_s": 1.0}}}))
    args = ["--data-dir", str(data_dir), "--only", "service", "--service-model", "baseline", "--predict-rows", "24",
            "--service-comments", "24", "--output", str(out)]  # fmt: skip
    done = run_script(capsys, "benchmark", *args)
    assert done.returncode == 0, done.stderr[-3000:]
    written = json.loads(out.read_text())
    assert written["serving"] == {"baseline": {"comments_per_s": 1.0}}  # the earlier run's sections are kept
    report = written["service"]
    assert report["machine"]["cpus"] >= 1 and report["machine"]["date"]  # the section says where it was measured
    assert report["offline"]["comments"] == 24 and report["offline"]["comments_per_s"] > 0
    assert len(report["offline"]["runs_comments_per_s"]) == 3  # before, between and after the two servers
    assert report["offline"]["score_command_s_with_startup"] > 0 and report["offline"]["cpu_s"] > 0
    for mode in ("batched", "unbatched"):
        assert set(report[mode]) == {"1", "8", "32"}
        for level in report[mode].values():
            assert level["comments"] == 24 and level["failed"] == 0
            assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
            assert level["server_cpu_s"] > 0 and level["client_cpu_s"] > 0  # where the time went
    assert set(report["ratios"]) == {"service_32_clients_vs_offline", "batched_vs_unbatched_32_clients",
                                     "p99_ms_at_8_clients"}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--skip", "baseine"], "--skip baseine: the configurations are baseline, "),  # a typo measured it anyway
        (["--transformer-dir", "/no/such/model"], "no transformer in /no/such/model"),  # silently measured less
        (["--only", "service"], "cannot add a section to"),  # a damaged file, found after the whole service run
    ],
)
def test_benchmark_refuses_before_measuring_what_would_fail_or_measure_less(args, says, tmp_path, capsys):
    out = tmp_path / "bench.json"
    out.write_text('{"serving": {')
    done = run_script(capsys, "benchmark", "--data-dir", str(tmp_path / "no-data"), "--output", str(out), *args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert out.read_text() == '{"serving": {'  # checked before the data is read, and nothing written
