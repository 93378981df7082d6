"""Serving: scoring comments in bulk through any classifier, the way the CLI, the app and the evaluation need it.

Owns the one batched scorer (`score_texts`, `score_frame`) and comment CSV files (`read_comments_csv`, chunked
`score_csv`, which also runs under `accelerate launch`, and `neutralize_formulas` for output that is safe to open
in a spreadsheet). May import `classifiers`, `data` and the core modules; the
runtimes that run a model (PyTorch, ONNX Runtime) belong to `classifiers`, because a model picks its runtime when it
loads.
"""

from .batch import score_frame, score_texts
from .csv_files import neutralize_formulas, read_comments_csv, score_csv

__all__ = ["neutralize_formulas", "read_comments_csv", "score_csv", "score_frame", "score_texts"]
