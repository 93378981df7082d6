"""Calibrated probabilities: scores a platform can threshold directly, and how far a score is from one.

Models are trained on toxic-enriched data, so their raw probabilities overstate how often a comment is toxic in a
real comment stream. Calibration here is Platt scaling per label (two parameters: robust with the few positives rare
labels have) fitted on the model's stored validation predictions, with every row weighted so that positives make up
the label's natural base rate (a correction for the shift in class priors, Saerens et al. 2002). It is judged on
rows never used to fit it: the natural-rate Jigsaw test rows, by expected calibration error (ECE, 10 equal-width
bins) and reliability bins. The mapping is monotone, so rankings, ROC-AUC and which comments a tuned threshold flags
are unchanged; only the numbers move.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..classifiers.files import CALIBRATION_FILE, damaged_model_as_not_found
from ..labels import LABELS

_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def reliability_bins(truth: np.ndarray, score: np.ndarray, bins: int = 10) -> list[dict]:
    """Per equal-width score bin: rows, mean score, observed positive rate (empty bins left out)."""
    truth, score = np.asarray(truth, dtype=float), np.asarray(score, dtype=float)
    index = np.minimum((score * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append({"bin": b, "rows": int(mask.sum()), "mean_score": float(score[mask].mean()),
                        "observed": float(truth[mask].mean())})  # fmt: skip
    return out


def expected_calibration_error(truth: np.ndarray, score: np.ndarray, bins: int = 10) -> float:
    """Sum over bins of (share of rows) x |mean score - observed rate|."""
    found = reliability_bins(truth, score, bins)
    total = sum(b["rows"] for b in found)
    return (
        float(sum(b["rows"] / total * abs(b["mean_score"] - b["observed"]) for b in found)) if total else float("nan")
    )


def prior_weights(truth: np.ndarray, natural_rate: float) -> np.ndarray:
    """Row weights under which the positive rate of `truth` equals `natural_rate` (total weight unchanged)."""
    truth = np.asarray(truth, dtype=float)
    rate = truth.mean()
    if not 0 < rate < 1:
        return np.ones_like(truth)
    return np.where(truth == 1, natural_rate / rate, (1 - natural_rate) / (1 - rate))


def fit_platt(truth: np.ndarray, score: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """(a, b) of p' = sigmoid(a * logit(p) + b), by weighted logistic regression (nearly unregularised)."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=1e4, max_iter=1000)
    fitted.fit(_logit(score).reshape(-1, 1), np.asarray(truth, dtype=int), sample_weight=weights)
    return float(fitted.coef_[0, 0]), float(fitted.intercept_[0])


@dataclass
class Calibration:
    """Per-label Platt parameters {label: (a, b)}, applied to a model's probabilities."""

    params: dict[str, tuple[float, float]]
    report: dict | None = None  # how it was fitted and what it measured; stored beside it

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        """(n, 6) probabilities in `LABELS` order -> calibrated (labels without parameters pass unchanged)."""
        out = np.array(probabilities, dtype=np.float64, copy=True)
        for column, label in enumerate(LABELS):
            if label in self.params:
                a, b = self.params[label]
                out[:, column] = 1 / (1 + np.exp(-(a * _logit(out[:, column]) + b)))
        return out

    def apply_frame(self, scores: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(self.apply(scores[list(LABELS)].to_numpy()), columns=list(LABELS), index=scores.index)

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / CALIBRATION_FILE
        body = {"method": "platt", "labels": {k: {"a": a, "b": b} for k, (a, b) in self.params.items()}}
        path.write_text(json.dumps({**body, **(self.report or {})}, indent=2) + "\n")
        return path

    @classmethod
    def load(cls, directory: str | Path) -> "Calibration | None":
        """The calibration saved beside a model, or None where there is none."""
        path = Path(directory) / CALIBRATION_FILE
        if not path.is_file():
            return None
        with damaged_model_as_not_found(directory, f"{CALIBRATION_FILE} (serve --uncalibrated goes without it)"):
            data = json.loads(path.read_text())
            labels = data.get("labels") if isinstance(data, dict) else None
            if not isinstance(labels, dict) or not all(isinstance(v, dict) for v in labels.values()):
                raise ValueError("no 'labels' object of {label: {a, b}}")
            params = {label: (float(v["a"]), float(v["b"])) for label, v in labels.items()}
        return cls(params, {k: v for k, v in data.items() if k not in ("method", "labels")})
