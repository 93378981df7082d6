"""CleanSpeech: multilingual toxicity detection with explanations and polite rewrites, fully offline.

>>> import cleanspeech
>>> cleanspeech.predict(["You are a disgusting idiot."])          # doctest: +SKIP
   toxic  severe_toxic  obscene  threat  insult  identity_hate
0  0.99   ...

The package, by concern (each subpackage's docstring says what it owns and what it may import):
`classifiers` (the models and the registry), `serving` (batched and CSV scoring), `explain` (word attributions),
`rewrite` (polite rewrites), `data` (corpora and licences), `evaluation` (metrics and reports), `training` (what
`scripts/train.py` is built from), and the core modules `labels`, `errors`, `paths`, `text`. Importing it is cheap:
torch and scikit-learn load with the first model.
"""

from .classifiers import available_models, flagged_labels, load_model, predict
from .errors import CleanSpeechError, DataFileNotFound, InputError, ModelNotFound
from .labels import ID2LABEL, LABEL2ID, LABELS

__all__ = [
    "LABELS",
    "ID2LABEL",
    "LABEL2ID",
    "predict",
    "load_model",
    "available_models",
    "flagged_labels",
    "CleanSpeechError",
    "DataFileNotFound",
    "InputError",
    "ModelNotFound",
]
__version__ = "0.1.0"
