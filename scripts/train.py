"""Fine-tune a transformer for CleanSpeech's six labels with HF Accelerate (CPU, one GPU, many GPUs, many nodes).

    python scripts/train.py                                        # mDeBERTa-v3-base, the seed recipe
    accelerate launch --config_file scripts/accelerate_2gpu_fp16.yaml scripts/train.py
    python scripts/train.py --model path/to/encoder --max-length 128 --max-train-samples 20000 --eval-every 200
    python scripts/train.py --resume                                # continue a killed run from its last checkpoint

Layout follows Accelerate's nlp_example: `get_dataloaders`, `training_function`, `main`; one `accelerator.prepare`;
`gather_for_metrics` for evaluation; `save_state` for resumable checkpoints (runs/<name>/checkpoint) and
`save_pretrained` for the best model (output dir: model, tokenizer, thresholds.json, metrics.json, history.json,
training_config.json), which `transformers.pipeline("text-classification", top_k=None)` loads with sigmoid scores.
"""

import sys
import time

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from cleanspeech.errors import CleanSpeechError
from cleanspeech.paths import REPO_ROOT
from cleanspeech.train_config import build_parser, load_config
from cleanspeech.training import (
    CommentDataset,
    LengthGroupedBatches,
    class_weights,
    freeze_parameters,
    make_collate,
    masked_weighted_bce,
)
from cleanspeech.training_run import (
    RunState,
    TrainingError,
    encode,
    evaluation_record,
    load_backbone,
    load_training_frame,
    predict_test_file,
    save_best_model,
)


def get_dataloaders(accelerator, config, tokenizer, frame):
    """Length-grouped training batches and length-sorted validation batches, padded per batch."""
    pad_multiple = 8 if accelerator.mixed_precision in ("fp16", "bf16") else None
    collate = make_collate(tokenizer, pad_multiple)
    train_rows, val_rows = frame[frame["fold"] == "train"], frame[frame["fold"] == "validation"]
    train_set = CommentDataset(*encode(tokenizer, train_rows, config))
    val_set = CommentDataset(*encode(tokenizer, val_rows, config))
    sampler = LengthGroupedBatches(train_set.lengths, config.batch_size, config.seed)
    val_batches = LengthGroupedBatches(val_set.lengths, config.eval_batch_size, config.seed, shuffle=False)
    train_dl = DataLoader(train_set, batch_sampler=sampler, collate_fn=collate)
    val_dl = DataLoader(val_set, batch_sampler=val_batches, collate_fn=collate)
    return train_dl, val_dl, sampler


def evaluate(model, val_dl, accelerator, weights) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Logits and targets of the whole validation set, gathered from every process in dataset order."""
    model.eval()
    all_logits, all_targets = [], []
    for batch in val_dl:
        targets = batch.pop("labels")
        with torch.no_grad():
            logits = model(**batch).logits
        logits, targets = accelerator.gather_for_metrics((logits.float(), targets))
        all_logits.append(logits.cpu())
        all_targets.append(targets.cpu())
    model.train()
    logits, targets = torch.cat(all_logits), torch.cat(all_targets)
    return logits, targets, float(masked_weighted_bce(logits, targets, weights))


def training_function(config) -> dict:
    mixed = config.mixed_precision
    if mixed == "auto":
        mixed = "fp16" if torch.cuda.is_available() else "no"
    accelerator = Accelerator(
        cpu=config.cpu, mixed_precision=mixed, gradient_accumulation_steps=config.gradient_accumulation_steps
    )
    set_seed(config.seed)
    log = accelerator.print
    frame = load_training_frame(config)
    model, tokenizer = load_backbone(config)
    frozen = freeze_parameters(model, config.freeze_embeddings, config.freeze_word_embeddings, config.freeze_layers)
    train_dl, val_dl, sampler = get_dataloaders(accelerator, config, tokenizer, frame)
    weights = class_weights(frame.loc[frame["fold"] == "train"])
    log(f"training rows {len(train_dl.dataset):,}, validation rows {len(val_dl.dataset):,}, frozen params {frozen:,}")
    log("class weights: " + ", ".join(f"{w:.3f}" for w in weights.tolist()))

    steps_per_epoch = -(-len(train_dl) // config.gradient_accumulation_steps)
    total_steps = min(config.max_steps or 10**12, steps_per_epoch * config.epochs)
    no_decay = ("bias", "LayerNorm.weight", "layernorm.weight", "norm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if p.requires_grad and not n.endswith(no_decay)],
            "weight_decay": config.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if p.requires_grad and n.endswith(no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
    model, optimizer, train_dl, val_dl, scheduler = accelerator.prepare(model, optimizer, train_dl, val_dl, scheduler)

    state = RunState.start(config, accelerator)
    eval_every = config.eval_every or steps_per_epoch
    progress = tqdm(total=total_steps, initial=state.global_step, disable=not accelerator.is_local_main_process)
    clock, samples_since_eval, loss_sum, loss_count = time.perf_counter(), 0, 0.0, 0
    model.train()
    while state.epoch < config.epochs and not state.finished:
        sampler.use_epoch(state.epoch)
        batches = accelerator.skip_first_batches(train_dl, state.batches_done) if state.batches_done else train_dl
        for batch in batches:
            with accelerator.accumulate(model):
                targets = batch.pop("labels")
                loss = masked_weighted_bce(model(**batch).logits, targets, weights)
                check_finite(loss, accelerator, state.global_step)
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            state.batches_done += 1
            state.samples_local += len(targets)
            samples_since_eval += len(targets) * accelerator.num_processes
            loss_sum, loss_count = loss_sum + loss.detach().item(), loss_count + 1
            if not accelerator.sync_gradients:
                continue
            state.global_step += 1
            progress.update(1)
            progress.set_postfix(loss=f"{loss_sum / loss_count:.4f}", epoch=state.epoch)
            last_step = state.global_step >= total_steps
            if state.global_step % eval_every == 0 or last_step:
                train_loss = float(
                    accelerator.reduce(torch.tensor(loss_sum / loss_count, device=accelerator.device), "mean")
                )
                seconds = time.perf_counter() - clock  # training time only: evaluation is not throughput
                logits, val_targets, val_loss = evaluate(model, val_dl, accelerator, weights)
                record = evaluation_record(
                    state,
                    len(train_dl),
                    logits,
                    val_targets,
                    train_loss,
                    val_loss,
                    scheduler.get_last_lr()[0],
                    samples_since_eval / seconds,
                )
                improved = state.record(record, config.patience)
                log(
                    f"step {state.global_step}: val macro ROC-AUC {record['roc_auc']['macro']:.4f}, "
                    f"val loss {val_loss:.4f}, train loss {train_loss:.4f}, {record['samples_per_s']:.1f} samples/s"
                )
                if improved:
                    save_best_model(accelerator, model, tokenizer, config, state, logits, val_targets, frozen)
                state.finished = last_step or state.bad_evaluations >= config.patience
                if state.bad_evaluations >= config.patience:
                    state.early_stopped_at = state.global_step
                    log(
                        f"early stopping: no improvement for {config.patience} evaluations "
                        f"(best step {state.best_step})"
                    )
                state.save(accelerator, config)
                clock, samples_since_eval, loss_sum, loss_count = time.perf_counter(), 0, 0.0, 0
                if state.finished:
                    break
        else:
            state.epoch, state.batches_done = state.epoch + 1, 0
    progress.close()
    counts = accelerator.gather(torch.tensor([state.samples_local], device=accelerator.device)).tolist()
    state.finish(accelerator, config, counts)
    accelerator.wait_for_everyone()
    if config.predict_test and accelerator.is_main_process:
        predict_test_file(config)
    return {**state.summary(counts), "is_main_process": accelerator.is_main_process}


def check_finite(loss: torch.Tensor, accelerator, step: int) -> None:
    """Stop every process at once when any of them sees a NaN/inf loss (never train on silently)."""
    bad = torch.tensor(0.0 if torch.isfinite(loss) else 1.0, device=accelerator.device)
    if accelerator.num_processes > 1:
        bad = accelerator.reduce(bad, "sum")
    if bad.item():
        raise TrainingError(
            f"the loss became NaN/inf at step {step}: lower --learning-rate, or train in fp32 (--mixed-precision no)"
        )


def main(argv=None) -> int:
    parser = build_parser(__doc__)
    try:
        config = load_config(parser.parse_args(argv)).resolve_paths(REPO_ROOT)
        summary = training_function(config)
    except CleanSpeechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if summary["is_main_process"]:
        best = f"{summary['best_score']:.4f} at step {summary['best_step']}"
        print(f"best validation macro ROC-AUC {best}; model in {config.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
