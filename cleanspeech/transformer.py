"""CleanSpeech's transformer classifier: any HF sequence-classification directory trained for the six labels.

Same interface as the baseline: `TransformerModel.load(dir)`, `.thresholds`, `.predict_proba(texts) -> DataFrame`.
Comments are cleaned like in training (`clean_text`, the model's own text prefix), sorted by length so each batch
pads little, scored under `torch.inference_mode`, and returned in input order.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from .errors import ModelNotFound
from .labels import LABELS
from .preprocess import clean_text

THRESHOLDS_FILE = "thresholds.json"


def cleanspeech_settings(config) -> dict:
    """Preprocessing settings a model was trained with (stored in its config.json by scripts/train.py)."""
    defaults = {"text_prefix": "", "max_length": 256, "unicode_normalization": True}
    return {**defaults, **(getattr(config, "cleanspeech", None) or {})}


class TransformerModel:
    name = "transformer"

    def __init__(self, model, tokenizer, thresholds: dict[str, float], batch_size: int = 32):
        self.model, self.tokenizer = model.eval(), tokenizer
        self.thresholds = thresholds
        self.batch_size = batch_size
        self.settings = cleanspeech_settings(model.config)
        id2label = {int(i): label for i, label in model.config.id2label.items()}
        missing = [label for label in LABELS if label not in id2label.values()]
        if missing:
            raise ModelNotFound(f"the model has no output for {', '.join(missing)} (its labels: {id2label})")
        label2id = {label: i for i, label in id2label.items()}
        self.columns = [label2id[label] for label in LABELS]

    @classmethod
    def load(cls, directory, threads: int | None = None) -> "TransformerModel":
        directory = Path(directory)
        if not (directory / "config.json").is_file():
            raise ModelNotFound(
                f"no transformer model in {directory} (needs config.json); train one with "
                "python scripts/train.py --output-dir DIR"
            )
        if threads:
            torch.set_num_threads(threads)
        from .packaging import is_compact_dir, load_compact

        try:
            if is_compact_dir(directory):
                model, tokenizer = load_compact(directory)
            else:
                tokenizer = AutoTokenizer.from_pretrained(directory)
                model = AutoModelForSequenceClassification.from_pretrained(directory)
        except (OSError, ValueError) as exc:
            raise ModelNotFound(f"cannot load the transformer in {directory}: {exc}") from exc
        path = directory / THRESHOLDS_FILE
        thresholds = json.loads(path.read_text()) if path.is_file() else {}
        return cls(model, tokenizer, {label: float(thresholds.get(label, 0.5)) for label in LABELS})

    def _prepare(self, texts) -> list[str]:
        normalize = self.settings["unicode_normalization"]
        return [self.settings["text_prefix"] + clean_text(t, unicode_normalization=normalize) for t in texts]

    def predict_logits(self, texts) -> np.ndarray:
        prepared = self._prepare(texts)
        order = np.argsort([-len(t) for t in prepared], kind="stable")
        logits = np.zeros((len(prepared), len(LABELS)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                index = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [prepared[i] for i in index],
                    padding=True,
                    truncation=True,
                    max_length=self.settings["max_length"],
                    return_tensors="pt",
                )
                output = self.model(**batch).logits.float().numpy()
                logits[index] = output[:, self.columns]
        return logits

    def predict_proba(self, texts) -> pd.DataFrame:
        texts = [texts] if isinstance(texts, str) else list(texts)
        logits = self.predict_logits(texts)
        return pd.DataFrame(1.0 / (1.0 + np.exp(-logits)), columns=list(LABELS))
