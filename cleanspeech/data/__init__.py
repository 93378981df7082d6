"""Data: every corpus CleanSpeech reads, its licence, and the one labelled frame training and evaluation use.

Owns the sources and their licences (`sources`), the readers of the Kaggle Jigsaw files and the staged corpora
(`readers`), the one ParaDetox reader (`paradetox`), and `build_dataset` with its on-disk cache (`corpus`). Data is
found through `--data-dir`, `CLEANSPEECH_DATA` or `../shared/data` (see `cleanspeech.paths`); nothing is downloaded.
May import only the core modules.
"""

from .corpus import build_dataset
from .readers import read_extra_rows
from .sources import SOURCES

__all__ = ["SOURCES", "build_dataset", "read_extra_rows"]
