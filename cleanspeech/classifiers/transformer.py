"""CleanSpeech's transformer classifier: any HF sequence-classification directory trained for the six labels.

Same interface as the baseline: `TransformerModel.load(dir)`, `.thresholds`, `.predict_proba(texts) -> DataFrame`.
Comments are cleaned like in training (`clean_text`, the model's own text prefix), cut into overlapping windows of
the model's training length when longer (a comment scores the maximum over its windows: an insult at the end of a
long comment still counts), sorted by length so each batch pads little, scored under `torch.inference_mode` or with
ONNX Runtime (`backend`: torch, onnx, onnx-int8; by default $CLEANSPEECH_TRANSFORMER_BACKEND where it is set,
else what `backend.json` beside the model chose), and returned in input order. PyTorch scores on the CPU unless
`device` (or the CLEANSPEECH_TORCH_DEVICE variable) names another torch device, such as cuda: evaluating a model on
a GPU takes seconds instead of minutes.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from ..errors import InputError, ModelNotFound
from ..labels import LABELS
from ..text import clean_text
from .compact import load_compact
from .files import damaged_model_as_not_found, is_compact_dir, read_thresholds
from .onnx_backend import BACKENDS, default_backend, load_onnx_classifier
from .protocol import indexed_like, text_list

# How a model reads text, stored in its config.json under "cleanspeech" by scripts/train.py; these are the defaults.
DEFAULT_SETTINGS = {"text_prefix": "", "max_length": 256, "unicode_normalization": True}
DEVICE_VARIABLE = "CLEANSPEECH_TORCH_DEVICE"  # e.g. cuda or cuda:1; unset: cpu


def cleanspeech_settings(config) -> dict:
    """Preprocessing settings a model was trained with (stored in its config.json by scripts/train.py)."""
    return {**DEFAULT_SETTINGS, **(getattr(config, "cleanspeech", None) or {})}


class TransformerModel:
    name = "transformer"

    def __init__(self, model, tokenizer, thresholds: dict[str, float], batch_size: int = 32, onnx=None):
        self.model, self.tokenizer = model.eval(), tokenizer
        self.thresholds = thresholds
        self.onnx = onnx  # an OnnxClassifier, or None for PyTorch
        self.backend = "torch" if onnx is None else onnx.backend
        # Dynamic int8 quantises activations with one scale per batch: batched, a comment's score would depend on the
        # comments beside it (measured: up to 0.24 in probability, 2% of flags flipped). One window per run keeps
        # every score a function of its comment alone; the windows run side by side, one per core.
        self.one_window_per_run = self.backend == "onnx-int8"
        self.batch_size = batch_size
        self.settings = cleanspeech_settings(model.config)
        id2label = {int(i): label for i, label in model.config.id2label.items()}
        missing = [label for label in LABELS if label not in id2label.values()]
        if missing:
            raise ModelNotFound(f"the model has no output for {', '.join(missing)} (its labels: {id2label})")
        label2id = {label: i for i, label in id2label.items()}
        self.columns = [label2id[label] for label in LABELS]

    @classmethod
    def load(
        cls, directory, threads: int | None = None, backend: str = "auto", device: str | None = None
    ) -> "TransformerModel":
        """Load a model directory; `backend` is torch, onnx, onnx-int8 or auto (the one backend.json chose);
        `device` a torch device for the torch backend (default: $CLEANSPEECH_TORCH_DEVICE, else cpu). On the CPU,
        "auto" is $CLEANSPEECH_TRANSFORMER_BACKEND where it is set (`onnx_backend.default_backend`)."""
        if backend != "auto" and backend not in BACKENDS:
            raise InputError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)} or auto")
        device = _torch_device(device or os.environ.get(DEVICE_VARIABLE) or "cpu")
        if device.type != "cpu":
            if backend not in ("auto", "torch"):
                raise InputError(f"the {backend} backend runs on the CPU only; use the torch backend on {device}")
            backend = "torch"  # ONNX Runtime here is the CPU build
        directory = Path(directory)
        if not (directory / "config.json").is_file():
            raise ModelNotFound(
                f"no transformer model in {directory} (needs config.json); train one with "
                "python scripts/train.py --output-dir DIR"
            )
        if threads:
            torch.set_num_threads(threads)
        with damaged_model_as_not_found(directory, "the transformer"):
            if is_compact_dir(directory):
                model, tokenizer = load_compact(directory)
            else:
                tokenizer = AutoTokenizer.from_pretrained(directory)
                model = AutoModelForSequenceClassification.from_pretrained(directory)
        thresholds = read_thresholds(directory)
        onnx = _onnx_classifier(model, directory, backend, threads)
        model.to(device)
        return cls(model, tokenizer, thresholds, onnx=onnx)

    def prepare(self, texts) -> list[str]:
        """The texts as the network reads them: cleaned as in training, with the model's text prefix."""
        normalize = self.settings["unicode_normalization"]
        return [self.settings["text_prefix"] + clean_text(t, unicode_normalization=normalize) for t in texts]

    def encode_windows(self, prepared: list[str], offsets: bool = False):
        """The one windowing rule: windows of the model's training length, each a quarter overlapping the previous.

        Serving and the gradient explanations both cut text here, so an explanation reads the windows that scored.
        """
        length = self.settings["max_length"]
        return self.tokenizer(
            prepared,
            truncation=True,
            max_length=length,
            stride=length // 4,
            return_overflowing_tokens=True,
            return_offsets_mapping=offsets,
        )

    def windows(self, prepared: list[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token ids of every window and the comment each belongs to."""
        encoded = self.encode_windows(prepared)
        owners = encoded.get("overflow_to_sample_mapping", list(range(len(prepared))))
        return encoded["input_ids"], np.asarray(owners, dtype=np.int64)

    def batch_logits(self, ids: list[list[int]]) -> np.ndarray:
        """Raw logits (in the network's own label order) of a batch of token-id windows."""
        if self.onnx is None:
            batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt").to(self.model.device)
            with torch.inference_mode():
                return self.model(**batch).logits.float().cpu().numpy()
        batch = self.tokenizer.pad({"input_ids": ids}, return_tensors="np")
        return self.onnx.logits(batch["input_ids"], batch["attention_mask"])

    def predict_logits(self, texts) -> np.ndarray:
        """Logits in input order; a comment longer than one window gets each label's maximum over its windows."""
        prepared = self.prepare(texts)
        logits = np.full((len(prepared), len(LABELS)), -np.inf, dtype=np.float32)
        if not prepared:
            return logits
        windows, owners = self.windows(prepared)
        order = np.argsort([-len(w) for w in windows], kind="stable")
        if self.one_window_per_run:
            output = self.onnx.logits_one_by_one([windows[i] for i in order])[:, self.columns]
            np.maximum.at(logits, owners[order], output)
            return logits
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            output = self.batch_logits([windows[i] for i in index])[:, self.columns]
            np.maximum.at(logits, owners[index], output)
        return logits

    def predict_proba(self, texts) -> pd.DataFrame:
        logits = self.predict_logits(text_list(texts))
        return indexed_like(texts, pd.DataFrame(1.0 / (1.0 + np.exp(-logits)), columns=list(LABELS)))


def _torch_device(name: str) -> torch.device:
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise InputError(f"{DEVICE_VARIABLE}={name!r} is not a torch device (cpu, cuda, cuda:1, ...)") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"{DEVICE_VARIABLE}={name!r}, but PyTorch sees no CUDA device here")
    return device


def _onnx_classifier(model, directory: Path, backend: str, threads: int | None):
    backend = default_backend(directory) if backend == "auto" else backend
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)} or auto")
    if backend == "torch":
        return None
    classifier = load_onnx_classifier(model, directory, backend, threads)
    classifier.backend = backend
    return classifier
