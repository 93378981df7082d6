"""Scores remembered, for a run that scores the same comments with several models.

A report on every shipped model scores each member, then the ensemble, which runs its members again on the same
texts. `remember_scores(models)` wraps each model so that a list of texts it has scored once is read from memory when
it is asked again, and gives each ensemble among them the wrapped members, so that the ensemble's pass costs only its
arithmetic. Whole calls are remembered, not single texts: the ensemble asks its members for exactly the lists the
report gave them, and a model's score of a comment can differ in the last bits with the comments batched beside it,
so a remembered call returns what running it again would. Meant for a bounded run (an evaluation, a report): memory
grows with the scores kept (six floats a text).
"""

import copy

import pandas as pd

from .protocol import text_list


class RememberedModel:
    """A classifier that runs each distinct list of texts once; everything but `predict_proba` is the wrapped
    model's."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self._calls: dict[tuple[str, ...], pd.DataFrame] = {}

    def __getattr__(self, attribute):  # name, thresholds, route, ...: the wrapped model's own
        if attribute == "wrapped":  # not set yet (a copy being built): no endless lookup
            raise AttributeError(attribute)
        return getattr(self.wrapped, attribute)

    def predict_proba(self, texts) -> pd.DataFrame:
        key = tuple(text_list(texts))
        if key not in self._calls:
            self._calls[key] = self.wrapped.predict_proba(list(key))
        return self._calls[key].copy()  # a caller may change what it gets; the memory stays as scored


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
            wrapped[id(model)].wrapped = ensemble
    return {name: wrapped[id(model)] for name, model in models.items()}
