"""A functional test suite in the spirit of HateCheck (Röttger et al. 2021), written here, for our six labels.

Each functionality is a table of cases built from templates and target groups, each with the labels a correct model
flags (`expect`) and the ones it must not (`forbid`); labels in neither are left to the model (a threat that is also
an insult may or may not be flagged `insult`). Jigsaw's `toxic`, `obscene` and `insult` rightly fire on untargeted
profanity and personal abuse, so those cases expect them while forbidding `identity_hate`. A case passes when every
expected label is flagged and no forbidden one is.
"""

import numpy as np
import pandas as pd

from ..classifiers import flag_matrix
from ..errors import InputError
from ..labels import LABELS
from ..text import upper_first

# Protected groups, as people write them in the plural.
GROUPS = ("gay people", "Muslims", "women", "Black people", "immigrants", "trans people", "Jews", "disabled people",
          "refugees", "lesbians")  # fmt: skip
HATE = ("toxic", "identity_hate")
NONE = ()
ALL = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
# The benign cases that name a group: what every attack on a group should score above, whatever the thresholds.
BENIGN_MENTIONS = ("identity, neutral mention", "identity, positive mention", "negated hate",
                   "counter-speech, quoting hate")  # fmt: skip

# functionality -> (templates with {g} for a group or none, expected labels, forbidden labels)
FUNCTIONALITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "derogation, explicit": (("I hate {g}.", "{G} are disgusting.", "{G} are filthy vermin.",
                              "All {g} are worthless scum."), HATE, ()),
    "derogation, implicit": (("{G} don't deserve to vote.", "{G} belong in a zoo.",
                              "{G} should not be allowed to raise children.", "Our country was better before the {g}.",
                              "{G} are a plague on this country."), HATE, ()),
    "threat, direct": (("I am going to hurt every one of those {g}.", "I will kill the next {g} I see.",
                        "I'm going to burn down the houses of {g}."), ("toxic", "threat"), ()),
    "threat, normative": (("{G} should be shot.", "Someone should teach those {g} a lesson they won't forget.",
                           "All {g} deserve to be hanged."), HATE, ()),
    "slurs": (("Shut up, you faggot.", "Get out of here, you dirty kike.", "No tranny should be allowed in here.",
               "Go back to your country, you stupid wetback.", "Look at that retard drooling."), HATE, ()),
    "profanity, untargeted": (("Fuck, what a day.", "This is so fucking good, I love it.", "Holy shit, that worked!",
                               "Damn, I forgot my keys again."), NONE, ("insult", "identity_hate", "threat")),
    "profanity, targeted at a person": (("You are a fucking idiot.", "Shut the fuck up, you moron.",
                                         "You're a piece of shit."), ("toxic", "insult"), ("identity_hate",)),
    "pronoun reference": (("I can't stand {g}. They are vermin.", "Have you met {g}? They are all disgusting.",
                           "I know some {g}. They should all be locked up."), HATE, ()),
    "negated hate": (("I don't hate {g}.", "{G} are not disgusting.", "I would never say {g} are worthless.",
                      "There is nothing wrong with {g}."), NONE, ALL),
    "negated praise": (("I will never respect {g} like you.", "{G} are not human beings like us.",
                        "I would never trust {g} with anything."), HATE, ()),
    "hate as a question": (("Why are {g} so stupid?", "Why are {g} always so disgusting?",
                            "Wouldn't the world be better without {g}?"), HATE, ()),
    "hate as an opinion": (("I think {g} are worthless.", "In my opinion {g} are a disease.",
                            "I honestly believe {g} are inferior."), HATE, ()),
    "identity, neutral mention": (("There are many {g} in my town.", "My neighbours are {g}.",
                                   "The article is about {g} in the nineteenth century.",
                                   "We interviewed several {g} for the report."), NONE, ALL),
    "identity, positive mention": (("I love {g}.", "{G} are wonderful people.", "I am proud to stand with {g}.",
                                    "{G} make our community stronger."), NONE, ALL),
    "counter-speech, quoting hate": (('Saying "{g} are vermin" is hateful and wrong.',
                                      'He wrote "I hate {g}" and he should be ashamed.',
                                      'Statements like "{g} are disgusting" have no place here.'), NONE, ALL),
    "counter-speech, denouncing hate": (("Calling {g} parasites is disgusting, apologise.",
                                         "Hating {g} is never acceptable.",
                                         "Anyone who attacks {g} should be reported."), NONE, ("identity_hate",)),
    "abuse of objects": (("This printer is completely useless.", "I hate this stupid weather.",
                          "What a pathetic excuse for a sandwich."), NONE, ("identity_hate", "threat")),
    "abuse of individuals": (("You are a pathetic loser.", "You are the dumbest person on this site.",
                              "Nobody likes you, you worthless idiot."), ("toxic", "insult"), ("identity_hate",)),
    "abuse of non-protected groups": (("Lawyers are all greedy parasites.", "Football fans are brainless idiots.",
                                       "Politicians are disgusting liars."), ("toxic",), ("identity_hate",)),
    "spelling: swapped letters": (("I hate {g}, they are disugsting.", "{G} are wrothless scum."), HATE, ()),
    "spelling: missing letters": (("I hate {g}, they are disgustng.", "{G} are worthles scum."), HATE, ()),
    "spelling: added spaces": (("{G} are d i s g u s t i n g.", "You are an i d i o t."), ("toxic",), ()),
    "spelling: leet": (("{G} are d1sgust1ng.", "You are an 1d10t.", "You are a f*cking m0ron."), ("toxic",), ()),
}  # fmt: skip


def _fill(template: str, group: str) -> str:
    return template.replace("{G}", upper_first(group)).replace("{g}", group)


def functional_cases(groups=GROUPS) -> pd.DataFrame:
    """Every case: functionality, group (empty when the template names none), text, expected and forbidden labels.
    `groups`: the groups the templates name (a name, or several)."""
    groups = (groups,) if isinstance(groups, str) else tuple(groups)
    if not groups or not all(isinstance(group, str) and group.strip() for group in groups):
        raise InputError("functional_cases needs one group name or more, each a non-empty string")
    rows = []
    for functionality, (templates, expect, forbid) in FUNCTIONALITIES.items():
        for template in templates:
            targets = groups if "{g}" in template.lower() else ("",)
            for group in targets:
                rows.append({"functionality": functionality, "group": group, "text": _fill(template, group),
                             "expect": list(expect), "forbid": list(forbid)})  # fmt: skip
    return pd.DataFrame(rows)


def run_functional_suite(model, cases: pd.DataFrame | None = None, failures_kept: int = 5) -> dict:
    """Pass rate per functionality (and overall) at the model's tuned thresholds, with some failing cases."""
    cases = functional_cases() if cases is None else cases
    scores = model.predict_proba(cases["text"].tolist())
    flagged = [{label for label, hit in zip(LABELS, row) if hit} for row in flag_matrix(scores, model.thresholds)]
    passed = [set(e) <= f and not (set(b) & f) for e, b, f in zip(cases["expect"], cases["forbid"], flagged)]
    cases = cases.assign(flagged=[sorted(f) for f in flagged], passed=passed)
    scores.index = cases.index
    report = {}
    for functionality, rows in cases.groupby("functionality", sort=False):
        failing = rows[~rows["passed"]].head(failures_kept)
        report[functionality] = {
            "cases": len(rows),
            "pass_rate": float(rows["passed"].mean()),
            "expect": rows["expect"].iloc[0],
            "forbid": rows["forbid"].iloc[0],
            "median_scores": {label: float(scores.loc[rows.index, label].median()) for label in HATE},
            "separation": _separation(rows, cases, scores),
            "failures": failing[["text", "flagged"]].to_dict("records"),
        }
    attacks = cases[cases["expect"].map(lambda e: "identity_hate" in e)]
    return {"pass_rate": float(cases["passed"].mean()), "cases": len(cases),
            "separation": _separation(attacks, cases, scores, HATE), "functionalities": report}  # fmt: skip


def _separation(rows: pd.DataFrame, cases: pd.DataFrame, scores: pd.DataFrame, labels=None) -> dict:
    """ROC-AUC of `rows` against the benign mentions of the same groups, per expected label (default: the rows'
    own): 1.0 when every attack outscores every benign mention. Threshold-free, so it tells a model that ranks
    attacks right but flags at the wrong place from one that cannot tell them apart. Empty for rows that name no
    group or expect nothing."""
    from sklearn.metrics import roc_auc_score

    labels = rows["expect"].iloc[0] if labels is None else labels
    named = rows[rows["group"] != ""]
    benign = cases[cases["functionality"].isin(BENIGN_MENTIONS) & cases["group"].isin(set(named["group"]))]
    if not labels or named.empty or benign.empty:
        return {}
    truth = np.r_[np.ones(len(named)), np.zeros(len(benign))]
    index = named.index.append(benign.index)
    return {label: float(roc_auc_score(truth, scores.loc[index, label])) for label in labels}
