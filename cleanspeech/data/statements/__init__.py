"""Identity statements written for training: what the corpora we may ship lack, in every language we serve.

The corpora hold few attacks on a group that use no swear word ("[group] are a cancer on society"), and fewer
benign sentences that use the words of hate around a group (denials, counter-speech, quotations). A model trained
on them learns that profanity means toxic and that a named group means toxic, and misses the rest. These
sentences supply both sides, in the same words and frames: each language module (`en`, `de`, `fr`, `es`, `it`,
`pt`) holds its groups, attacks without profanity and their negations, first-person threats, first-person
hostility and its benign twin, neutral and positive statements, counter-speech frames and sentences about a
person's identity, in the third person and the first. All of it is our own writing, and none of it is a sentence
of the evaluation sets (`evaluation.functional`, `evaluation.identity_templates`; a test keeps it so), so those
sets still measure what a model learned rather than what it was shown. Real held-out comments
(`evaluation.fairness`) remain the independent check.

Labels: an attack is `toxic` and `identity_hate` (and `threat` where it threatens violence), not `obscene`; whether
it is also an `insult` or `severe_toxic` is left unknown (masked in training). Everything else is benign on all six.
"""

import numpy as np
import pandas as pd

from ...errors import InputError
from ...labels import LABELS
from ...text import upper_first
from . import de, en, es, fr, it, pt

GRAMMARS = {"en": en, "de": de, "fr": fr, "es": es, "it": it, "pt": pt}
# Sentences per language for the transformer's training script. Off by default: on the CPU recipes they raised its
# BPSN AUC but also its false positives on benign identity sentences at the tuned thresholds (docs/training.md). The
# baseline's script uses 600 benign ones per language (scripts/train_baseline.py).
DEFAULT_STATEMENTS = 0
LICENCE = "written for CleanSpeech (this repository's licence)"
ID_MARK = "~stmt"  # in the id of every statement row (data.counterfactual.MITIGATION_ID_MARKS)
# Share of each kind among a language's sentences: attacks, first-person threats, benign statements about a group,
# benign sentences that deny, quote or denounce an attack, sentences about one man's or woman's identity, and the
# speaker's own ("I'm a lesbian and new to this forum"): without these the seventh pass flagged people who said who
# they were, though it had learned to spare third-person mentions.
# First-person hostility ("I could never respect {g}") comes with its benign twin ("I have always respected {g}"),
# drawn as often, so that the speaker's stance rather than the group carries the label.
# Toxic kinds are drawn 35% of the time: in a language with no other training rows the statements alone set how toxic
# a sentence naming a group looks, and at 50% the transformer flagged half of the benign German identity templates.
# Duplicates are skipped and the benign kinds hold fewer distinct sentences, so toxic ones end up 36-42% of the
# sentences of a language (36-39% of 600, 42% of 1,500).
_KINDS = {"attack": 0.22, "threat": 0.04, "attitude": 0.09, "benign": 0.22, "benign_frame": 0.20, "regard": 0.09,
          "person": 0.07, "self": 0.07}  # fmt: skip
_TOXIC_KINDS = ("attack", "threat", "attitude")  # left out in languages not in `attack_languages`
# Outright denials ("No, Muslims are not a threat to anyone.") as a kind of their own, this share of the draw
# (`--identity-statement-denials`; more where a language has no attacks and the benign kinds share the draw; among
# the benign frames they are about 2% of a language's sentences). Off: at 0.08 the embedding model passed more of the
# negated hate and counter-speech it never saw but flagged more held-out real comments that name a group
# (docs/training.md, "Denials drawn on their own").
DEFAULT_DENIALS = 0.0
MAX_DENIALS = 0.4  # taken half from the benign statements (0.22), half from the benign frames (0.20)


def _around_attack(frame: str, group: str, vp: str, **more: str) -> str:
    """`frame` filled around the attack "<group> <vp>": {S}/{s} the attack, {g}/{G} the group, and `more`."""
    sentence = f"{group} {vp}"
    return upper_first(frame.format(S=upper_first(sentence), s=sentence, g=group, G=upper_first(group), **more))


def _attack(grammar, rng: np.random.Generator) -> tuple[str, bool]:
    group, pronoun = grammar.GROUPS[rng.integers(len(grammar.GROUPS))]
    vp, _, threat = grammar.ATTACKS[rng.integers(len(grammar.ATTACKS))]
    frame = grammar.ATTACK_FRAMES[rng.integers(len(grammar.ATTACK_FRAMES))]
    they = upper_first(f"{pronoun} {vp}".strip())  # pronoun and verb phrase, or the verb phrase alone (pro-drop)
    return _around_attack(frame, group, vp, they=they), threat


def _benign_frame(grammar, rng: np.random.Generator, frames) -> str:
    """An attack quoted, denied or denounced in one of `frames` (the grammar's BENIGN_FRAMES or DENIAL_FRAMES)."""
    group, _ = grammar.GROUPS[rng.integers(len(grammar.GROUPS))]
    vp, negated, _ = grammar.ATTACKS[rng.integers(len(grammar.ATTACKS))]
    frame = frames[rng.integers(len(frames))]
    return _around_attack(frame, group, vp, neg=negated)


def _statement(grammar, kind: str, rng: np.random.Generator) -> tuple[str, dict[str, float]]:
    """One sentence of `kind` and its labels (NaN: unknown)."""
    benign = dict.fromkeys(LABELS, 0.0)
    attack = benign | {"toxic": 1.0, "identity_hate": 1.0, "insult": np.nan, "severe_toxic": np.nan}
    group = grammar.GROUPS[rng.integers(len(grammar.GROUPS))][0]
    if kind == "attack":
        text, threat = _attack(grammar, rng)
        return text, attack | {"threat": float(threat)}
    if kind == "threat":
        template = grammar.THREATS[rng.integers(len(grammar.THREATS))]
        return upper_first(template.format(g=group)), attack | {"threat": 1.0}
    if kind == "benign":
        vp = grammar.BENIGN[rng.integers(len(grammar.BENIGN))]
        return upper_first(f"{group} {vp}."), benign
    if kind in ("benign_frame", "denial"):
        return _benign_frame(grammar, rng, grammar.DENIAL_FRAMES if kind == "denial" else grammar.BENIGN_FRAMES), benign
    if kind in ("attitude", "regard"):
        hostile, kindly = grammar.ATTITUDES[rng.integers(len(grammar.ATTITUDES))]
        if kind == "attitude":
            return upper_first(hostile.format(g=group)), attack
        return upper_first(kindly.format(g=group)), benign
    return _person(grammar, kind == "self", rng), benign


def _person(grammar, first_person: bool, rng: np.random.Generator) -> str:
    """A man or a woman described by an identity, by someone else or (first_person) by themselves."""
    woman = bool(rng.integers(2))
    forms = grammar.PERSON_F if woman else grammar.PERSON
    frames = grammar.SELF_FRAMES if first_person else grammar.PERSON_F_FRAMES if woman else grammar.PERSON_FRAMES
    template = frames[rng.integers(len(frames))]
    return upper_first(template.format(x=forms[rng.integers(len(forms))]))


def parse_attack_languages(spec: str | None) -> tuple[str, ...] | None:
    """`--identity-statement-attacks`: None or "all" (every language), "none", or comma-separated codes ("en,de")."""
    if spec is None or spec.strip() == "all":
        return None
    codes = tuple(code.strip() for code in spec.split(",") if code.strip())
    if codes == ("none",):
        return ()
    unknown = sorted(set(codes) - set(GRAMMARS))
    if unknown:
        raise InputError(f"no statements are written in {', '.join(unknown)}: choose from {', '.join(GRAMMARS)}")
    return codes


def check_denials(share: float) -> float:
    """`--identity-statement-denials`: a share from 0 to MAX_DENIALS."""
    if not 0 <= share <= MAX_DENIALS:
        raise InputError(f"--identity-statement-denials {share}: give a share from 0 to {MAX_DENIALS}")
    return share


def _kind_shares(attacks: bool, denials: float = DEFAULT_DENIALS) -> tuple[list[str], np.ndarray]:
    weights = {}
    for kind, share in _KINDS.items():
        weights[kind] = share - denials / 2 if kind in ("benign", "benign_frame") else share
        if kind == "benign_frame" and denials:
            weights["denial"] = denials  # right after the benign frames: its place in the draw
    kinds = [kind for kind in weights if attacks or kind not in _TOXIC_KINDS]
    shares = np.array([weights[kind] for kind in kinds])
    return kinds, shares / shares.sum()


def identity_statement_rows(columns, per_language: int = DEFAULT_STATEMENTS, seed: int = 0,
                            languages=tuple(GRAMMARS), attack_languages=None,
                            denials: float = DEFAULT_DENIALS) -> pd.DataFrame:  # fmt: skip
    """`per_language` distinct statements in each language, as training rows with `columns` (the labelled frame's).
    Attacks and threats are written in `attack_languages` only (None: all); the other languages get benign
    statements alone; `denials` of them are outright denials of an attack (DEFAULT_DENIALS). Ids are
    `<lang>~stmt<k>`; `source` is `identity_statements`; columns the statements do not fill are empty."""
    if per_language <= 0:
        return pd.DataFrame(columns=list(columns))
    rng, rows, denials = np.random.default_rng(seed + 4), [], check_denials(denials)
    for lang in languages:
        kinds, shares = _kind_shares(attack_languages is None or lang in attack_languages, denials)
        seen: set[str] = set()
        for _ in range(per_language * 20):  # the grammar holds far more sentences than asked; duplicates are skipped
            if len(seen) == per_language:
                break
            text, labels = _statement(GRAMMARS[lang], kinds[rng.choice(len(kinds), p=shares)], rng)
            if text not in seen:
                seen.add(text)
                rows.append({"id": f"{lang}{ID_MARK}{len(seen)}", "text": text, "lang": lang,
                             "source": "identity_statements", "fold": "train", "licence": LICENCE,
                             "shippable": True, **labels})  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=list(columns))
