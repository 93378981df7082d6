"""scripts/train.py for real on the CPU, in-process (`train.main(argv)`): a tiny random DeBERTa-v2 trained on a small
real sample.

Where a real process is the point (a run killed with SIGKILL and resumed, two processes under `accelerate launch`),
the tests are in tests/integration/.
"""

import pandas as pd
import pytest

from cleanspeech.data.corpus import build_dataset
from cleanspeech.labels import LABELS
from tests.helpers import run_cli, run_script
from tests.helpers.training import read_json, train_args


@pytest.fixture
def run_train(capsys):
    """`python scripts/train.py ARGS` in this process; `env` sets variables for that run, as for a subprocess."""

    def run(*args, env=None):
        with pytest.MonkeyPatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
                if name == "HF_HUB_OFFLINE":  # read once, when huggingface_hub is imported: set where it is kept
                    import huggingface_hub.constants

                    patch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", value == "1")
            return run_script(capsys, "train", *args)

    return run


def test_training_learns_saves_and_reloads(run_train, capsys, tiny_model, small_data, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("epochs: 1\nmax_steps: 40\npatience: 10\nlearning_rate: 0.5\n")  # the flag below wins
    test_csv = tmp_path / "test.csv"
    pd.read_csv(small_data / "test.csv.gz").head(30).to_csv(test_csv, index=False)
    args = train_args(
        tiny_model, small_data, tmp_path / "run", "--config", str(config), "--predict-test", str(test_csv)
    )
    result = run_train(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    best = tmp_path / "run" / "best"
    history = read_json(best / "history.json")
    assert [h["step"] for h in history] == [10, 20, 30, 40]
    val_losses = [h["val_loss"] for h in history]
    assert val_losses == sorted(val_losses, reverse=True) and val_losses[-1] < val_losses[0]  # it learns
    assert {"roc_auc", "pr_auc", "learning_rate", "samples_per_s"} <= set(history[0])
    resolved = read_json(best / "training_config.json")
    assert resolved["learning_rate"] == 1e-3 and resolved["max_steps"] == 40  # defaults < file < flags
    assert set(read_json(best / "thresholds.json")) == set(LABELS)

    from transformers import pipeline

    classify = pipeline("text-classification", model=str(best), top_k=None)
    [scores] = classify(["You are a disgusting idiot."])
    assert {s["label"] for s in scores} == set(LABELS)
    assert sum(s["score"] for s in scores) != pytest.approx(1.0, abs=1e-3)  # sigmoid, not softmax

    from cleanspeech import load_model

    model = load_model(best)
    probabilities = model.predict_proba(["You are a disgusting idiot.", "", "x " * 5000])
    assert list(probabilities.columns) == list(LABELS) and len(probabilities) == 3
    by_pipeline = {s["label"]: s["score"] for s in scores}
    assert probabilities.loc[0, "toxic"] == pytest.approx(by_pipeline["toxic"], abs=1e-4)

    exported = tmp_path / "exported"
    cli = ["export-model", str(exported), "--model", str(best)]
    assert run_cli(capsys, *cli).returncode == 0
    [again] = pipeline("text-classification", model=str(exported), top_k=None)(["You are a disgusting idiot."])
    assert sorted(s["score"] for s in again) == pytest.approx(sorted(s["score"] for s in scores), abs=1e-6)

    submission = pd.read_csv(best / "submission.csv")
    assert list(submission.columns) == ["id", *LABELS] and len(submission) == 30


def test_bf16_autocast_on_cpu_learns_from_the_chosen_sources(run_train, tiny_model, small_data, tmp_path):
    # What `--mixed-precision auto` picks on CPUs with AMX or AVX512-BF16; elsewhere bf16 is emulated, but still works.
    extra = ["--max-steps", "20", "--mixed-precision", "bf16", "--train-sources", "jigsaw", "--max-train-samples", "0"]
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run", *extra))
    assert result.returncode == 0, result.stderr[-3000:]
    frame = build_dataset(small_data)
    jigsaw_rows = ((frame["fold"] == "train") & (frame["source"] == "jigsaw")).sum()
    assert 0 < jigsaw_rows < (frame["fold"] == "train").sum()
    assert f"training rows {jigsaw_rows:,} (+" in result.stdout  # real rows, then the identity-swapped copies
    best = tmp_path / "run" / "best"
    assert read_json(best / "metrics.json")["mixed_precision"] == "bf16"
    history = read_json(best / "history.json")
    assert history[-1]["val_loss"] < history[0]["val_loss"]


def test_early_stopping_fires(run_train, tiny_model, small_data, tmp_path):
    # With a zero learning rate validation never improves: stop after `patience` evaluations past the first.
    run = tmp_path / "run"
    args = train_args(tiny_model, small_data, run, "--learning-rate", "0", "--patience", "2", "--save-last")
    result = run_train(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = read_json(run / "best" / "metrics.json")
    assert metrics["best_step"] == 10 and metrics["early_stopped_at"] == 30
    assert "early stopping" in result.stdout
    # --save-last keeps the model where the run ended as well, with its own record
    last = read_json(run / "last" / "metrics.json")
    assert last["step"] == 30 and last["best_step"] == 10  # saved at the end; the run's best was earlier
    assert read_json(run / "last" / "training_config.json")["save_last"] is True
    assert (run / "last" / "model.safetensors").is_file() and (run / "last" / "thresholds.json").is_file()


def test_a_spent_time_limit_ends_the_run_resumably_and_unread_words_keep_their_rows(
    run_train, tiny_model, small_data, tmp_path
):
    # The limit is spent at once: the first step is the last, evaluated and checkpointed. With a strong weight decay
    # and no warm-up that step still moves only the word rows of the tokens its batch read: the table is never decayed.
    from transformers import AutoModelForSequenceClassification

    extra = ["--time-limit-minutes", "1e-9", "--max-steps", "40", "--weight-decay", "0.5", "--warmup-ratio", "0",
             "--save-last"]  # fmt: skip
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run", *extra))
    assert result.returncode == 0, result.stderr[-3000:]
    best = tmp_path / "run" / "best"
    assert [h["step"] for h in read_json(best / "history.json")] == [1]
    words = [
        AutoModelForSequenceClassification.from_pretrained(d).get_input_embeddings().weight for d in (tiny_model, best)
    ]
    moved = int(((words[1] - words[0]).abs().amax(dim=1) > 0).sum())
    assert 0 < moved < len(words[0]) // 2
    # Stopped for time, not finished: --resume goes on from the checkpoint (for one step more, as time is short).
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run", *extra, "--resume"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert [h["step"] for h in read_json(best / "history.json")] == [1, 2]
    # --save-last: the model where each process stopped, moved on by the resumed one
    last = read_json(tmp_path / "run" / "last" / "metrics.json")
    assert last["step"] == 2 and last["best_step"] == read_json(best / "metrics.json")["step"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "/no/such/model"], "--model /no/such/model: no such model directory"),
        (["--model", "models/transformr"], "--model models/transformr: no such model directory"),  # a typo
        (["--model", "/no/such/model", "--data-dir", "/no/such/data"], "no such model directory"),  # before the data
        (["--data-dir", "/no/such/data"], "data directory not found"),
        (["--learning-rate", "1e9", "--max-grad-norm", "1e9"], "NaN/inf"),
        (["--resume", "--run-dir", "/tmp/cleanspeech-no-such-run"], "no checkpoint"),
        (["--train-sources", "jigsaw,nosuch"], "no training rows from nosuch"),
    ],
)
def test_bad_input_stops_with_a_message(run_train, tiny_model, small_data, tmp_path, extra, message):
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run"), *extra)
    assert result.returncode == 2, result.stdout[-2000:]
    assert message in result.stderr and "Traceback" not in result.stderr


def test_hub_model_offline_says_what_to_do(run_train, small_data, tmp_path):
    args = ["--data-dir", str(small_data), "--run-dir", str(tmp_path / "run"), "--max-train-samples", "100"]
    result = run_train(*args, env={"HF_HUB_OFFLINE": "1"})  # the default microsoft/mdeberta-v3-base, no cache
    assert result.returncode == 2
    assert "cannot load model 'microsoft/mdeberta-v3-base'" in result.stderr and "--model" in result.stderr
