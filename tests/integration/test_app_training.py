"""The Training page through streamlit.testing: a real run plotted, no runs, a broken history."""

import json

import pytest

from tests.helpers import run_script

# The app's models load once per process (st.cache_resource): under pytest-xdist the app's tests share one worker
# instead of paying that on each.
pytestmark = pytest.mark.xdist_group("app")


def test_training_page_plots_a_real_run(app, tiny_model, small_data, tmp_path, capsys, monkeypatch):
    run = tmp_path / "runs" / "tiny"
    command = ["--model", str(tiny_model), "--data-dir", str(small_data), "--run-dir", str(run),
               "--max-train-samples", "400", "--max-eval-samples", "200", "--max-length", "48", "--eval-every", "5",
               "--max-steps", "15", "--learning-rate", "0"]  # fmt: skip
    assert run_script(capsys, "train", *command).returncode == 0
    monkeypatch.setenv("CLEANSPEECH_RUNS", str(tmp_path / "runs"))
    app.switch_page("views/training.py").run()
    assert app.selectbox(key="history_run").options == ["shipped transformer", "runs/tiny/best"]
    loss = json.loads(app.get("plotly_chart")[0].proto.spec)  # the shipped model's history: validation loss only
    assert [trace["name"] for trace in loss["data"]] == ["validation loss"] and loss["layout"]["showlegend"]
    app.selectbox(key="history_run").select("runs/tiny/best").run()
    assert not app.exception and app.title[0].value == "Training metrics"
    shown = {m.label: m.value for m in app.metric}
    assert shown["evaluations"] == "3" and shown["early stopping"] == "step 15"  # lr 0: no improvement after step 5
    assert len(app.get("plotly_chart")) == 3


def test_training_page_without_runs_says_how_to_train(app, tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANSPEECH_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("CLEANSPEECH_MODELS", str(tmp_path / "no-models"))
    app.switch_page("views/training.py").run()
    assert not app.exception and "scripts/train.py" in app.code[0].value
    assert not app.text_input  # runs are picked from a list: no path box to probe the server with


ENTRY = {"step": 5, "train_loss": 0.5, "val_loss": 0.4, "learning_rate": 1e-5, "roc_auc": {"macro": 0.9, "toxic": 0.91}}


@pytest.mark.parametrize(
    ("history", "notice", "evaluations"),
    [
        (json.dumps([ENTRY, ENTRY | {"step": 10}])[:-40], "partly written or damaged: showing the 1 complete", "1"),
        ("{not json", "partly written or damaged: showing the 0 complete", None),
        (json.dumps({"step": 5}), "does not hold a list of entries", None),
        (json.dumps([{"step": "five", "roc_auc": "high"}, 3]), "skipped 1 entries that are not objects", "1"),
        ("\xff\xfe garbage", "partly written or damaged", None),
    ],
)
def test_training_page_survives_a_broken_history(app, tmp_path, monkeypatch, history, notice, evaluations):
    run = tmp_path / "runs" / "live" / "best"
    run.mkdir(parents=True)
    (run / "history.json").write_text(history)
    (run / "metrics.json").write_text('{"best_step": ')  # half-written too
    monkeypatch.setenv("CLEANSPEECH_RUNS", str(tmp_path / "runs"))
    app.switch_page("views/training.py").run()
    app.selectbox(key="history_run").select("runs/live/best").run()
    assert not app.exception
    assert any(notice in w.value.replace("\\", "") for w in app.warning)
    shown = {m.label: m.value for m in app.metric}
    assert shown.get("evaluations") == evaluations
    if evaluations is None:
        assert "no complete evaluation" in app.info[0].value
