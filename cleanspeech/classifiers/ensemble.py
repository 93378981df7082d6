"""The ensemble: a weighted mean of other models' scores, with thresholds tuned for the mean.

The mean is taken over probabilities by default. `combine="logit"` takes it over log-odds instead and maps it back
to a probability, so that a confident member's 0.999 counts for more than a 0.9 (the members are calibrated
differently: the embedding model's heads are class-balanced, the transformer's are not). Measured on the shipped
members it scored higher on Jigsaw and on most per-language sets and passed more of the functional suite, but flagged
more benign identity sentences and more counter-speech at the tuned thresholds, so it is not the default
(docs/training.md, "Averaging log-odds"). Files without `combine` hold a probability mean.

Weights can depend on the comment's language (`language_weights`, fitted per language on validation data): the
comment's language is detected (`cleanspeech.languages`) and its weights used, so a language the baseline cannot
read gets none of its say. Within a language, each label its validation comments measure can have a mix of its own
(`label_weights`): the members read the labels unequally well (the embedding model reads an attack on a group best,
the transformer obscenity), and one mix fitted on the mean over the labels gives each member the same say on all six.
A comment is routed by its language only where the detector is sure of it
(`ROUTING_CONFIDENCE`); an unlisted language gets the members' default weights, in which `scripts/fit_ensemble.py`
gives the baseline nothing, and so does an undetermined one (no language clearly ahead). A comment read as one of
the languages, but unsurely, gets every language's weights in proportion to the detector's probability for it
(`unsure="blend"`): "Je suis queer." (French 0.81 to the detector) gets most of French's weights, where the default
weights had left out the baseline, the one member that read it as benign. Files written before blending (no
`unsure`) keep the default weights there (`unsure="default"`).

`ensemble.json` names each member by its directory, relative to the ensemble's own directory where it can be, so an
ensemble written anywhere (a run folder, a test's temporary directory) loads its own members, and a `models/`
folder moved as a whole still loads. Files written before members had paths (`{"weights": {name: w}}`) still load:
each name is read as a sibling directory.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ModelNotFound
from ..labels import LABELS
from .files import ENSEMBLE_FILE
from .protocol import Classifier, indexed_like, text_list

# A comment gets its detected language's weights outright only where the detector gives that language at least this
# probability. On the validation rows, detection above 0.9 was right 99.98% of the time and below it 89%; a Spanish
# or Italian comment misread as Portuguese got half the baseline's say, which cannot read it, and cost the ensemble
# up to 0.004 ROC-AUC against the transformer alone on the Spanish and Italian sets (docs/training.md). Under it,
# blending (`route_text`) gives such a comment only the share of Portuguese's weights that its probability says,
# which brings part of that cost back (HatEval) for what it gives French and Portuguese (docs/training.md).
ROUTING_CONFIDENCE = 0.9
COMBINE = "mean"  # how scores are averaged: "mean" (probabilities; files without `combine`) or "logit" (log-odds)
COMBINES = ("logit", "mean")
UNSURE = "blend"  # an uncertain language's comment: "blend" each language's weights by its probability, or "default"
UNSURE_RULES = ("blend", "default")
_EPS = 1e-6  # probabilities are clipped to [eps, 1 - eps] before log-odds: a member's 0 or 1 stays finite


def _checked_unsure(unsure: str) -> str:
    if unsure not in UNSURE_RULES:
        raise ValueError(f"unsure must be one of {', '.join(UNSURE_RULES)}, not {unsure!r}")
    return unsure


def _checked_combine(combine: str) -> str:
    if combine not in COMBINES:
        raise ValueError(f"combine must be one of {', '.join(COMBINES)}, not {combine!r}")
    return combine


def to_log_odds(scores: pd.DataFrame) -> pd.DataFrame:
    """Probabilities as log-odds (clipped to ±13.8), in float64."""
    p = scores.astype("float64").clip(_EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def from_log_odds(scores: pd.DataFrame) -> pd.DataFrame:
    """Log-odds as probabilities, in float32 (what the members return)."""
    return (1 / (1 + np.exp(-scores))).astype("float32")


def routing_language(text: str) -> tuple[str, str]:
    """(the detected language, the language whose weights the comment gets outright: `und` where detection is
    unsure or the text is in a language outside the candidates, "nl"; `route_text` says what it gets then)."""
    return _routing(text)[:2]


def _routing(text: str) -> tuple[str, str, dict[str, float]]:
    from ..languages import UNDETERMINED, decide, default_detector

    other, probabilities = default_detector().read(text)
    if other:  # clearly a language outside the candidates: named, and weighed as undetermined
        return other, UNDETERMINED, probabilities
    language, confidence = decide(probabilities)
    return language, language if confidence >= ROUTING_CONFIDENCE else UNDETERMINED, probabilities


def route_text(text: str, default: dict[str, float], language_weights: dict[str, dict[str, float]],
               unsure: str = UNSURE, label_weights: dict | None = None) -> dict:  # fmt: skip
    """The routing rule, for a loaded ensemble and for one being fitted: {language (detected; text clearly in a
    language outside the candidates is named, "nl", and weighed as undetermined), routed_as (`und` where detection is
    unsure), weights (the members' say), label_weights (their say on each label: `weights` but
    where the language has weights for that label), blended (whether they are a blend)}. A surely detected
    language gets its weights (unlisted: the default ones); one detected unsurely, with `unsure="blend"`, the mean of
    every language's weights weighted by the detector's probabilities, and with `unsure="default"` the default
    weights; an undetermined one (no language clearly ahead) the default weights."""
    from ..languages import UNDETERMINED

    language, routed_as, probabilities = _routing(text)
    label_weights = label_weights or {}
    # Only a comment read as one of the languages, unsurely, is blended. An undetermined one ("ok", an emoji, a
    # language outside the candidates, spread over all of them) keeps the default weights: blending would give the
    # baseline a say over text it cannot read.
    blended = routed_as == UNDETERMINED and language in probabilities and unsure == "blend" and bool(language_weights)
    if not blended:
        weights = weights_for(routed_as, default, language_weights)
        per_label = weights_by_label(routed_as, default, language_weights, label_weights)
    else:
        weights = _blend(default, probabilities, {c: weights_for(c, default, language_weights) for c in probabilities})
        by_code = {c: weights_by_label(c, default, language_weights, label_weights) for c in probabilities}
        per_label = {label: _blend(default, probabilities, {c: mixes[label] for c, mixes in by_code.items()})
                     for label in LABELS}  # fmt: skip
    return {"language": language, "routed_as": routed_as, "weights": weights, "label_weights": per_label,
            "blended": blended}  # fmt: skip


def _blend(default: dict[str, float], probabilities: dict[str, float], mixes: dict[str, dict[str, float]]) -> dict:
    """The members' weights as the mean of each language's mix (`mixes`), weighted by the detector's probability."""
    blend = dict.fromkeys(default, 0.0)
    for code, p in probabilities.items():
        for name, w in mixes[code].items():
            blend[name] = blend.get(name, 0.0) + p * w
    return blend


class EnsembleModel:
    """The weighted mean of other models' scores (log-odds or probabilities, `combine`), with thresholds tuned for
    the mean."""

    name = "ensemble"

    def __init__(self, members: dict, weights: dict[str, float], thresholds: dict[str, float],
                 language_weights: dict[str, dict[str, float]] | None = None, combine: str = "mean",
                 unsure: str = UNSURE, label_weights: dict | None = None):  # fmt: skip
        self.members, self.weights, self.thresholds = members, weights, thresholds
        self.language_weights = language_weights or {}
        self.label_weights = label_weights or {}
        self.combine = _checked_combine(combine)
        self.unsure = _checked_unsure(unsure)

    @classmethod
    def load(cls, directory, load_member: Callable[[Path], Classifier], loaded: dict | None = None) -> "EnsembleModel":
        """Load from `directory`, each member with `load_member(path)` (the registry's `load_model`); members
        already in `loaded` (name -> model) are reused, not loaded again."""
        directory = Path(directory)
        spec = json.loads((directory / ENSEMBLE_FILE).read_text())
        loaded = loaded or {}
        members = {}
        for name, path in member_paths(directory, spec).items():
            if name in loaded:
                members[name] = loaded[name]
            elif path.is_dir():
                members[name] = load_member(path)
            else:
                raise ModelNotFound(f"{directory / ENSEMBLE_FILE}: member '{name}' not found at {path}")
        weights = {name: float(w) for name, w in _weights(spec).items()}
        thresholds = {label: float(spec["thresholds"][label]) for label in LABELS}
        combine, unsure = spec.get("combine", "mean"), spec.get("unsure", "default")
        return cls(
            members, weights, thresholds, spec.get("language_weights"), combine, unsure, spec.get("label_weights")
        )

    def route(self, texts) -> list[dict]:
        """Per text: its detected language, the language it is routed as (`und` where detection is unsure) and the
        weight each member gets, in the language's mix and on each label (`route_text`)."""
        texts = text_list(texts)
        return [route_text(t, self.weights, self.language_weights, self.unsure, self.label_weights) for t in texts]

    def predict_proba(self, texts) -> pd.DataFrame:
        return indexed_like(texts, self._mean_of_members(text_list(texts)))

    def _mean_of_members(self, texts: list[str]) -> pd.DataFrame:
        if not texts:
            return pd.DataFrame(columns=list(LABELS), dtype="float32")
        # One set of weights: nothing to detect.
        if self.language_weights or self.label_weights:
            routes = [r["label_weights"] for r in self.route(texts)]
        else:
            routes = [dict.fromkeys(LABELS, self.weights)] * len(texts)
        weights = label_weight_arrays(routes, self.members)
        total = sum(weights.values())
        parts, dtype = [], "float32"
        for name, w in weights.items():
            if w.any():  # a member no comment gives a say is not run
                scores = self.members[name].predict_proba(texts)[list(LABELS)]
                dtype = scores.dtypes.iloc[0]
                scores = to_log_odds(scores) if self.combine == "logit" else scores.astype("float64")
                parts.append(scores * (w / total))
        mean = sum(parts[1:], parts[0])
        return from_log_odds(mean) if self.combine == "logit" else mean.astype(dtype)


def weights_for(language: str, default: dict[str, float], language_weights: dict[str, dict[str, float]]) -> dict:
    """A listed language's weights, else the default ones (`und`, the detector's "not sure", is never listed); the
    whole routing rule, blends included, is `route_text`."""
    return language_weights.get(language, default)


def label_weight_arrays(routes: list[dict[str, dict[str, float]]], members) -> dict[str, np.ndarray]:
    """{member: its weight per text (rows) and label (columns, in LABELS' order)} from each text's route
    `label_weights`: a language may weigh its members differently on each label."""
    return {name: np.array([[r[label].get(name, 0.0) for label in LABELS] for r in routes], dtype="float64")
            for name in members}  # fmt: skip


def weights_by_label(
    language: str,
    default: dict[str, float],
    language_weights: dict[str, dict[str, float]],
    label_weights: dict[str, dict[str, dict[str, float]]],
) -> dict[str, dict[str, float]]:
    """{label: the members' weights on it} for `language`: its weights for a label where it has them, else its
    weights (`weights_for`)."""
    weights, own = weights_for(language, default, language_weights), label_weights.get(language, {})
    return {label: own.get(label, weights) for label in LABELS}


def _weights(spec: dict) -> dict[str, float]:
    if "members" in spec:
        return {member["name"]: member["weight"] for member in spec["members"]}
    return spec["weights"]


def member_paths(directory: Path, spec: dict) -> dict[str, Path]:
    """Each member's directory: as stored (relative to the ensemble's directory), or a sibling named like it."""
    if "members" in spec:
        return {member["name"]: (directory / member["path"]).resolve() for member in spec["members"]}
    return {name: directory.parent / name for name in spec["weights"]}


def save_ensemble(directory, members: dict[str, Path], weights: dict[str, float], thresholds: dict,
                  language_weights: dict[str, dict[str, float]] | None = None,
                  combine: str = COMBINE, unsure: str = UNSURE,
                  label_weights: dict[str, dict[str, dict[str, float]]] | None = None) -> Path:  # fmt: skip
    """Write `ensemble.json`: members as {name: directory}, their default weights, per-language weights where
    given, per-label weights of a language where given, how scores are averaged (`combine`), how an unsure language
    is weighed (`unsure`) and the thresholds tuned for the mean."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spec = {
        "members": [
            {"name": name, "path": _relative(Path(path), directory), "weight": float(weights[name])}
            for name, path in members.items()
        ],
        "combine": _checked_combine(combine),
        "unsure": _checked_unsure(unsure),
        "thresholds": {label: float(thresholds[label]) for label in LABELS},
    }
    if language_weights:
        spec["language_weights"] = {lang: {n: float(w) for n, w in ws.items()} for lang, ws in language_weights.items()}
    if label_weights:
        spec["label_weights"] = {lang: {label: {n: float(w) for n, w in ws.items()} for label, ws in labels.items()}
                                 for lang, labels in label_weights.items()}  # fmt: skip
    path = directory / ENSEMBLE_FILE
    path.write_text(json.dumps(spec, separators=(",", ":")) + "\n")
    return path


def _relative(path: Path, start: Path) -> str:
    """`path` relative to `start` where both sit on one drive (always, on POSIX), else absolute."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:
        return str(path.resolve())
