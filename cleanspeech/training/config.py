"""Configuration of `scripts/train.py`: the seed recipe as defaults, overridable by a JSON/YAML file and by flags.

Precedence: these defaults < `--config FILE` < command-line flags. The resolved configuration is saved beside the
trained model (`training_config.json`) so a run can be repeated exactly.
"""

import argparse
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .._io import import_optional
from ..errors import CleanSpeechError, InputError


class TrainingError(CleanSpeechError):
    """Training cannot go on (unloadable model, NaN loss, missing checkpoint)."""


@dataclass
class TrainConfig:
    # model
    model: str = "microsoft/mdeberta-v3-base"  # a hub name, a local directory, or cleanspeech/e5-small (packaged)
    max_length: int = 256  # tokens; 256 beat 128 in the seed experiments (128 is fine for CPU runs)
    text_prefix: str = ""  # prepended to every comment ("query: " is applied for cleanspeech/e5-small)
    freeze_embeddings: bool = False  # freeze the whole embedding block
    freeze_word_embeddings: bool = False  # freeze only the word table (keeps a big multilingual vocabulary aligned)
    freeze_layers: int = 0  # freeze the lowest N encoder layers
    dropout: float | None = None  # every dropout layer's rate in training; default: the model's own (0.1 for e5)
    # data
    data_dir: str | None = None  # default: $CLEANSPEECH_DATA or ../shared/data
    jigsaw_dir: str | None = None  # Kaggle's full Jigsaw files, used instead of the staged ones
    include_research_data: bool = False  # also train on research-only sets (you accept their terms; do not ship)
    train_sources: str | None = None  # comma-separated sources to train on (e.g. jigsaw); validation keeps them all
    extra_data: str | None = None  # CSV file(s) of your own training rows, e.g. from `cleanspeech export-decisions`
    identity_benign_copies: int = 2  # counterfactual copies of each benign training comment naming a group
    identity_toxic_copies: int = 1  # ... and of each toxic one (the baseline uses 6 and 1; copies cost epoch time)
    identity_balance_factor: int = 4  # benign mentions added per term mostly seen in attacks (<= 4 per attack); 0: off
    clean_attack_copies: int = 2  # identity-swapped copies of each identity attack not labelled obscene
    identity_statements: int = 0  # written identity statements per language (data.statements; off: measured worse)
    identity_statement_attacks: str | None = None  # languages whose statements attack (en,de or none); default: all
    clp_weight: float = 0.5  # counterfactual logit pairing (Garg et al. 2019) on non-attacks naming a group; 0: off
    distill_from: str | None = None  # a teacher (e.g. the model continued) whose scores anchor the real rows
    distill_weight: float = 1.0  # weight of the teacher's soft targets beside the labels (with distill_from)
    distill_features: float = 0.0  # weight of keeping the teacher's representation of the real rows; 0: off
    oversample: str | None = None  # e.g. "threat=4,identity_hate=2": repeat those labels' positive training rows
    max_train_samples: int | None = None  # subsample training rows (CPU-sized runs)
    max_eval_samples: int | None = None  # subsample validation rows (CPU-sized runs)
    # optimisation (the seed recipe)
    batch_size: int = 16  # per device
    eval_batch_size: int = 64
    gradient_accumulation_steps: int = 1
    epochs: int = 6
    max_steps: int | None = None  # stop after this many optimizer steps (smoke tests, budgets)
    time_limit_minutes: float | None = None  # end with an evaluation once training has run this long (budgets)
    learning_rate: float = 2e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1  # linear warm-up over the first 10% of steps, then linear decay to 0
    max_grad_norm: float = 1.0
    class_weight_power: float = 1.0  # 1: the seed's inverse-frequency weights; 0.5: their square root; 0: plain BCE
    patience: int = 2  # early stopping: evaluations without a better validation macro ROC-AUC
    mixed_precision: str = "auto"  # auto: fp16 on GPU; bf16 on a CPU with AMX/AVX512-BF16, else fp32; or no/fp16/bf16
    cpu: bool = False  # train on CPU processes even where GPUs exist (with `accelerate launch --multi_gpu`: gloo)
    seed: int = 42
    # bookkeeping
    eval_every: int | None = None  # evaluate (and checkpoint) every N optimizer steps; default once per epoch
    output_dir: str | None = None  # best model (save_pretrained); default runs/<run name>/best
    save_last: bool = False  # also save the model where the run stops in <run_dir>/last
    run_dir: str | None = None  # resumable state (save_state); default runs/<run name>
    resume: bool = False  # continue from the last checkpoint in run_dir
    predict_test: str | None = None  # a Kaggle-format test.csv to score into submission.csv

    def __post_init__(self):
        if self.dropout is not None and not 0 <= self.dropout < 1:
            raise InputError(f"--dropout must be at least 0 and below 1, got {self.dropout}")

    def resolve_paths(self, runs: Path) -> "TrainConfig":
        name = Path(self.model.rstrip("/")).name or "model"
        self.run_dir = self.run_dir or str(runs / name)
        self.output_dir = self.output_dir or str(Path(self.run_dir) / "best")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def build_parser(description: str) -> argparse.ArgumentParser:
    """One flag per TrainConfig field; unset flags stay absent so a config file can supply them."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="JSON or YAML file with TrainConfig fields")
    for field in fields(TrainConfig):
        if field.type is bool or field.type == "bool":
            parser.add_argument(_flag(field.name), action="store_true", default=argparse.SUPPRESS)
            continue
        kind = {int: int, float: float}.get(_base_type(field), str)
        parser.add_argument(_flag(field.name), type=kind, default=argparse.SUPPRESS, help=f"default: {field.default}")
    return parser


def _base_type(field) -> type:
    text = str(field.type)
    return int if "int" in text else float if "float" in text else str


def load_config(args: argparse.Namespace) -> TrainConfig:
    values = {}
    config_path = getattr(args, "config", None)
    if config_path:
        values.update(read_config_file(Path(config_path)))
    values.update({k: v for k, v in vars(args).items() if k != "config"})
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"unknown training setting(s): {', '.join(unknown)}")
    return TrainConfig(**values)


def read_config_file(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"config file not found: {path}")
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        data = import_optional("yaml", "train", "a YAML config file").safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold a mapping of setting: value")
    return {k.replace("-", "_"): v for k, v in data.items()}
