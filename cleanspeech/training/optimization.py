"""How a run optimises: the Accelerator (device, processes, mixed precision) and AdamW with its schedule."""

import torch
from accelerate import Accelerator
from transformers import get_linear_schedule_with_warmup

from ..sysinfo import native_cpu_bf16


def make_accelerator(config) -> Accelerator:
    mixed = config.mixed_precision
    if mixed == "auto":
        mixed = "fp16" if torch.cuda.is_available() and not config.cpu else "bf16" if native_cpu_bf16() else "no"
    accumulation = config.gradient_accumulation_steps
    return Accelerator(cpu=config.cpu, mixed_precision=mixed, gradient_accumulation_steps=accumulation)


def make_optimizer(model, config, total_steps: int):
    """AdamW without weight decay on biases, norms and the word table; linear warm-up then linear decay to zero.

    Decay would shrink every row of the word table at every step, the rows of the many tokens training never sees
    included; left alone they stay e5's, so a packed model stores only the rows training moved.
    """
    no_decay = ("bias", "LayerNorm.weight", "layernorm.weight", "norm.weight", "word_embeddings.weight")
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in trainable if not n.endswith(no_decay)], "weight_decay": config.weight_decay},
        {"params": [p for n, p in trainable if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
    return optimizer, scheduler
