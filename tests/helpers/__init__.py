"""Helpers shared by the tests: where things are, and commands and scripts run in this process.

A command (`cleanspeech.cli.main`) or a script (`scripts/*.py`, each with `main(argv)`) runs in-process unless a real
process is the point of a test (tests/integration/): no interpreter start, no second import of torch and
transformers, and the session's fixtures (the decoded e5, loaded models) are shared with it.
"""

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
STAGED = Path(os.environ.get("CLEANSPEECH_DATA") or REPO.parent / "shared" / "data")

_SCRIPTS: dict[str, ModuleType] = {}


def load_script(name: str) -> ModuleType:
    """`scripts/<name>.py` imported as a module (once per session), so a test can call its `main(argv)`."""
    if name not in _SCRIPTS:
        path = REPO / "scripts" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"cleanspeech_scripts_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SCRIPTS[name] = module
    return _SCRIPTS[name]


@dataclass
class Ran:
    """What a command left behind, shaped like `subprocess.CompletedProcess` so assertions read the same."""

    returncode: int
    stdout: str
    stderr: str


def reset_accelerate() -> None:
    """Forget Accelerate's process-wide state, as a new process would: the next run may pick other settings."""
    state = sys.modules.get("accelerate.state")
    if state is not None:
        state.AcceleratorState._reset_state(reset_partial_state=True)
        state.GradientState._reset_state()


def call(main, argv, capsys) -> Ran:
    """Run `main(argv)` in this process and return its exit status with what it printed (captured by `capsys`)."""
    capsys.readouterr()  # what earlier steps printed is not this command's output
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as exc:  # argparse rejects its arguments with SystemExit, as a process would exit
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        reset_accelerate()
    out, err = capsys.readouterr()
    return Ran(code, out, err)


def run_cli(capsys, *args) -> Ran:
    """`python -m cleanspeech ARGS`, in-process."""
    from cleanspeech.cli import main

    return call(main, args, capsys)


def run_script(capsys, name: str, *args) -> Ran:
    """`python scripts/<name>.py ARGS`, in-process."""
    return call(load_script(name).main, args, capsys)


def assert_kept_behind_formula_guards(written, original) -> None:
    """`written` (a CSV read back as text) holds every row and value of `original`, except that each cell a
    spreadsheet would run as a formula carries a leading ' (and at least one such cell exists to prove it). A plain
    number ("-1", "+3") is no formula and stays as it is."""
    import pandas as pd

    number = original.apply(lambda column: column.str.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"))
    formula = original.apply(lambda column: column.str.startswith(("=", "+", "-", "@", "\t", "\r"))) & ~number
    assert formula.to_numpy().any()
    written = written[original.columns]
    pd.testing.assert_frame_equal(written.where(~formula, written.apply(lambda c: c.str[1:])), original)
    assert (written.where(formula, "'").apply(lambda c: c.str[:1]) == "'").all().all()
