"""Shared fixtures: the real staged data (skipped where a checkout has none) and small real models."""

import gzip
import json
import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cleanspeech.classifiers.baseline import BaselineModel
from cleanspeech.labels import LABELS

from .tiny_models import build_tiny_deberta

REPO = Path(__file__).resolve().parent.parent
STAGED = Path(os.environ.get("CLEANSPEECH_DATA") or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (STAGED / "jigsaw_sample").is_dir():
        pytest.skip(f"staged data not found at {STAGED} (set CLEANSPEECH_DATA)")
    return STAGED


@pytest.fixture(scope="session")
def dataset(data_dir):
    from cleanspeech.data.corpus import build_dataset

    return build_dataset(data_dir)


@pytest.fixture(scope="session")
def small_baseline(dataset) -> BaselineModel:
    """A baseline fitted on 4,000 real training rows: small settings, seconds to train."""
    rows = dataset[(dataset["fold"] == "train") & (dataset["source"] == "jigsaw")].sample(4000, random_state=0)
    model = BaselineModel(word_max_features=20_000, char_max_features=30_000, min_df=2)
    return model.fit(rows["text"].tolist(), rows[list(LABELS)])


@pytest.fixture(scope="session")
def shipped_transformer():
    """The shipped transformer, loaded once for every test that judges with it (loading takes seconds)."""
    from cleanspeech.classifiers import load_model

    return load_model(REPO / "models" / "transformer")


@pytest.fixture(scope="session")
def shipped_baseline_dir() -> Path:
    path = REPO / "models" / "baseline"
    assert (path / "baseline_meta.json").is_file(), "models/baseline is missing: run python scripts/train_baseline.py"
    return path


def _unzip_to(src, dst):
    with gzip.open(src) as fin, open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)


@pytest.fixture
def kaggle_dir(tmp_path, data_dir):
    """Kaggle's layout: train.csv zipped (as downloaded), test.csv and test_labels.csv plain."""
    sample = data_dir / "jigsaw_sample"
    _unzip_to(sample / "train.csv.gz", tmp_path / "train.csv")
    with zipfile.ZipFile(tmp_path / "train.csv.zip", "w") as zf:
        zf.write(tmp_path / "train.csv", "train.csv")
    (tmp_path / "train.csv").unlink()
    _unzip_to(sample / "test.csv.gz", tmp_path / "test.csv")
    _unzip_to(sample / "test_labels.csv.gz", tmp_path / "test_labels.csv")
    return tmp_path


@pytest.fixture(scope="session")
def small_data(tmp_path_factory, data_dir):
    """Kaggle-format Jigsaw sample plus 1,500 ToLD-Br rows (pt, no threat label): real, mixed, quick to load."""
    directory = tmp_path_factory.mktemp("data")
    for name in ("train.csv.gz", "test.csv.gz", "test_labels.csv.gz"):
        shutil.copy(data_dir / "jigsaw_sample" / name, directory / name)
    (directory / "multilingual").mkdir()
    told = pd.read_csv(data_dir / "multilingual" / "told_br_pt.csv.gz", keep_default_na=False, nrows=1500)
    told.to_csv(directory / "multilingual" / "told_br_pt.csv.gz", index=False)
    return directory


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, data_dir):
    texts = pd.read_csv(data_dir / "jigsaw_harvest" / "train_harvest.csv.gz", nrows=5000)["comment_text"].tolist()
    return build_tiny_deberta(tmp_path_factory.mktemp("tiny-deberta"), texts)


@pytest.fixture(scope="session")
def e5_classifier_dir(tmp_path_factory):
    """An e5 classifier as scripts/train.py saves it (random head, frozen word table): a real directory."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from cleanspeech.classifiers.e5 import QUERY_PREFIX, export_e5_backbone
    from cleanspeech.labels import ID2LABEL, LABEL2ID

    backbone = export_e5_backbone(tmp_path_factory.mktemp("e5"))
    model = AutoModelForSequenceClassification.from_pretrained(
        backbone, num_labels=6, problem_type="multi_label_classification", id2label=ID2LABEL, label2id=LABEL2ID
    )
    model.config.cleanspeech = {"text_prefix": QUERY_PREFIX, "max_length": 128, "unicode_normalization": True}
    out = tmp_path_factory.mktemp("trained")
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(backbone).save_pretrained(out)
    (out / "thresholds.json").write_text(json.dumps({label: 0.4 for label in LABELS}))
    return out
