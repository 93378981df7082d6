"""The comments file the `score` tests read: 1,100 real Jigsaw rows and a column of values that must survive."""

from pathlib import Path

import pandas as pd


def comments_csv(directory: Path, data_dir: Path) -> Path:
    frame = pd.read_csv(data_dir / "jigsaw_sample" / "test.csv.gz", dtype=str, keep_default_na=False).head(1100)
    frame["note"] = ["007", "", "NA", "<img src=x onerror=alert(1)>"] * 275  # values that must survive untouched
    path = directory / "comments.csv"
    frame.to_csv(path, index=False)
    return path


class Counted:
    """A real model that counts the texts it is asked to score."""

    def __init__(self, model):
        self.model, self.thresholds, self.scored = model, model.thresholds, 0

    def predict_proba(self, texts):
        self.scored += len(texts)
        return self.model.predict_proba(texts)
