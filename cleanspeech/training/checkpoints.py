"""The stateful parts of a training run: validation records, run state, checkpoints and the saved artifacts.

Everything that writes is called on the main process only (or, for `save_state`, on every process as Accelerate
requires); each write is logged with the process index.
"""

import json
import math
import shutil
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import torch

from .._io import write_json_atomic
from ..evaluation.metrics import MetricWarning, evaluate, tune_thresholds
from ..evaluation.reports import table_to_dict
from ..labels import LABELS
from ..serving import read_table, require_column
from .config import TrainingError


def write_json(path: Path, data, process_index: int) -> None:
    write_json_atomic(path, data, default=float)  # a reader (the app) never sees half a file
    print(f"[process {process_index}] wrote {path}", flush=True)


def validation_tables(logits: torch.Tensor, targets: torch.Tensor, thresholds=None):
    truth = pd.DataFrame(targets.numpy(), columns=list(LABELS))
    scores = pd.DataFrame(torch.sigmoid(logits).numpy(), columns=list(LABELS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricWarning)  # small validation samples may miss a rare label
        return truth, scores, evaluate(truth, scores, thresholds)


def evaluation_record(state, batches_per_epoch, logits, targets, train_loss, val_loss, lr, samples_per_s,
                      train_objective: float | None = None) -> dict:  # fmt: skip
    """One entry of history.json. `train_loss` is the labels' loss (what `val_loss` measures on validation);
    `train_objective`, all that was minimised, where that was more (logit pairing, a teacher)."""
    table = validation_tables(logits, targets)[2]
    column = lambda name: {k: (None if math.isnan(v) else round(float(v), 5)) for k, v in table[name].items()}  # noqa: E731
    return {
        "step": state.global_step,
        "epoch": round(state.epoch + state.batches_done / max(1, batches_per_epoch), 4),
        "train_loss": round(train_loss, 5),
        "train_objective": round(train_loss if train_objective is None else train_objective, 5),
        "val_loss": round(val_loss, 5),
        "learning_rate": lr,
        "samples_per_s": round(samples_per_s, 2),
        "roc_auc": column("roc_auc"),
        "pr_auc": column("pr_auc"),
    }


@dataclass
class RunState:
    epoch: int = 0
    batches_done: int = 0  # batches of the current epoch already trained on (this process)
    global_step: int = 0  # optimizer steps
    samples_local: int = 0
    best_score: float = -math.inf
    best_step: int | None = None
    bad_evaluations: int = 0
    early_stopped_at: int | None = None
    finished: bool = False
    history: list = field(default_factory=list)

    @classmethod
    def start(cls, config, accelerator) -> "RunState":
        if not config.resume:
            return cls()
        checkpoint = _latest_checkpoint(Path(config.run_dir))
        if checkpoint is None:
            raise TrainingError(f"--resume: no checkpoint in {config.run_dir}")
        accelerator.load_state(str(checkpoint))
        state = cls(**json.loads((checkpoint / "trainer_state.json").read_text()))
        accelerator.print(f"resumed from {checkpoint}: epoch {state.epoch}, step {state.global_step}")
        return state

    def record(self, record: dict, patience: int) -> bool:
        """Add an evaluation; True when it is the best so far (validation macro ROC-AUC)."""
        self.history.append(record)
        score = record["roc_auc"].get("macro")
        if score is not None and score > self.best_score:
            self.best_score, self.best_step, self.bad_evaluations = score, self.global_step, 0
            return True
        self.bad_evaluations += 1
        return False

    def save(self, accelerator, config) -> None:
        """Checkpoint (model, optimizer, scheduler, RNG, this state) so a killed run resumes where it was."""
        run_dir = Path(config.run_dir)
        staging = run_dir / "checkpoint.tmp"
        accelerator.save_state(str(staging))
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            write_json(staging / "trainer_state.json", asdict(self), accelerator.process_index)
            current, previous = run_dir / "checkpoint", run_dir / "checkpoint.prev"
            shutil.rmtree(previous, ignore_errors=True)
            if current.exists():
                current.rename(previous)
            staging.rename(current)
            shutil.rmtree(previous, ignore_errors=True)
            write_json(Path(config.output_dir) / "history.json", self.history, accelerator.process_index)
        accelerator.wait_for_everyone()

    def finish(self, accelerator, config, samples_per_process: list[int]) -> None:
        if not accelerator.is_main_process:
            return
        output = Path(config.output_dir)
        metrics_path = output / "metrics.json"
        metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
        metrics.update(self.summary(samples_per_process), mixed_precision=accelerator.mixed_precision)
        write_json(metrics_path, metrics, accelerator.process_index)
        write_json(output / "history.json", self.history, accelerator.process_index)

    def summary(self, samples_per_process: list[int]) -> dict:
        return {
            "best_step": self.best_step,
            "best_score": self.best_score,
            "early_stopped_at": self.early_stopped_at,
            "steps": self.global_step,
            "samples_per_process": samples_per_process,
        }


@dataclass
class Window:
    """Training losses and throughput since the last evaluation (what the next evaluation record reports): the
    objective minimised (labels, logit pairing, a teacher's terms) and the labels' part of it, which is what the
    validation loss measures and so the one to compare with it."""

    started: float = field(default_factory=time.perf_counter)
    samples: int = 0
    loss_sum: float = 0.0
    label_loss_sum: float = 0.0
    batches: int = 0

    def add(self, loss: torch.Tensor, samples: int, label_loss: torch.Tensor | None = None) -> None:
        label_loss = loss if label_loss is None else label_loss
        self.loss_sum, self.label_loss_sum = self.loss_sum + loss.item(), self.label_loss_sum + label_loss.item()
        self.batches, self.samples = self.batches + 1, self.samples + samples

    def mean_losses(self, accelerator) -> tuple[float, float]:
        """(objective, labels' loss) per batch, averaged over every process."""
        means = torch.tensor([self.loss_sum, self.label_loss_sum], device=accelerator.device) / self.batches
        objective, labels = accelerator.reduce(means, "mean").tolist()
        return objective, labels


def _latest_checkpoint(run_dir: Path) -> Path | None:
    for name in ("checkpoint", "checkpoint.prev"):  # .prev survives a kill between the two renames
        if (run_dir / name / "trainer_state.json").is_file():
            return run_dir / name
    return None


def save_best_model(accelerator, model, tokenizer, config, state, logits, targets, frozen_params: int,
                    output: Path | None = None) -> None:  # fmt: skip
    """save_pretrained the model and tokenizer, with thresholds tuned on this validation pass, metrics and config,
    in `output` (default: the run's best-model directory)."""
    state_dict = accelerator.get_state_dict(model)  # every process takes part (sharded setups need it)
    if not accelerator.is_main_process:
        return
    output = Path(output or config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    accelerator.unwrap_model(model).save_pretrained(output, state_dict=state_dict, save_function=accelerator.save)
    tokenizer.save_pretrained(output)
    truth, scores, _ = validation_tables(logits, targets)
    thresholds = tune_thresholds(truth, scores)
    table = validation_tables(logits, targets, thresholds)[2]
    # `step`: where this model was saved; `best_step`: the run's best so far (the same step in the best directory)
    metrics = {"validation": table_to_dict(table), "step": state.global_step, "best_step": state.best_step,
               "frozen_parameters": frozen_params}  # fmt: skip
    index = accelerator.process_index
    write_json(output / "thresholds.json", thresholds, index)
    write_json(output / "metrics.json", metrics, index)
    write_json(output / "history.json", state.history, index)
    write_json(output / "training_config.json", config.to_dict(), index)


def predict_test_file(config) -> Path:
    """Score a Kaggle-format test.csv (id, comment_text) with the best model into submission.csv."""
    from ..classifiers.transformer import TransformerModel  # torch is loaded already: training uses it

    frame = read_table(config.predict_test).frame
    require_column(list(frame.columns), "comment_text", str(config.predict_test), "Kaggle's test.csv has one.")
    if "id" not in frame.columns:
        raise TrainingError(f"{config.predict_test} has no 'id' column (Kaggle's test.csv has id, comment_text)")
    model = TransformerModel.load(config.output_dir)
    scores = model.predict_proba(frame["comment_text"].tolist())
    path = Path(config.output_dir) / "submission.csv"
    pd.concat([frame[["id"]].reset_index(drop=True), scores], axis=1).to_csv(path, index=False)
    print(f"wrote {path}", flush=True)
    return path
