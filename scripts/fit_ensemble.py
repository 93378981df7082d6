"""The ensemble's weights per language, fitted on validation data, with its thresholds and evaluation.

    python scripts/fit_ensemble.py                        # models/{baseline,transformer,embedding} -> models/ensemble/
    python scripts/fit_ensemble.py --max-eval-rows 500 --ensemble-dir runs/ensemble
    python scripts/fit_ensemble.py --unseen-language-embedding de=runs/embedding-without-de \
        --unseen-language-embedding fr=runs/embedding-without-fr \
        --unseen-language-embedding pt=runs/embedding-without-pt

Every member scores the validation and test folds and a sample of every evaluation set. For each language with
validation rows, the members get the weights (0, 0.1, ..., 1 each; the transformer the rest) that maximise the mean
ROC-AUC over the labels known in that language, or, among the mixes within `--tolerance` of that maximum, the one
that gives the embedding model (`models/embedding`, where it exists) the most say and then the baseline the least.
Then each label those rows measure (with at least 100 positives) gets its own mix by the same rule on its ROC-AUC
(`--weights-per label`, the default; `--weights-per language`: one mix for every label): the members read the labels
unequally well, and one mix per language made the embedding model's reading of attacks on a group count for as much
in `identity_hate` as in `obscene` (docs/training.md, "Weights per label"). Labels the rows cannot measure, or hold
fewer than 100 positives of, keep the language's mix, and the default weights are one mix.
The ensemble averages the members' probabilities, or their log-odds with `--combine logit`
(`cleanspeech.classifiers.ensemble`); the weights are fitted on the scale it averages on.
Validation rows are real comments, which seldom tell an attack on a group from a sentence about it; the embedding
model reads that difference best (docs/training.md), so where validation cannot tell mixes apart it gets the say,
and next the transformer, which reads every language and was trained against identity bias, while a bag of n-grams
keys on the identity words themselves. A language the baseline never trained on gets no baseline, and neither does a
language without validation rows (the default weights, fitted on every validation row, or as below): the baseline
cannot read a language it has not seen, nor a comment whose language is undetermined. A comment read as one of the
languages, unsurely, gets every language's weights blended by the detector's probabilities (`--unsure blend`;
`--unsure default`: the default weights, as before).
The default weights serve languages without training comments, yet every validation row is in one with them, and a
member that learnt its training languages well may read the others worse (the embedding model's hidden layer:
docs/training.md). `--unseen-language-embedding LANG=DIR`, given an embedding model trained without LANG's rows
(`scripts/train_embedding.py --leave-out-language LANG`), fits the default weights on the validation rows of those
languages instead, the embedding member's scores on each language coming from the model that never read it. The
transformer still trained on them, so the fit still favours it, which is the cautious side for a language nobody
measured.
Each comment is routed by its detected language (`cleanspeech.classifiers.ensemble.route_text`), as the ensemble
does when it serves, so the thresholds (tuned for F1 on validation) and `evaluation.json` describe the ensemble as
served.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech._io import at_least, run_main
from cleanspeech.classifiers import load_model, resolve_model_dir
from cleanspeech.classifiers.ensemble import (
    COMBINE,
    COMBINES,
    UNSURE,
    UNSURE_RULES,
    from_log_odds,
    label_weight_arrays,
    route_text,
    save_ensemble,
    to_log_odds,
)
from cleanspeech.classifiers.files import EMBEDDING_META_FILE, is_embedding_dir
from cleanspeech.data import build_dataset
from cleanspeech.errors import InputError
from cleanspeech.evaluation.metrics import roc_aucs
from cleanspeech.evaluation.reports import (
    EVAL_ROWS_PER_SOURCE,
    report_from_scores,
    score_folds,
    score_rows,
    write_report,
)
from cleanspeech.labels import LABELS
from cleanspeech.languages import KNOWN_LANGUAGES

GRID = np.round(np.linspace(0, 1, 11), 1)  # a member's weight; the transformer gets the rest
# Mean ROC-AUC differences below this are noise: on the 13,269 English validation rows the weights 0.5, 0.6 and 0.7
# scored within 0.0001 of each other, and the argmax alone picked 0.6.
TOLERANCE = 0.001
# A label gets a mix of its own only with this many positives among a language's validation rows. With fewer, the
# gain of a label's mix over its language's is within two bootstrap standard errors (English threat, 45 positives:
# -0.0006 ± 0.0007), so the tie-break alone chose: English threat went to 0.9 embedding and missed a third of direct
# threats (docs/training.md, "A label's own mix only with 100 positives").
MIN_LABEL_POSITIVES = 100


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", default="baseline", help="baseline model name or directory (default: baseline)")
    p.add_argument("--transformer", default="transformer", help="transformer name or directory (default: transformer)")
    p.add_argument("--embedding", default="embedding", help="embedding model name or directory, or none (default: "
                   "the shipped one where it exists)")  # fmt: skip
    p.add_argument("--ensemble-dir", help="where to write the ensemble (default: the shipped models' ensemble folder)")
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--max-eval-rows", type=at_least(1), default=EVAL_ROWS_PER_SOURCE, help="rows per evaluation set")
    p.add_argument("--max-validation-rows", type=at_least(1), help="rows per source of the validation fold the "
                   "weights and thresholds are fitted on, a seeded sample for a quick fit (default: all)")  # fmt: skip
    p.add_argument("--max-test-rows", type=at_least(1), help="rows of the test fold measured (default: all 1,027)")
    p.add_argument("--tolerance", type=float, default=TOLERANCE, help="ROC-AUC (the mean over the labels, or one "
                   "label's) within which mixes count as alike, and the one with the most embedding model, then the "
                   f"least baseline, is taken (default: {TOLERANCE}; 0: the best)")  # fmt: skip
    p.add_argument("--combine", choices=COMBINES, default=COMBINE, help="average the members' log-odds or their "
                   "probabilities (default: %(default)s; see cleanspeech.classifiers.ensemble)")  # fmt: skip
    p.add_argument("--weights-per", choices=("label", "language"), default="label", help="fit each language's mix "
                   "per label with 100 positives among its validation rows, or one mix per language (default: "
                   "%(default)s)")  # fmt: skip
    p.add_argument("--unsure", choices=UNSURE_RULES, default=UNSURE, help="weights of a comment whose language is "
                   "uncertain: every language's, blended by the detector's probabilities, or the default ones "
                   "(default: %(default)s)")  # fmt: skip
    p.add_argument("--unseen-language-embedding", metavar="LANG=DIR", action="append", default=[],
                   help="an embedding model trained without LANG's rows: the default weights are fitted on the "
                   "validation rows of every LANG given, the embedding read by these models (repeatable; default: "
                   "on every validation row, read by the members as they are)")  # fmt: skip
    args = p.parse_args(argv)
    args.unseen_language_embedding = _language_dirs(p, args.unseen_language_embedding)
    return args


def _language_dirs(parser, pairs: list[str]) -> dict[str, Path]:
    """{language: embedding model directory} from LANG=DIR pairs, refused unless each names a known language, once,
    and an embedding model trained without it (`train_embedding.py --leave-out-language LANG` records which)."""
    out = {}
    for pair in pairs:
        lang, _, name = pair.partition("=")
        directory = resolve_model_dir(name) if name else None
        if lang not in KNOWN_LANGUAGES or lang in out or _left_out_language(directory) != lang:
            parser.error(f"--unseen-language-embedding {pair}: expected LANG=DIR, LANG one of "
                         f"{', '.join(KNOWN_LANGUAGES)}, given once, and DIR an embedding model trained without it "
                         "(train_embedding.py --leave-out-language LANG)")  # fmt: skip
        out[lang] = directory
    return out


def _left_out_language(directory: Path | None) -> str | None:
    """The language an embedding model's head was trained without, from its meta (None: not such a model)."""
    if directory is None or not is_embedding_dir(directory):
        return None
    return json.loads((directory / EMBEDDING_META_FILE).read_text()).get("settings", {}).get("left_out_language")


def baseline_languages(baseline_dir: Path) -> set[str]:
    """The languages the baseline trained on, from its meta (training-data summary)."""
    meta = json.loads((baseline_dir / "baseline_meta.json").read_text())
    return {source["lang"] for source in meta["training_data"].get("train", {}).values()}


def blend(scores: dict[str, pd.DataFrame], index, weights: dict[str, float]) -> pd.DataFrame:
    """The members' weighted mean on the rows `index` (weights sum to 1)."""
    parts = [scores[name].loc[index] * w for name, w in weights.items() if w]
    return sum(parts[1:], parts[0])


def candidate_weights(members, baseline_readable: bool = True) -> list[dict[str, float]]:
    """Every mix on GRID: the baseline's and the embedding model's weights (each where present and, for the
    baseline, where it reads the language), the transformer the rest."""
    baseline = GRID if baseline_readable and "baseline" in members else [0.0]
    embedding = GRID if "embedding" in members else [0.0]
    mixes = [(b, e) for b in baseline for e in embedding if b + e <= 1 + 1e-9]
    return [{"baseline": b, "embedding": e, "transformer": round(max(0.0, 1 - b - e), 1)} for b, e in mixes]


def near_best(aucs, tolerance: float) -> np.ndarray:
    """Indices of the scores within `tolerance` of the best (NaN: a mix no label could measure, skipped)."""
    aucs = np.asarray(aucs, dtype=float)
    return np.flatnonzero(aucs >= np.nanmax(aucs) - tolerance)


def smallest_near_best(aucs, tolerance: float) -> float:
    """The smallest baseline weight of GRID whose score is within `tolerance` of the best score."""
    return float(GRID[int(near_best(aucs, tolerance)[0])])


def best_mix(rows: pd.DataFrame, scores: dict, candidates: list[dict], tolerance: float) -> dict[str, float]:
    """Of the mixes within `tolerance` of the best mean ROC-AUC on `rows`, and within it of that best mix's toxic
    ROC-AUC, the one that gives the embedding model the most say and then the baseline the least (see the module's
    docstring). Toxic is guarded on its own: every language labels it, and a mix can keep the mean while trading
    toxic for a rarer label (French validation rows: toxic -0.024 for identity_hate's gain)."""
    # ROC-AUC per label of each mix; NaN where the rows hold one class of a label (one some language never uses)
    aucs = pd.DataFrame([roc_aucs(rows, blend(scores, rows.index, weights)) for weights in candidates])
    means = aucs.mean(axis=1, skipna=True).to_numpy()
    if np.isnan(means).all():  # every label of these rows has one class: nothing to fit, the transformer alone
        return {name: float(name == "transformer") for name in scores}
    near = near_best(means, tolerance)
    toxic = aucs["toxic"].to_numpy()
    best_toxic = toxic[int(np.nanargmax(means))]
    if not np.isnan(best_toxic):
        near = [i for i in near if toxic[i] >= best_toxic - tolerance]
    return _preferred([candidates[i] for i in near], scores)


def _preferred(near: list[dict], scores: dict) -> dict[str, float]:
    """Of mixes that score alike, the most embedding model, then the least baseline (the module's docstring: why)."""
    chosen = min(near, key=lambda w: (-w["embedding"], w["baseline"]))
    return {name: w for name, w in chosen.items() if name in scores}


def best_label_mixes(rows: pd.DataFrame, scores: dict, candidates: list[dict], tolerance: float) -> dict[str, dict]:
    """{label: of the mixes within `tolerance` of the best ROC-AUC on that label, the preferred one (`_preferred`)}
    for each label the rows measure with at least MIN_LABEL_POSITIVES positives; the rest are left out."""
    counted = [label for label in LABELS if label in rows and (rows[label] == 1).sum() >= MIN_LABEL_POSITIVES]
    if not counted:  # no label to fit: the mixes need not be scored at all
        return {}
    # only the counted labels' ROC-AUCs: `roc_aucs` leaves a label the rows do not hold as NaN without ranking it
    aucs = pd.DataFrame([roc_aucs(rows[counted], blend(scores, rows.index, weights)) for weights in candidates])
    return {label: _preferred([candidates[i] for i in near_best(aucs[label], tolerance)], scores)
            for label in counted if not aucs[label].isna().all()}  # fmt: skip


def unseen_language_fit(frame: pd.DataFrame, validation: pd.DataFrame, scores: dict, unseen: dict[str, Path],
                        logit: bool = False) -> tuple[pd.DataFrame, dict]:  # fmt: skip
    """(the validation rows of the languages in `unseen`, the members' scores on them), the embedding member's scores
    on each language's rows from `unseen[language]`, a model trained without that language."""
    rows = validation[validation["lang"].isin(unseen)]
    embedding = scores["embedding"].loc[rows.index].copy()
    for lang, directory in unseen.items():
        part = rows[rows["lang"] == lang]
        if part.empty:
            raise InputError(f"--unseen-language-embedding {lang}: the validation fold has no rows in that language")
        held_out = score_rows(load_model(directory), frame.loc[part.index])
        embedding.loc[part.index] = to_log_odds(held_out) if logit else held_out
    return rows, {name: embedding if name == "embedding" else member.loc[rows.index] for name, member in scores.items()}


def check_unseen_languages(unseen: dict[str, Path], frame: pd.DataFrame, members: dict) -> None:
    """Refuse `--unseen-language-embedding` without an embedding member or for a language without validation rows."""
    if unseen and "embedding" not in members:
        raise InputError("--unseen-language-embedding needs an embedding member (--embedding)")
    validated = set(frame.loc[frame["fold"] == "validation", "lang"])
    for lang in sorted(set(unseen) - validated):
        raise InputError(f"--unseen-language-embedding {lang}: the validation fold has no rows in that language "
                         f"(it has rows in {', '.join(sorted(validated))})")  # fmt: skip


def fit_language_weights(validation: pd.DataFrame, scores: dict, readable: set[str], tolerance: float = TOLERANCE,
                         unseen: tuple[pd.DataFrame, dict] | None = None) -> tuple[dict, dict]:  # fmt: skip
    """(default weights, {language: weights}): fitted where validation rows exist; where the baseline cannot read
    the language, and where the language is not known (the default), the baseline gets nothing and the rest is
    fitted on every validation row, or on `unseen` (rows, scores: `unseen_language_fit`)."""
    default_rows, default_scores = unseen or (validation, scores)
    default = best_mix(default_rows, default_scores, candidate_weights(default_scores, baseline_readable=False),
                       tolerance)  # fmt: skip
    per_language = {}
    for lang in KNOWN_LANGUAGES:
        rows = validation[validation["lang"] == lang]
        fits = lang in readable and len(rows)
        per_language[lang] = best_mix(rows, scores, candidate_weights(scores), tolerance) if fits else dict(default)
    return default, per_language


def fit_label_weights(validation: pd.DataFrame, scores: dict, readable: set[str], tolerance: float = TOLERANCE
                      ) -> dict[str, dict[str, dict[str, float]]]:  # fmt: skip
    """{language: {label: weights}}: each label a language's validation rows measure, fitted on them, for the
    languages whose own weights are fitted (`fit_language_weights`: rows, and a baseline that reads them)."""
    by_language = {lang: validation[validation["lang"] == lang] for lang in KNOWN_LANGUAGES if lang in readable}
    fitted = {lang: best_label_mixes(rows, scores, candidate_weights(scores), tolerance)
              for lang, rows in by_language.items() if len(rows)}  # fmt: skip
    return {lang: mixes for lang, mixes in fitted.items() if mixes}


def routed(frame, scores: dict, default: dict, per_language: dict, unsure: str = UNSURE,
           label_weights: dict | None = None) -> pd.DataFrame:  # fmt: skip
    """Each row's ensemble score with the weights of its detected language (blended where detection is unsure),
    label by label."""
    index = scores["transformer"].index
    routes = [route_text(text, default, per_language, unsure, label_weights)["label_weights"]
              for text in frame.loc[index, "text"]]  # fmt: skip
    weights = label_weight_arrays(routes, scores)
    parts = [member.loc[index, list(LABELS)] * weights[name] for name, member in scores.items()]
    return sum(parts[1:], parts[0])


def member_dirs(args) -> dict[str, Path]:
    members = {"baseline": resolve_model_dir(args.baseline), "transformer": resolve_model_dir(args.transformer)}
    embedding = resolve_model_dir(args.embedding)
    if args.embedding != "none" and (args.embedding != "embedding" or is_embedding_dir(embedding)):
        members["embedding"] = embedding  # the shipped one where it exists; a named one always
    return members


def main(argv=None) -> int:
    args = parse_args(argv)
    frame = build_dataset(args.data_dir)
    members = member_dirs(args)
    check_unseen_languages(args.unseen_language_embedding, frame, members)  # before hours of scoring
    sample = (args.max_eval_rows, args.max_validation_rows, args.max_test_rows)
    scores = {name: score_folds(load_model(path), frame, *sample) for name, path in members.items()}
    index = scores["baseline"].index
    # Fitted on the scale the ensemble averages on: ROC-AUC ranks the mean, so the weights are the served ones.
    logit = args.combine == "logit"
    scores = {name: to_log_odds(member.loc[index]) if logit else member.loc[index] for name, member in scores.items()}
    validation = frame.loc[index][frame.loc[index, "fold"] == "validation"]
    readable = baseline_languages(members["baseline"])
    unseen = None
    if args.unseen_language_embedding:
        unseen = unseen_language_fit(frame, validation, scores, args.unseen_language_embedding, logit)
    default, per_language = fit_language_weights(validation, scores, readable, args.tolerance, unseen)
    per_label = fit_label_weights(validation, scores, readable, args.tolerance) if args.weights_per == "label" else {}
    mean = routed(frame, scores, default, per_language, args.unsure, per_label)
    report = report_from_scores("ensemble", frame, from_log_odds(mean) if logit else mean)
    # what the default weights were fitted on: these languages' validation rows, the embedding read by these models
    # (none: every validation row, read by the members)
    report["default_weights_fitted_on"] = {"embedding_without": {
        lang: str(path) for lang, path in sorted(args.unseen_language_embedding.items())}}  # fmt: skip
    directory = Path(args.ensemble_dir) if args.ensemble_dir else resolve_model_dir("ensemble")
    save_ensemble(directory, members, default, report["thresholds"], per_language, args.combine, args.unsure, per_label)
    write_report(directory, report)
    print(json.dumps({"default": default, "per_language": per_language, "per_label": per_label}))
    for split, content in report["splits"].items():
        print(f"{split}: macro ROC-AUC {content['metrics']['macro']['roc_auc']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
