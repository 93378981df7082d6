"""Evaluation: the metrics CleanSpeech reports and the `evaluation.json` report written beside each model.

Owns ROC-AUC, PR-AUC and threshold tuning per label with unknown labels masked (`metrics`), and the reports over
the validation, test and per-language sets, with stored predictions and model disagreements (`reports`). May import
`serving`, `classifiers`, `data` and the core modules.
"""

from .metrics import MetricWarning, curve_points, evaluate, tune_thresholds
from .reports import EVAL_ROWS_PER_SOURCE, evaluation_report, report_from_scores, score_folds

__all__ = [
    "EVAL_ROWS_PER_SOURCE",
    "MetricWarning",
    "curve_points",
    "evaluate",
    "evaluation_report",
    "report_from_scores",
    "score_folds",
    "tune_thresholds",
]
