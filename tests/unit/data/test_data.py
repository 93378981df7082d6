"""Data loading on the real staged files and on Kaggle-format copies built from them."""

import gzip

import numpy as np
import pandas as pd
import pytest

from cleanspeech.data.corpus import build_dataset, drop_duplicate_texts, split_train_validation
from cleanspeech.data.paradetox import paradetox_part
from cleanspeech.data.readers import load_jigsaw, read_multilingual, read_paradetox_rows, texts_for_ids
from cleanspeech.data.sources import SOURCES
from cleanspeech.errors import DataFileNotFound
from cleanspeech.labels import LABELS


def test_kaggle_files_read_unchanged(kaggle_dir):
    train, test = load_jigsaw(kaggle_dir)
    assert len(train) == 2886 and len(test) == 1027  # -1 (unscored) test rows dropped
    assert train[list(LABELS)].sum().to_dict() == {
        "toxic": 294,
        "severe_toxic": 35,
        "obscene": 159,
        "threat": 12,
        "insult": 158,
        "identity_hate": 31,
    }
    assert test["toxic"].sum() == 92 and not (test[list(LABELS)] == -1).any().any()
    assert train.loc[train["id"] == "0000997932d777bf", "text"].iloc[0].startswith("Explanation\nWhy the edits")


def test_missing_kaggle_file_is_named(kaggle_dir):
    (kaggle_dir / "test_labels.csv").unlink()
    with pytest.raises(DataFileNotFound, match="test_labels.csv"):
        load_jigsaw(kaggle_dir)


def test_a_damaged_data_file_is_named_not_a_traceback(kaggle_dir):
    damaged = kaggle_dir / "train.csv.zip"  # a download cut short: a zip without its directory
    damaged.write_bytes(damaged.read_bytes()[:5000])
    with pytest.raises(DataFileNotFound, match="cannot read .*train.csv.zip"):
        load_jigsaw(kaggle_dir)
    damaged.unlink()
    cut = kaggle_dir / "train.csv.gz"  # a .gz cut short ends before its end-of-stream marker (EOFError)
    cut.write_bytes(gzip.compress((kaggle_dir / "test.csv").read_bytes())[:5000])  # any CSV, gzipped and cut
    with pytest.raises(DataFileNotFound, match="cannot read .*train.csv.gz"):
        load_jigsaw(kaggle_dir)


def test_missing_data_dir_is_clear(tmp_path):
    with pytest.raises(DataFileNotFound, match="data directory not found"):
        build_dataset(tmp_path / "nowhere")
    with pytest.raises(DataFileNotFound, match="no Jigsaw data"):
        build_dataset(tmp_path)


def test_kaggle_dir_builds_a_dataset(kaggle_dir):
    frame = build_dataset(kaggle_dir)
    assert set(frame["source"]) == {"jigsaw"}
    assert frame["fold"].value_counts()["test"] == 1027
    assert {"train", "validation"} <= set(frame["fold"])


def test_a_built_dataset_is_cached_until_its_files_change(kaggle_dir, tmp_path_factory, monkeypatch):
    cache = tmp_path_factory.mktemp("cache")  # outside the data directory, whose files make the key
    monkeypatch.setenv("CLEANSPEECH_CACHE", str(cache))
    first = build_dataset(kaggle_dir)
    assert len(list((cache / "datasets").glob("*.pkl"))) == 1

    def no_reading(*args):
        raise AssertionError("the data files were read again")

    monkeypatch.setattr("cleanspeech.data.corpus.load_sources", no_reading)
    pd.testing.assert_frame_equal(build_dataset(kaggle_dir), first)
    with pytest.raises(AssertionError, match="read again"):
        build_dataset(kaggle_dir, seed=7)  # other settings: another entry
    monkeypatch.undo()
    monkeypatch.setenv("CLEANSPEECH_CACHE", str(cache))
    labels = kaggle_dir / "test_labels.csv"
    labels.write_text(labels.read_text().replace(",0,0,0,0,0,0\n", ",1,0,0,0,0,0\n", 1))  # an edited file
    toxic_test_rows = lambda frame: frame.loc[frame["fold"] == "test", "toxic"].sum()  # noqa: E731
    assert toxic_test_rows(build_dataset(kaggle_dir)) == toxic_test_rows(first) + 1


def test_unannotated_labels_are_unknown_not_zero(data_dir):
    multilingual = read_multilingual(data_dir / "multilingual")
    assert set(multilingual["lang"]) == {"tr", "es", "it", "de", "pt", "ru", "fr"}
    assert multilingual["threat"].isna().all()  # no multilingual set annotates threats
    turkish = multilingual[multilingual["source"] == "offenseval_tr_2020"]
    assert turkish["toxic"].notna().all() and turkish["insult"].isna().all()
    told = multilingual[multilingual["source"] == "told_br"]
    assert told["insult"].notna().all() and told["severe_toxic"].isna().all()


def test_paradetox_pairs_and_heldout_part(data_dir):
    frame = read_paradetox_rows(data_dir / "paradetox")
    assert frame["toxic"].sum() == 11927 and (frame["toxic"] == 0).sum() == 19743
    assert frame[[lb for lb in LABELS if lb != "toxic"]].isna().all().all()
    share = (frame.loc[frame["toxic"] == 1, "orig_split"] == "heldout").mean()
    assert 0.15 < share < 0.25
    assert paradetox_part("you are a fucking idiot .") == paradetox_part("you are a fucking idiot .")


def test_licences_decide_what_trains(dataset):
    trained = dataset[dataset["fold"].isin(["train", "validation"])]
    assert trained["shippable"].all()
    assert set(trained["source"]) >= {
        "jigsaw",
        "paradetox",
        "detox_emnlp2021",
        "told_br",
        "germeval_2018",
        "mlma_2019_fr",
    }
    research = {name for name, s in SOURCES.items() if not s.shippable}
    assert research <= set(dataset.loc[dataset["fold"] == "evaluation", "source"])
    heldout_pairs = dataset[(dataset["source"] == "paradetox") & (dataset["orig_split"] == "heldout")]
    assert (heldout_pairs["fold"] == "evaluation").all()


def test_no_text_on_both_sides(dataset):
    from cleanspeech.text import dedup_key

    keys = dataset["text"].map(dedup_key)
    nontest = dataset["fold"] != "test"
    assert not keys[nontest].duplicated().any()
    assert not set(keys[dataset["fold"] == "test"]) & set(keys[nontest])
    assert (dataset["fold"] == "test").sum() == 1027


def test_split_is_stratified_and_reproducible(dataset):
    again = split_train_validation(dataset.assign(fold=dataset["fold"].replace("validation", "train")))
    assert (again == dataset["fold"]).all()
    pool = dataset[dataset["fold"].isin(["train", "validation"])]
    rates = pool.groupby("fold")["toxic"].mean()
    assert abs(rates["train"] - rates["validation"]) < 0.005
    share = (pool["fold"] == "validation").mean()
    assert 0.14 < share < 0.16


def test_duplicates_keep_the_best_labelled_row():
    frame = pd.DataFrame(
        {
            "text": ["You idiot!", "you  IDIOT", "fine", "Fine."],
            "fold": ["train", "train", "evaluation", "test"],
            **{lb: [np.nan, 1.0, 0.0, 0.0] for lb in LABELS},
        }
    )
    frame.loc[0, "toxic"] = 1.0  # row 0 knows one label, row 1 all six
    kept = drop_duplicate_texts(frame)
    assert kept.index.tolist() == [1, 3]


def test_research_sets_train_only_when_the_user_opts_in(data_dir):
    with pytest.warns(UserWarning, match="research-only"):
        frame = build_dataset(data_dir, include_research=True)
    trained = frame[frame["fold"].isin(["train", "validation"])]
    assert {"offenseval_tr_2020", "ru_toxic_comments_2019", "hateval_2019_es"} <= set(trained["source"])
    assert not trained["shippable"].all()
    heldout = frame[(frame["source"] == "paradetox") & (frame["orig_split"] == "heldout")]
    assert (heldout["fold"] == "evaluation").all()  # the rewriting hold-out stays out of training regardless


def test_data_dir_from_the_environment(monkeypatch, tmp_path, data_dir):
    from cleanspeech.paths import resolve_data_dir

    monkeypatch.setenv("CLEANSPEECH_DATA", str(data_dir))
    assert resolve_data_dir() == data_dir
    monkeypatch.setenv("CLEANSPEECH_DATA", str(tmp_path / "missing"))
    with pytest.raises(DataFileNotFound, match="CLEANSPEECH_DATA points to a missing directory"):
        resolve_data_dir()


def test_texts_for_ids_reads_only_what_it_needs_and_matches_the_dataset(dataset, data_dir, tmp_path):
    rows = dataset[dataset["fold"].isin(["validation", "test"])].groupby(["fold", "source"]).head(3)
    wanted = {}
    for source, id_ in zip(rows["source"], rows["id"]):
        wanted.setdefault(source, set()).add(id_)
    wanted["jigsaw"].add("not-an-id")
    assert len(wanted) == 6  # every shipped source with held-out rows, jigsaw from both its train and test files
    assert texts_for_ids(data_dir, wanted) == dict(zip(rows["id"], rows["text"]))
    assert texts_for_ids(tmp_path, wanted) == {}  # a data directory without these sources: no texts, no error
