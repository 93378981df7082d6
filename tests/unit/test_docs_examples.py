"""The worked examples in the docs print what the shipped models print: each is run again here, so a retrained model
cannot leave the docs showing another model's numbers."""

import json
import re

import pytest

from cleanspeech.labels import LABELS
from tests.helpers import REPO

EXAMPLE = "You are a disgusting idiot."


def _json_block(doc: str, starts_with: str) -> str:
    """The ```json block of docs/`doc` whose text begins with `starts_with`."""
    blocks = re.findall(r"```json\n(.*?)```", (REPO / "docs" / doc).read_text(), re.S)
    return next(block for block in blocks if block.startswith(starts_with))


def _shown(block: str, key: str) -> dict[str, float]:
    """The numbers a block shows under `"key": {...}` (labels and their values, the `...` left out)."""
    inner = re.search(rf'"{key}": \{{([^{{}}]*)\}}', block).group(1)
    return {name: float(value) for name, value in re.findall(r'"(\w+)": (-?[\d.]+)', inner)}


def test_the_rewrite_example_shows_the_shipped_scores(shipped_transformer):
    from cleanspeech.classifiers import load_model
    from cleanspeech.rewrite import Rewriter, load_lexicon
    from cleanspeech.rewrite.local import LocalRewriter

    local = LocalRewriter(shipped_transformer, load_lexicon(), load_model("baseline"))
    result = Rewriter(shipped_transformer, local).rewrite(EXAMPLE, "local").to_dict()
    block = _json_block("rewriting.md", '{"text": "You are a disgusting idiot."')
    assert f'"rewrite": "{result["rewrite"]}"' in block
    for key in ("before", "after"):
        shown = _shown(block, key)
        assert set(shown) < set(LABELS)  # to 1e-3: backends and CPUs differ in the last of the five decimals shown
        assert shown == {label: pytest.approx(result[key][label], abs=1e-3) for label in shown}


def test_the_cli_example_shows_the_shipped_transformers_score(shipped_transformer):
    block = _json_block("cli.md", '[{"text": "You are a disgusting idiot."')
    shown = re.search(r'"transformer": \{"scores": \{"toxic": ([\d.]+)', block).group(1)
    assert float(shown) == pytest.approx(float(shipped_transformer.predict_proba([EXAMPLE])["toxic"].iloc[0]), abs=1e-3)


def test_the_explanation_example_shows_the_shipped_gradients(shipped_transformer_torch):
    from cleanspeech.explain import explain

    result = explain(shipped_transformer_torch, EXAMPLE, method="gradient", labels=("insult",)).to_dict()
    block = _json_block("explanations.md", '{"model": "transformer", "method": "gradient"')
    for key in ("base_value", "prediction"):
        assert _shown(block, key) == {"insult": pytest.approx(result[key]["insult"], abs=0.005)}
    words = {word["word"]: word["scores"]["insult"] for word in result["words"]}
    for word, score in re.findall(r'"word": "([^"]+)",[^}]*"scores": \{"insult": ([\d.]+)\}', block):
        assert float(score) == pytest.approx(words[word], abs=0.005), word
    assert json.dumps(result["notes"]) in block
