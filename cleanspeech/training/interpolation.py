"""Weight-space interpolation of two fine-tunings of one network (WiSE-FT, Wortsman et al. 2022).

A continuation trained on a narrow mixture (half of it our written identity statements) learns what the mixture
teaches and forgets some of what the start knew: the tenth pass caught implicit attacks on a group five times as
often as the seventh, and lost 0.008 Jigsaw ROC-AUC and up to 0.05 on other languages. Both are fine-tunings of one
network, so the straight line between their weights stays in one basin: a point on it keeps most of each. `weight`
is the end model's share (0: the start, 1: the end).
"""

import shutil
from pathlib import Path

import torch

from ..classifiers.transformer import TransformerModel
from .checkpoints import write_json
from .config import TrainingError

# What the interpolated directory takes from the end model besides its weights; thresholds are re-tuned by
# scripts/evaluate_transformer.py, so the end model's are left behind.
_COPIED = ("tokenizer.json", "tokenizer_config.json", "history.json", "metrics.json")


def interpolate_state(start: dict, end: dict, weight: float) -> dict:
    """(1 - weight) * start + weight * end for every floating-point tensor; other tensors (ids) from `end`."""
    if not 0.0 <= weight <= 1.0:
        raise TrainingError(f"the interpolation weight is the end model's share, from 0 to 1, got {weight}")
    if start.keys() != end.keys():
        differ = sorted(start.keys() ^ end.keys())
        raise TrainingError(f"the two models are not the same network: {', '.join(differ[:5])} ...")
    mixed = {}
    for name, tensor in end.items():
        if tensor.is_floating_point():
            if start[name].shape != tensor.shape:
                raise TrainingError(f"{name}: shape {tuple(start[name].shape)} against {tuple(tensor.shape)}")
            mixed[name] = torch.lerp(start[name].float(), tensor.float(), weight).to(tensor.dtype)
        else:
            mixed[name] = tensor
    return mixed


def interpolate_models(start_dir, end_dir, weight: float, output_dir, training_config: dict) -> Path:
    """Write the interpolated model as a run's best-model directory (`python -m cleanspeech pack-model` packs it);
    `training_config` is the end model's, saved with where the weights came from."""
    start_dir, end_dir, output_dir = Path(start_dir), Path(end_dir), Path(output_dir)
    # The transformer family's loader: packed or plain, and a clear message for a directory that holds no model.
    start, end = (TransformerModel.load(d, backend="torch").model for d in (start_dir, end_dir))
    end.load_state_dict(interpolate_state(start.state_dict(), end.state_dict(), weight))
    output_dir.mkdir(parents=True, exist_ok=True)
    end.save_pretrained(output_dir)
    for name in _COPIED:
        if (end_dir / name).is_file():
            shutil.copy(end_dir / name, output_dir / name)
    record = {**training_config, "interpolation": {"start": str(start_dir), "end": str(end_dir), "weight": weight}}
    write_json(output_dir / "training_config.json", record, 0)
    return output_dir
