"""Every training recipe in scripts/ (the configs the shipped passes were trained with) reads as a TrainConfig: a
misspelt or retired setting would otherwise surface only when someone starts a long run, perhaps on a rented GPU."""

from pathlib import Path

import pytest

from cleanspeech.training.config import TrainConfig, read_config_file

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"
RECIPES = sorted(SCRIPTS.glob("e5_small_*.yaml"))


def test_the_recipes_are_found():
    assert len(RECIPES) >= 6  # the five CPU passes and the GPU ones


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda path: path.stem)
def test_each_recipe_is_a_valid_training_config(recipe):
    config = TrainConfig(**read_config_file(recipe))  # an unknown key is a TypeError here
    assert config.model  # run_dir may be left to the default, runs/<model name>
    assert 0 < config.learning_rate <= 1e-3 and config.max_length in (128, 256, 512)  # 1e-3: a head alone
    if config.mixed_precision not in ("auto", "no", "fp16", "bf16"):
        pytest.fail(f"{recipe.name}: mixed_precision {config.mixed_precision!r}")
