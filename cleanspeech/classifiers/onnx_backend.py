"""Serve a CleanSpeech transformer with ONNX Runtime, in fp32 or fused with dynamic per-channel int8 quantisation.

The graph takes `inputs_embeds` rather than token ids: the word-embedding lookup is a numpy gather from the table the
PyTorch model already holds. That keeps the exported file small (e5-small: ~85 MB fp32, ~22 MB int8 instead of
~470 MB with its 250k-token table) and quick to build, so it is built on first use from the shipped model into a
cache directory (`CLEANSPEECH_CACHE`, else ~/.cache/cleanspeech) and reused while the model files are unchanged.

Which backend a shipped model uses by default is decided once, on validation data, by
`scripts/evaluate_transformer.py`: int8 only where it keeps macro ROC-AUC within `MAX_AUC_LOSS` of PyTorch and flags
at most `MAX_FLAG_CHANGE` of the comments differently (`backend.json` beside the model records the measurement).
`$CLEANSPEECH_TRANSFORMER_BACKEND` overrides that choice, e.g. int8 for throughput.
"""

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from filelock import FileLock

from .._io import import_optional
from ..errors import InputError
from ..paths import cache_root
from ..sysinfo import available_cores
from .files import BACKEND_FILE, network_files

__all__ = [
    "BACKENDS",
    "BACKEND_FILE",
    "BACKEND_VARIABLE",
    "choose_backend",
    "default_backend",
    "load_onnx_classifier",
    "onnx_available",
]

BACKENDS = ("torch", "onnx", "onnx-int8")
MAX_AUC_LOSS = 0.002  # int8 is used only when it costs at most this much validation macro ROC-AUC
# ... and changes the flag (any label over its threshold) of at most this share of validation comments. Dynamic int8
# moves single scores by up to 0.6 while ROC-AUC barely moves (measured on the shipped model: 2.5% of 3,000 comments
# flagged differently at -0.0009 AUC), and by how much depends on the CPU's integer kernels (AVX2 without VNNI
# saturates u8 x s8 products; VNNI and AMX do not), so a moderation decision would depend on the machine.
MAX_FLAG_CHANGE = 0.005
OPSET = 17
# Overrides backend.json: every command, the app and the service load the transformer with "auto".
BACKEND_VARIABLE = "CLEANSPEECH_TRANSFORMER_BACKEND"
GRAPH_RECIPE = "fused-per-channel-int8"  # part of the cache key: a change in how graphs are built rebuilds them


def model_fingerprint(model_dir: Path) -> str:
    """A hash of the files that define the network, so a retrained model never reuses a stale graph."""
    digest = hashlib.sha256(GRAPH_RECIPE.encode())
    for path in network_files(model_dir):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


class _EmbedsToLogits(torch.nn.Module):
    """The classifier from input embeddings (what the exported graph computes)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, inputs_embeds, attention_mask):
        return self.model(inputs_embeds=inputs_embeds, attention_mask=attention_mask).logits


def export_onnx(model, path: Path) -> Path:
    """Export `model` (a sequence classifier) to an fp32 ONNX graph with dynamic batch and sequence axes."""
    wrapper = _EmbedsToLogits(model.eval())
    hidden = model.get_input_embeddings().weight.shape[1]
    example = (torch.randn(2, 16, hidden), torch.ones(2, 16, dtype=torch.int64))
    axes = {"inputs_embeds": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shape checks that the dynamic axes make harmless
        torch.onnx.export(
            wrapper,
            example,
            str(path),
            input_names=["inputs_embeds", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={**axes, "logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter handles dynamic axes of HF encoders without extra packages
        )
    return path


def quantize_int8(source: Path, target: Path, heads: int, hidden: int) -> Path:
    """Fuse the graph for BERT (onnxruntime's transformer optimizer: SkipLayerNormalization, BiasGelu), then quantise
    its MatMul weights to int8 per output channel (activations are quantised per batch at run time).

    Measured on the shipped e5 (3,000 validation rows): plain per-tensor int8 lost 0.0105 macro ROC-AUC, per-channel
    int8 0.0085, the fused graph with per-channel int8 +0.0009 (+0.0004 on a second sample of 3,000).
    """
    import logging

    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    fused = target.with_name("fused.onnx")
    optimize_model(str(source), model_type="bert", num_heads=heads, hidden_size=hidden).save_model_to_file(str(fused))
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it logs a pre-processing hint meant for CNNs on the root logger
    try:
        quantize_dynamic(
            str(fused),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},  # fused ops have no inferred output type
        )
    finally:
        root.setLevel(level)
        fused.unlink(missing_ok=True)
    return target


def build_graphs(model, model_dir: Path) -> Path:
    """Build (once) the fp32 and int8 graphs of a model directory into the cache; returns their folder."""
    folder = cache_root() / "onnx" / model_fingerprint(model_dir)
    if (folder / "model-int8.onnx").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    # One process builds, the others wait and read its graphs: service replicas (or the app beside the CLI) starting
    # on a cold cache would each spend the build (6 s of CPU for e5 on 2 cores) to keep one result.
    with FileLock(folder.parent / f".{folder.name}.lock"):
        if not (folder / "model-int8.onnx").is_file():
            _build_into(model, folder)
    return folder


def _build_into(model, folder: Path) -> None:
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".building-"))
    try:
        export_onnx(model, staging / "model.onnx")
        config = model.config
        quantize_int8(
            staging / "model.onnx", staging / "model-int8.onnx", config.num_attention_heads, config.hidden_size
        )
        staging.rename(folder)  # atomic: a reader outside the lock sees no graph or a whole one
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone after the rename; else what a failed build left


class OnnxClassifier:
    """`logits(input_ids, attention_mask)` through ONNX Runtime, the embedding gather in numpy.

    With `workers` > 1 it holds that many single-threaded sessions, and `logits_one_by_one` runs windows on them side
    by side: for int8, whose windows must run alone, that beat one two-threaded session by 1.5x on 2 cores (a short
    window leaves a second intra-op thread mostly waiting).
    """

    def __init__(self, graph: Path, word_table: np.ndarray, threads: int | None = None, workers: int = 1):
        import onnxruntime as ort

        self.workers = max(1, workers)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1 if self.workers > 1 else threads or 0  # 0: one thread per core
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        provider = ["CPUExecutionProvider"]
        self.sessions = [ort.InferenceSession(str(graph), options, providers=provider) for _ in range(self.workers)]
        self.word_table = word_table
        self._pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray, session: int = 0) -> np.ndarray:
        feeds = {"inputs_embeds": self.word_table[input_ids], "attention_mask": attention_mask.astype(np.int64)}
        return self.sessions[session].run(["logits"], feeds)[0]

    def logits_one_by_one(self, windows: list[list[int]]) -> np.ndarray:
        """Logits of each window run alone (a batch of one), spread over the sessions; in the order given."""

        def run_share(worker: int) -> list[np.ndarray]:
            share = windows[worker :: self.workers]  # interleaved: length-sorted input gives every worker a fair share
            return [self.logits(np.asarray([ids]), np.ones((1, len(ids))), worker)[0] for ids in share]

        shares = [run_share(0)] if self._pool is None else self._pool.map(run_share, range(self.workers))
        out = [None] * len(windows)
        for worker, logits in enumerate(shares):
            out[worker :: self.workers] = logits
        return np.stack(out)


def load_onnx_classifier(model, model_dir: Path, backend: str, threads: int | None = None) -> OnnxClassifier:
    import_optional("onnxruntime", "onnx", f"the {backend} backend")
    folder = build_graphs(model, Path(model_dir))
    graph = folder / ("model-int8.onnx" if backend == "onnx-int8" else "model.onnx")
    word_table = model.get_input_embeddings().weight.detach().float().numpy()
    # int8 runs one window at a time (see TransformerModel), so it gets one single-threaded session per core.
    workers = (threads or available_cores()) if backend == "onnx-int8" else 1
    return OnnxClassifier(graph, word_table, threads, workers)


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def default_backend(model_dir: Path) -> str:
    """The backend `$CLEANSPEECH_TRANSFORMER_BACKEND` names where it is set, else the one measured best for this model
    (backend.json), else PyTorch."""
    named = os.environ.get(BACKEND_VARIABLE, "").strip().lower()
    if named:
        if named not in BACKENDS:
            raise InputError(f"{BACKEND_VARIABLE}={named!r} is not a backend: choose one of {', '.join(BACKENDS)}")
        return named
    path = Path(model_dir) / BACKEND_FILE
    if not path.is_file():
        return "torch"
    chosen = json.loads(path.read_text()).get("backend", "torch")
    if chosen not in BACKENDS or (chosen != "torch" and not onnx_available()):
        return "torch"
    return chosen


def choose_backend(auc_by_backend: dict[str, float], flag_changes: dict[str, float] | None = None) -> str:
    """int8 if it loses at most MAX_AUC_LOSS macro ROC-AUC against PyTorch and, where measured (`flag_changes`: the
    share of comments a backend flags differently from PyTorch), changes at most MAX_FLAG_CHANGE of the flags; else
    fp32 ONNX under the same rule; else PyTorch."""
    reference, flag_changes = auc_by_backend["torch"], flag_changes or {}
    for backend in ("onnx-int8", "onnx"):
        if backend not in auc_by_backend:
            continue
        if reference - auc_by_backend[backend] <= MAX_AUC_LOSS and flag_changes.get(backend, 0.0) <= MAX_FLAG_CHANGE:
            return backend
    return "torch"
