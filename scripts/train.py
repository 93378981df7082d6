"""Fine-tune a transformer for CleanSpeech's six labels with HF Accelerate (CPU, one GPU, many GPUs, many nodes).

    python scripts/train.py                                        # mDeBERTa-v3-base, the seed recipe
    accelerate launch --config_file scripts/accelerate_2gpu_fp16.yaml scripts/train.py
    python scripts/train.py --model path/to/encoder --max-length 128 --max-train-samples 20000 --eval-every 200
    python scripts/train.py --resume                                # continue a killed run from its last checkpoint

Layout follows Accelerate's nlp_example: `get_dataloaders`, `training_function`, `main`; one `accelerator.prepare`;
`gather_for_metrics` for evaluation; `save_state` for resumable checkpoints (runs/<name>/checkpoint) and
`save_pretrained` for the best model (output dir: model, tokenizer, thresholds.json, metrics.json, history.json,
training_config.json), which `transformers.pipeline("text-classification", top_k=None)` loads with sigmoid scores.
`--save-last` also saves the model where the run stops, the same way, in runs/<name>/last.
"""

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from cleanspeech._io import run_main
from cleanspeech.paths import runs_dir
from cleanspeech.training import (
    CommentDataset,
    LengthGroupedBatches,
    RunState,
    TrainingError,
    Window,
    class_weights,
    encode,
    evaluation_record,
    freeze_parameters,
    load_backbone,
    load_training_frame,
    make_collate,
    masked_weighted_bce,
    oversample_positives,
    parse_oversampling,
    predict_test_file,
    save_best_model,
)
from cleanspeech.training.backbone import check_local_models
from cleanspeech.training.batching import encode_twins
from cleanspeech.training.config import build_parser, load_config
from cleanspeech.training.distillation import anchored_rows, check_distillation, distillation_loss, load_teacher
from cleanspeech.training.optimization import make_accelerator, make_optimizer
from cleanspeech.training.pairing import logit_pairing_loss, twin_texts, with_counterfactual_copies


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def get_dataloaders(accelerator, config, tokenizer, frame, repeats: dict[str, int]):
    """Length-grouped training batches (rare positives repeated), length-sorted validation ones; padded per batch."""
    pad_multiple = 8 if accelerator.mixed_precision in ("fp16", "bf16") else None
    collate = make_collate(tokenizer, pad_multiple)
    train_rows, val_rows = frame[frame["fold"] == "train"], frame[frame["fold"] == "validation"]
    train_rows = oversample_positives(with_counterfactual_copies(train_rows, config), repeats)
    twins = encode_twins(tokenizer, twin_texts(train_rows, config.seed), config) if config.clp_weight else None
    real = anchored_rows(train_rows)  # the real comments: the teacher's rows, the rest identity-mitigation rows
    anchors = real if config.distill_from else None
    train_set = CommentDataset(*encode(tokenizer, train_rows, config), twins=twins, anchors=anchors)
    train_set.copies = int((~real).sum())
    val_set = CommentDataset(*encode(tokenizer, val_rows, config))
    sampler = LengthGroupedBatches(train_set.lengths, config.batch_size, config.seed)
    val_batches = LengthGroupedBatches(val_set.lengths, config.eval_batch_size, config.seed, shuffle=False)
    # Own generators: a DataLoader draws a seed from torch's global generator each time it starts iterating, and a
    # resumed run starts one where the uninterrupted run did not, which would shift every later dropout mask.
    train_dl = DataLoader(train_set, batch_sampler=sampler, collate_fn=collate, generator=_generator(config.seed))
    val_dl = DataLoader(val_set, batch_sampler=val_batches, collate_fn=collate, generator=_generator(config.seed))
    return train_dl, val_dl, sampler


def evaluate(model, val_dl, accelerator, weights) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Logits of the whole validation set with their targets, gathered from every process (duplicates dropped)."""
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


@dataclass
class Run:
    """What the loop and its evaluations share."""

    accelerator: Accelerator
    config: object
    model: torch.nn.Module
    tokenizer: object
    val_dl: DataLoader
    scheduler: object
    weights: torch.Tensor
    state: RunState
    frozen: int
    total_steps: int
    eval_every: int
    batches_per_epoch: int
    teacher: torch.nn.Module | None = None  # distill_from: scores anchoring the real rows
    started: float = field(default_factory=time.monotonic)

    def out_of_time(self) -> bool:
        """Past --time-limit-minutes: the step just taken is the last of this process (evaluated, checkpointed, the
        best model saved); the run is not finished, so `--resume` goes on from there.

        Every process must stop at the same step, so with several the slowest clock's answer is shared."""
        limit = self.config.time_limit_minutes
        if not limit:
            return False
        late = time.monotonic() - self.started >= 60 * limit
        if self.accelerator.num_processes > 1:
            flag = torch.tensor(float(late), device=self.accelerator.device)
            late = bool(self.accelerator.reduce(flag, "max").item())
        return late


def training_function(config) -> dict:
    repeats = parse_oversampling(config.oversample)  # a bad --oversample fails now, not after the model has loaded
    check_distillation(config)
    check_local_models(config)
    accelerator = make_accelerator(config)
    set_seed(config.seed)
    frame = load_training_frame(config)
    model, tokenizer = load_backbone(config)
    teacher = load_teacher(config, model, tokenizer, accelerator.device) if config.distill_from else None
    frozen = freeze_parameters(model, config.freeze_embeddings, config.freeze_word_embeddings, config.freeze_layers)
    train_dl, val_dl, sampler = get_dataloaders(accelerator, config, tokenizer, frame, repeats)
    # Weights come from the rows as they are: oversampling adds updates for rare positives on top of them.
    weights = class_weights(frame.loc[frame["fold"] == "train"], config.class_weight_power)
    accelerator.print(
        f"training rows {len(train_dl.dataset) - train_dl.dataset.copies:,} (+{train_dl.dataset.copies:,} "
        f"identity-mitigation rows), validation rows {len(val_dl.dataset):,}, "
        f"frozen params {frozen:,}; class weights " + ", ".join(f"{w:.3f}" for w in weights.tolist())
    )
    steps_per_epoch = -(-len(train_dl) // config.gradient_accumulation_steps)
    total_steps = min(config.max_steps or 10**12, steps_per_epoch * config.epochs)
    optimizer, scheduler = make_optimizer(model, config, total_steps)
    model, optimizer, train_dl, val_dl, scheduler = accelerator.prepare(model, optimizer, train_dl, val_dl, scheduler)
    state = RunState.start(config, accelerator)
    run = Run(
        accelerator,
        config,
        model,
        tokenizer,
        val_dl,
        scheduler,
        weights,
        state,
        frozen,
        total_steps,
        config.eval_every or steps_per_epoch,
        len(train_dl),
        teacher,
    )
    train_loop(run, train_dl, sampler, optimizer)
    counts = accelerator.gather(torch.tensor([state.samples_local], device=accelerator.device)).tolist()
    state.finish(accelerator, config, counts)
    accelerator.wait_for_everyone()
    if config.predict_test and accelerator.is_main_process:
        predict_test_file(config)
    return {**state.summary(counts), "is_main_process": accelerator.is_main_process}


def train_loop(run: Run, train_dl, sampler, optimizer) -> None:
    accelerator, state, config = run.accelerator, run.state, run.config
    # In a log (a background run, a GPU job) a bar redrawn ten times a second buries the evaluation lines: every 30 s.
    refresh = 0.1 if sys.stderr.isatty() else 30
    progress = tqdm(
        total=run.total_steps,
        initial=state.global_step,
        disable=not accelerator.is_local_main_process,
        mininterval=refresh,
    )
    window = Window()
    run.model.train()
    stopped = state.finished
    while state.epoch < config.epochs and not stopped:
        sampler.use_epoch(state.epoch)  # the same batches in the same order, resumed or not
        batches = accelerator.skip_first_batches(train_dl, state.batches_done) if state.batches_done else train_dl
        for batch in batches:
            with accelerator.accumulate(run.model):
                loss, label_loss, comments = batch_loss(run, batch)
                check_finite(loss, accelerator, state.global_step)
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(run.model.parameters(), config.max_grad_norm)
                optimizer.step()
                run.scheduler.step()
                optimizer.zero_grad()
            state.batches_done += 1
            state.samples_local += comments
            window.add(loss.detach(), comments * accelerator.num_processes, label_loss.detach())
            if not accelerator.sync_gradients:
                continue
            state.global_step += 1
            progress.update(1)
            progress.set_postfix(loss=f"{window.loss_sum / window.batches:.4f}", epoch=state.epoch, refresh=False)
            last_step, out_of_time = state.global_step >= run.total_steps, run.out_of_time()
            if state.global_step % run.eval_every == 0 or last_step or out_of_time:
                state.finished = evaluate_and_checkpoint(run, window, last_step, out_of_time)
                window = Window()
                stopped = state.finished or out_of_time  # out of time: not finished, --resume goes on
                if stopped:
                    break
        else:
            state.epoch, state.batches_done = state.epoch + 1, 0
    progress.close()


def batch_loss(run: Run, batch: dict) -> tuple[torch.Tensor, torch.Tensor, int]:
    """The batch's objective (labels, logit pairing, the teacher's terms), the labels' part of it, and its number of
    comments (twins are not samples of their own)."""
    config = run.config
    targets = batch.pop("labels")
    pairs = batch.pop("pairs", torch.empty(0, 2, dtype=torch.long))
    anchor = batch.pop("anchor", None)
    outputs = run.model(**batch, output_hidden_states=bool(config.distill_features))
    loss = label_loss = masked_weighted_bce(outputs.logits, targets, run.weights)
    if config.clp_weight:
        loss = loss + config.clp_weight * logit_pairing_loss(outputs.logits, pairs)
    if run.teacher is not None:
        loss = loss + distillation_loss(run, outputs, batch, anchor)
    return loss, label_loss, len(targets) - len(pairs)


def evaluate_and_checkpoint(run: Run, window: Window, last_step: bool, out_of_time: bool = False) -> bool:
    """Evaluate, record, save the best model (and, stopping, the last), checkpoint; True when training is done."""
    accelerator, state, config = run.accelerator, run.state, run.config
    seconds = time.perf_counter() - window.started  # training time only: evaluation is not throughput
    objective, train_loss = window.mean_losses(accelerator)
    logits, targets, val_loss = evaluate(run.model, run.val_dl, accelerator, run.weights)
    lr = run.scheduler.get_last_lr()[0]
    record = evaluation_record(
        state, run.batches_per_epoch, logits, targets, train_loss, val_loss, lr, window.samples / seconds, objective
    )
    improved = state.record(record, config.patience)
    accelerator.print(
        f"step {state.global_step}: val macro ROC-AUC {record['roc_auc']['macro']:.4f}, val loss "
        f"{val_loss:.4f}, train loss {train_loss:.4f} (objective {objective:.4f}), {record['samples_per_s']:.1f} "
        "samples/s"
    )
    if improved:
        save_best_model(accelerator, run.model, run.tokenizer, config, state, logits, targets, run.frozen)
    stop_early = state.bad_evaluations >= config.patience
    if stop_early:
        state.early_stopped_at = state.global_step
        accelerator.print(
            f"early stopping: no improvement for {config.patience} evaluations (best step {state.best_step})"
        )
    state.finished = last_step or stop_early
    if (state.finished or out_of_time) and config.save_last:  # where this process ends (a resumed run moves it)
        last = Path(config.run_dir) / "last"
        save_best_model(accelerator, run.model, run.tokenizer, config, state, logits, targets, run.frozen, last)
    state.save(accelerator, config)
    return state.finished


def check_finite(loss: torch.Tensor, accelerator, step: int) -> None:
    """Stop every process at once when any of them sees a NaN/inf loss (never train on silently)."""
    bad = torch.tensor(0.0 if torch.isfinite(loss) else 1.0, device=accelerator.device)
    if accelerator.num_processes > 1:
        bad = accelerator.reduce(bad, "sum")
    if bad.item():
        raise TrainingError(
            f"the loss became NaN/inf at step {step}: lower --learning-rate, or train in fp32 (--mixed-precision no)"
        )


def _main(argv=None) -> int:
    parser = build_parser(__doc__)
    config = load_config(parser.parse_args(argv)).resolve_paths(runs_dir())
    summary = training_function(config)
    if summary["is_main_process"]:
        best = f"{summary['best_score']:.4f} at step {summary['best_step']}"
        print(f"best validation macro ROC-AUC {best}; model in {config.output_dir}")
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


if __name__ == "__main__":
    sys.exit(main())
