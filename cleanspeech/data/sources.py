"""Every corpus CleanSpeech reads, with its language, licence and whether a model we ship may be trained on it.

Only sources with clear permissive terms are `shippable`. The others (research-only, unclear or non-commercial terms,
see `data/multilingual/README.md`) measure the shipped model per language, and join training only when a user opts in
and accepts their terms.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str
    lang: str
    licence: str
    shippable: bool


SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("jigsaw", "en", "labels CC0, text CC BY-SA 3.0 (Wikipedia)", True),
        Source("paradetox", "en", "CC0 1.0 (s-nlp/paradetox); cite Logacheva et al. 2022", True),
        Source("detox_emnlp2021", "en", "Civil Comments text CC0; cite Dale et al. 2021", True),
        Source("told_br", "pt", "CC BY-SA 4.0", True),
        Source("germeval_2018", "de", "CC BY 4.0", True),
        Source("mlma_2019_fr", "fr", "MIT", True),
        Source("germeval_2019", "de", "no licence in the source copy (unverified)", False),
        Source("offenseval_tr_2020", "tr", "no known licence: research only", False),
        Source("hateval_2019_es", "es", "registration terms: research only", False),
        Source("offendes_2021", "es", "no licence: research only", False),
        Source("haspeede_2020_tweets", "it", "CC BY-NC-SA 4.0: non-commercial", False),
        Source("haspeede_2018_facebook", "it", "CC BY-NC-SA 4.0: non-commercial", False),
        Source("ami_2020_it", "it", "no licence: research only", False),
        Source("ru_toxic_comments_2019", "ru", "Kaggle dataset, licence unverified: research only", False),
        # Rows a user adds with --extra-data (e.g. their moderators' decisions): their own data, their own terms.
        Source("extra", "multi", "the user's own rows (--extra-data)", True),
    ]
}

# Staged multilingual files (data/multilingual/*.csv.gz); one file may hold several datasets.
MULTILINGUAL_FILES = (
    "offenseval_tr_2020.csv.gz",
    "germeval_2018_2019.csv.gz",
    "hateval_2019_es.csv.gz",
    "offendes_2021_es.csv.gz",
    "haspeede_it.csv.gz",
    "ami_2020_it.csv.gz",
    "told_br_pt.csv.gz",
    "mlma_fr.csv.gz",
    "ru_toxic_2ch_pikabu.csv.gz",
)
