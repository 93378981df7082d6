"""Tune a model's toxic threshold again, for its flags as served, from the predictions its evaluation stored.

    python scripts/retune_thresholds.py                             # every shipped model
    python scripts/retune_thresholds.py --model runs/ensemble       # one model directory

For a change to which labels imply toxic (`IMPLIES_TOXIC`): `toxic`'s threshold is tuned for F1 with the rows where
such a label is flagged counted as flagged (`tune_toxic_threshold`), the other labels' thresholds are kept, and the
precision, recall and F1 of `evaluation.json` are measured again from its stored validation and test predictions,
without scoring a row. The new threshold goes where the model reads it: `thresholds.json` (transformer, embedding),
`baseline_meta.json` or `ensemble.json`, and the validation metrics a baseline or embedding model keeps in its
metadata follow. A model trained or fitted afterwards tunes the same way from the start (`tune_thresholds`). Prints
toxic's threshold and validation F1 before and after, per model.
"""

import argparse
import json
import sys
from pathlib import Path

from cleanspeech._io import run_main, write_json_atomic
from cleanspeech.classifiers import available_models, flag_matrix, resolve_model_dir
from cleanspeech.classifiers.files import BASELINE_META_FILE, EMBEDDING_META_FILE, ENSEMBLE_FILE, THRESHOLDS_FILE
from cleanspeech.errors import InputError
from cleanspeech.evaluation.metrics import precision_recall_f1
from cleanspeech.evaluation.reports import stored_predictions, with_toxic_threshold_retuned, write_report
from cleanspeech.labels import LABELS

# where each family keeps its thresholds (the first file the directory has), and the metadata holding validation
# metrics beside them; every file is written back in the layout it was read in
THRESHOLD_FILES = (ENSEMBLE_FILE, BASELINE_META_FILE, THRESHOLDS_FILE)
METRICS_FILES = (BASELINE_META_FILE, EMBEDDING_META_FILE)
CLASSIFIERS = ("baseline", "embedding", "transformer", "ensemble")  # what has thresholds (not the rewriter)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", help="model name or directory (repeatable; default: every shipped one)")
    return p.parse_args(argv)


def _rewrite_json(path: Path, change) -> None:
    """Apply `change` to a JSON file's content and write it back compact or indented, as it was."""
    text = path.read_text()
    data = json.loads(text)
    change(data)
    layout = {"indent": None, "separators": (",", ":")} if "\n" not in text.strip() else {"indent": 2}
    write_json_atomic(path, data, **layout)


def retune(directory: Path) -> tuple[dict, dict]:
    """Retune one model directory in place; the old and the new `evaluation.json`."""
    evaluation = directory / "evaluation.json"
    if not evaluation.is_file():
        raise InputError(f"{directory} has no evaluation.json to tune from: evaluate the model first")
    old = json.loads(evaluation.read_text())
    if "validation" not in old.get("predictions", {}):
        raise InputError(f"{evaluation} stores no validation predictions: evaluate the model again")
    new = with_toxic_threshold_retuned(old)
    toxic = new["thresholds"]["toxic"]
    holder = next((directory / name for name in THRESHOLD_FILES if (directory / name).is_file()), None)
    if holder is None:
        raise InputError(f"{directory} keeps no thresholds ({', '.join(THRESHOLD_FILES)}): not a classifier")
    if holder.name == THRESHOLDS_FILE:
        _rewrite_json(holder, lambda data: data.update(toxic=toxic))
    else:
        _rewrite_json(holder, lambda data: data["thresholds"].update(toxic=toxic))
    for name in METRICS_FILES:
        if (directory / name).is_file():
            _rewrite_json(directory / name, lambda meta: _update_metrics(meta, new))
    write_report(directory, new)
    return old, new


def _update_metrics(meta: dict, report: dict) -> None:
    for split in meta.get("metrics", {}):
        meta["metrics"][split] = report["splits"][split]["metrics"]


def served_toxic_f1(report: dict, fold: str = "validation") -> float:
    """F1 of the toxic flags a user gets (`flag_matrix`: the labels that imply toxic included), from the report's
    stored predictions of `fold` and its thresholds."""
    truth, scores, _ = stored_predictions(report, fold)
    flagged = flag_matrix(scores, report["thresholds"])[:, LABELS.index("toxic")]
    known = truth["toxic"].notna().to_numpy()
    return precision_recall_f1(truth["toxic"].to_numpy()[known], flagged[known].astype(float), 0.5)[2]


def main(argv=None) -> int:
    args = parse_args(argv)
    names = args.model or [name for name in available_models() if name in CLASSIFIERS]
    for name in names:
        directory = resolve_model_dir(name)
        old, new = retune(directory)
        before, after = (report["thresholds"]["toxic"] for report in (old, new))
        print(f"{directory}: toxic threshold {before:.4f} -> {after:.4f}; F1 of the toxic flags as served, validation "
              f"{served_toxic_f1(old):.4f} -> {served_toxic_f1(new):.4f}, test {served_toxic_f1(old, 'test'):.4f} -> "
              f"{served_toxic_f1(new, 'test'):.4f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
