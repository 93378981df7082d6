"""What the scripts/train.py tests share: the arguments of a small real run and reading what it wrote."""

import json


def train_args(tiny_model, small_data, run_dir, *extra):
    return [
        "--model", str(tiny_model), "--data-dir", str(small_data), "--run-dir", str(run_dir),
        "--max-train-samples", "2000", "--max-eval-samples", "400", "--max-length", "64",
        "--learning-rate", "1e-3", "--eval-every", "10", "--mixed-precision", "no", *extra,
    ]  # fmt: skip


def read_json(path):
    return json.loads(path.read_text())
