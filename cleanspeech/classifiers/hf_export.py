"""Export a CleanSpeech transformer as a standalone Hugging Face directory (`python -m cleanspeech export-model`).

The result is what `transformers.pipeline("text-classification", model=DIR, top_k=None)` loads on any machine, with
the model's text prefix baked into the tokenizer and the training records (thresholds, metrics) beside it.
"""

import shutil
from pathlib import Path

from .files import TRAINING_RECORD_FILES, clear_replaced_model, readable_as_written
from .transformer import TransformerModel


def export_model(source, out_dir) -> Path:
    """A standalone Hugging Face directory (model, tokenizer, thresholds) from a shipped or trained model."""
    source, out_dir = Path(source), Path(out_dir)
    loaded = TransformerModel.load(source)
    config, tokenizer = loaded.model.config, loaded.tokenizer  # the loaded model's own: changed here, then dropped
    settings = {k: v for k, v in (getattr(config, "cleanspeech", None) or {}).items() if k != "base_encoder"}
    if settings.get("text_prefix"):
        # Bake the prefix into the tokenizer so a plain pipeline over raw comments sees what training saw.
        from tokenizers import normalizers

        backend = tokenizer.backend_tokenizer
        backend.normalizer = normalizers.Sequence([normalizers.Prepend(settings["text_prefix"]), backend.normalizer])
        settings["text_prefix"] = ""
    config.cleanspeech = settings
    clear_replaced_model(out_dir)  # a compact model or records left there would be read instead of, or with, this one
    loaded.model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    for name in TRAINING_RECORD_FILES:
        if (source / name).is_file():
            shutil.copy(source / name, out_dir / name)
    readable_as_written(out_dir)
    return out_dir
