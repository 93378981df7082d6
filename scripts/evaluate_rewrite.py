"""Evaluate the rewriters on ParaDetox's held-out part: STA, SIM, FL, chrF and J (see cleanspeech.rewrite.metrics).

    python scripts/evaluate_rewrite.py                        # held-out ParaDetox -> models/rewriter/evaluation.json
    python scripts/evaluate_rewrite.py --limit 200            # a quick look
    python scripts/evaluate_rewrite.py --input toxic.csv --column text --output-dir out/   # any CSV of toxic sentences
    GEMINI_API_KEY=... python scripts/evaluate_rewrite.py --gemini                         # Gemini as well

Systems, each rewriting every held-out toxic sentence:
- copy: the input unchanged (the floor for SIM and FL; STA is the share the judge already passes);
- delete: every lexicon phrase deleted, no classifier (the classic "delete toxic words" floor);
- local: the offline rewriter (`cleanspeech.rewrite.local`);
- gemini: with --gemini and a key;
- reference: the first human rewrite (its chrF is against the other rewrites, on sentences that have two or more).
The fluency model trains on the human rewrites of the development part (nine tenths of it) and is calibrated on
the other tenth, so no held-out sentence or rewrite shapes any system or metric.
"""

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech._io import at_least, run_main
from cleanspeech.classifiers import load_model
from cleanspeech.data.paradetox import read_paradetox, read_sentences_csv
from cleanspeech.errors import CleanSpeechError
from cleanspeech.paths import models_dir
from cleanspeech.rewrite import REWRITER_DIR, load_lexicon, load_rewriter
from cleanspeech.rewrite.local import Edit
from cleanspeech.rewrite.metrics import FluencyScorer, SentenceEncoder, chrf, style_accuracy

EXAMPLES = 25


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory with paradetox/ (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--input", help="a CSV of toxic sentences to evaluate instead of ParaDetox's held-out part")
    p.add_argument("--column", default="toxic", help="the toxic-sentence column of --input (default: toxic)")
    p.add_argument("--limit", type=at_least(0), default=0, help="evaluate the first N sentences only (0: all)")
    p.add_argument("--gemini", action="store_true", help="also evaluate Gemini (needs GEMINI_API_KEY)")
    p.add_argument("--output-dir", default=str(models_dir() / REWRITER_DIR), help="default: models/rewriter")
    return p.parse_args(argv)


def delete_floor(lexicon, text: str) -> str:
    """Every lexicon phrase deleted, right to left, with the same spacing repairs as the rewriter (cut plainly where
    the rewriter would refuse the deletion as leaving a broken sentence: a floor deletes); never empty."""
    out = text
    for start, end, _ in reversed(lexicon.matches(text)):
        out = Edit(start, end, "", 0.0).apply(out) or f"{out[:start].rstrip()}{out[end:]}"
    return out if out.strip(" .,!?") else text


def fluency_scorer(paradetox: pd.DataFrame) -> FluencyScorer:
    dev = paradetox[~paradetox["held_out"]]
    calibration = dev["toxic"].map(lambda t: hashlib.md5(f"fluency {t}".encode()).digest()[0] % 10 == 0)
    train = [r for refs in dev.loc[~calibration, "references"] for r in refs]
    held = [r for refs in dev.loc[calibration, "references"] for r in refs]
    return FluencyScorer(train, held)


def score_system(outputs, sources, references, judges, encoder, fluency) -> tuple[dict, dict]:
    judge, second_judge = judges
    sta, sim, fl = style_accuracy(judge, outputs), encoder.similarity(sources, outputs), fluency(outputs)
    joint = sta * sim * fl
    summary = {
        "STA": float(sta.mean()),
        # The local rewriter searches against the transformer, so its STA there is optimistic; the baseline, which
        # only ranks words for it, is a second opinion.
        "STA_baseline": float(style_accuracy(second_judge, outputs).mean()),
        "SIM": float(sim.mean()),
        "FL": float(fl.mean()),
        "chrF": chrf(outputs, references) if any(references) else None,
        "J": float(joint.mean()),
        "changed": float(np.mean([o != s for o, s in zip(outputs, sources)])),
    }
    return summary, {"STA": sta, "SIM": sim, "FL": fl, "J": joint}


def run_systems(frame, rewriter, lexicon, use_gemini: bool) -> tuple[dict, dict]:
    systems, seconds = {"copy": list(frame["toxic"])}, {}
    systems["delete"] = [delete_floor(lexicon, t) for t in frame["toxic"]]
    start = time.perf_counter()
    systems["local"] = [rewriter.local.rewrite_text(t)[0] for t in frame["toxic"]]
    seconds["local"] = time.perf_counter() - start
    if use_gemini:
        start = time.perf_counter()
        systems["gemini"] = [rewriter.rewrite(t, "gemini").rewrite for t in frame["toxic"]]
        seconds["gemini"] = time.perf_counter() - start
    return systems, seconds


def evaluate(frame, paradetox, use_gemini=False) -> dict:
    judges = load_model("transformer"), load_model("baseline")
    rewriter, lexicon = load_rewriter(judge=judges[0], guide=judges[1]), load_lexicon()
    if use_gemini and rewriter.gemini is None:
        raise CleanSpeechError("--gemini needs GEMINI_API_KEY (or GOOGLE_API_KEY)")
    systems, seconds = run_systems(frame, rewriter, lexicon, use_gemini)
    encoder, fluency = SentenceEncoder(), fluency_scorer(paradetox)
    sources, references = list(frame["toxic"]), list(frame["references"])
    results, per_sentence = {}, {}
    for name, outputs in systems.items():
        results[name], per_sentence[name] = score_system(outputs, sources, references, judges, encoder, fluency)
    multi = [i for i, refs in enumerate(references) if len(refs) >= 2]
    if multi:  # human rewrites, each first one judged against the others
        firsts = [references[i][0] for i in multi]
        summary, per_sentence["reference"] = score_system(
            firsts, [sources[i] for i in multi], [references[i][1:] for i in multi], judges, encoder, fluency
        )
        results["reference"] = {**summary, "sentences": len(multi)}
    for name, took in seconds.items():
        results[name]["sentences_per_s"] = len(frame) / took
    examples = [
        {"toxic": sources[i], **{name: systems[name][i] for name in systems}, "references": references[i]}
        for i in range(min(EXAMPLES, len(frame)))
    ]
    return {"sentences": len(frame), "systems": results, "examples": examples}


def _main(argv=None) -> int:
    args = parse_args(argv)
    paradetox = read_paradetox(args.data_dir)
    if args.input:
        frame, what = read_sentences_csv(args.input, args.column), args.input
    else:
        frame, what = paradetox[paradetox["held_out"]].reset_index(drop=True), "ParaDetox held-out part"
    frame = frame.head(args.limit) if args.limit else frame
    report = {"data": what, **evaluate(frame, paradetox, args.gemini)}
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    table = pd.DataFrame(report["systems"]).T
    print(f"{report['sentences']} sentences of {what}\n{table.round(3).to_string()}\n-> {out / 'evaluation.json'}")
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


if __name__ == "__main__":
    sys.exit(main())
