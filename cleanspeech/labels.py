"""The six Jigsaw toxicity labels, defined once for the whole project.

Every model, data loader, metric and page takes its label order from here; `ID2LABEL`/`LABEL2ID` are derived so a
transformer config and the baseline always agree on which output column means what.
"""

LABELS: tuple[str, ...] = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
LABEL2ID: dict[str, int] = {label: i for i, label in ID2LABEL.items()}
# Labels whose flag also flags `toxic`, so a flag list never names one without it: Jigsaw's labels nest (its annotators
# marked 92-100% of the severe_toxic, obscene, threat and identity_hate rows toxic), and toxic's threshold is tuned
# for F1 with these flags counted (`evaluation.metrics.tune_thresholds`). `obscene` lets it rise where profanity is
# caught anyway (the transformer's 0.49 -> 0.58), so fewer clean comments that only name a group are flagged.
# `insult` is left out: most of its added flags fell on comments ToLD-Br and GermEval did not call offensive
# (docs/results.md, "Flags that imply toxic").
IMPLIES_TOXIC: tuple[str, ...] = ("severe_toxic", "obscene", "threat", "identity_hate")
# Plain names a moderator reads (the app, verdict reasons); data, files and APIs keep Jigsaw's names above.
LABEL_NAMES: dict[str, str] = {
    "toxic": "Toxic",
    "severe_toxic": "Severely toxic",
    "obscene": "Obscene",
    "threat": "Threat",
    "insult": "Insult",
    "identity_hate": "Identity attack",
}


def is_threshold(value) -> bool:
    """Whether `value` can be a label's threshold: a number from 0 to 1, and not true or false (which Python counts
    as 1 and 0: a policy threshold of false sent every comment to review)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
