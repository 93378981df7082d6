"""The six Jigsaw toxicity labels, defined once for the whole project.

Every model, data loader, metric and page takes its label order from here; `ID2LABEL`/`LABEL2ID` are derived so a
transformer config and the baseline always agree on which output column means what.
"""

LABELS: tuple[str, ...] = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
LABEL2ID: dict[str, int] = {label: i for i, label in ID2LABEL.items()}
# Labels whose flag also flags `toxic`, so a flag list never names one without it: the graver labels (a severely toxic
# comment, a threat, an identity attack is toxic; Jigsaw's annotators marked 92-100% of such rows so). With them the
# F1-tuned toxic thresholds stay where they were (within 0.003). `obscene` overlaps toxic so much that with it they
# would move (the transformer's 0.49 -> 0.58) and would have to be tuned with the rule; `insult` lowered the
# ensemble's validation toxic F1 (docs/results.md, "Flags that imply toxic").
IMPLIES_TOXIC: tuple[str, ...] = ("severe_toxic", "threat", "identity_hate")
# Plain names a moderator reads (the app, verdict reasons); data, files and APIs keep Jigsaw's names above.
LABEL_NAMES: dict[str, str] = {
    "toxic": "Toxic",
    "severe_toxic": "Severely toxic",
    "obscene": "Obscene",
    "threat": "Threat",
    "insult": "Insult",
    "identity_hate": "Identity attack",
}
