"""Serving: scoring comments in bulk through any classifier, the way the CLI, the app and the evaluation need it.

Owns the one batched scorer (`score_texts`; `score_models`, which runs an ensemble's members once for all;
`score_frame`, which adds each row's status), the one reader of comment files (`read_table`: CSV in any common
dialect or .xlsx, strict about malformed rows), chunked `score_csv` (which also runs under `accelerate launch`), and
output that is safe to open in a spreadsheet (`neutralize_formulas`, `write_table`, `xlsx_bytes`). May import
`classifiers`, `data` and the core modules; the runtimes that run a model (PyTorch, ONNX Runtime) belong to
`classifiers`, because a model picks its runtime when it loads.
"""

from .batch import (
    SCORED_STATUSES,
    kept_inputs_notice,
    renamed_inputs,
    renamed_inputs_notice,
    row_statuses,
    score_frame,
    score_models,
    score_texts,
    status_column,
)
from .csv_files import check_output_path, neutralize_formulas, score_csv, write_table
from .plain_text import read_lines
from .tables import UNPARSED_COLUMN, CommentTable, read_table, require_column
from .xlsx import xlsx_bytes

__all__ = [
    "SCORED_STATUSES",
    "UNPARSED_COLUMN",
    "CommentTable",
    "check_output_path",
    "kept_inputs_notice",
    "neutralize_formulas",
    "read_lines",
    "read_table",
    "renamed_inputs",
    "renamed_inputs_notice",
    "require_column",
    "row_statuses",
    "score_csv",
    "score_frame",
    "score_models",
    "score_texts",
    "status_column",
    "write_table",
    "xlsx_bytes",
]
