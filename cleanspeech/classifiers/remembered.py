"""Scores remembered by text, for a run that scores the same comments with several models.

A report on every shipped model scores each member, then the ensemble, which runs its members again on the same
texts. `remember_scores(models)` wraps each model so that a text it has scored once is read from memory after that,
and gives each ensemble among them the wrapped members, so that the ensemble's pass costs only its arithmetic. Meant
for a bounded run (an evaluation, a report): memory grows with the distinct texts scored (six floats each).
"""

import copy

import numpy as np
import pandas as pd

from ..labels import LABELS


class RememberedModel:
    """A classifier that scores each distinct text once; everything but `predict_proba` is the wrapped model's."""

    def __init__(self, model):
        self.model = model
        self._rows: dict[str, np.ndarray] = {}
        self._dtype = np.dtype("float32")

    def __getattr__(self, attribute):  # name, thresholds, route, ...: the model's own
        if attribute == "model":  # not set yet (a copy being built): no endless lookup
            raise AttributeError(attribute)
        return getattr(self.model, attribute)

    def predict_proba(self, texts) -> pd.DataFrame:
        texts = [texts] if isinstance(texts, str) else list(texts)
        new = [text for text in dict.fromkeys(texts) if text not in self._rows]
        if new:
            scores = self.model.predict_proba(new)[list(LABELS)]
            self._dtype = scores.dtypes.iloc[0]
            self._rows.update(zip(new, scores.to_numpy()))
        if not texts:
            return pd.DataFrame(columns=list(LABELS), dtype=self._dtype)
        return pd.DataFrame(np.stack([self._rows[text] for text in texts]), columns=list(LABELS), dtype=self._dtype)


def remember_scores(models: dict) -> dict:
    """`models` (name -> model, as `load_models` gives them) each wrapped in a `RememberedModel`; an ensemble whose
    members are among them gets a copy that reads those members through their wrappers. The models given are not
    changed."""
    wrapped = {id(model): RememberedModel(model) for model in models.values()}
    for model in models.values():
        members = getattr(model, "members", None)
        if members and any(id(member) in wrapped for member in members.values()):
            ensemble = copy.copy(model)
            ensemble.members = {name: wrapped.get(id(member), member) for name, member in members.items()}
            wrapped[id(model)].model = ensemble
    return {name: wrapped[id(model)] for name, model in models.items()}
