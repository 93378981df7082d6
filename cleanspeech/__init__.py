"""CleanSpeech: multilingual toxicity detection with explanations and polite rewrites, fully offline.

>>> import cleanspeech
>>> cleanspeech.predict(["You are a disgusting idiot."])          # doctest: +SKIP
   toxic  severe_toxic  obscene  threat  insult  identity_hate
0  0.99   ...
"""

from .errors import CleanSpeechError, DataFileNotFound, InputError, ModelNotFound
from .labels import ID2LABEL, LABEL2ID, LABELS
from .models import available_models, flagged_labels, load_model, predict

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
