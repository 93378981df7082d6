"""Private I/O helpers shared by the package and its scripts: atomic JSON writes, decoding user files, `run_main`.

Private to CleanSpeech (the leading underscore): callers are the package's own modules, `scripts/` and the app, so
the names may change with them. Depends only on the core modules below it (`errors`).
"""

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from .errors import CleanSpeechError, InputError, MissingExtra

EXIT_USAGE = 2  # every command and script: a problem with the user's input or files is exit status 2
SNIFF_BYTES = 8192  # bytes looked at for NUL (binary files)


def write_json_atomic(path: str | Path, data, **dumps_options) -> Path:
    """Write `data` as JSON through a temporary file, so a reader (the app, a resumed run) never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, **({"indent": 2} | dumps_options)) + "\n")
    tmp.replace(path)
    return path


def decode_bytes(data: bytes, name: str = "the file") -> tuple[str, str, str | None]:
    """Decode a user's CSV bytes: UTF-8 (with or without BOM), else Windows-1252, else Latin-1; refuse binary.

    Returns the text, the encoding used (as Python names it) and a notice when a fallback was needed, so the caller
    can tell the user and read the rest of a large file the same way.
    """
    if not data.strip():
        raise InputError(f"{name} is empty")
    if b"\x00" in data[:SNIFF_BYTES]:
        raise InputError(f"{name} looks like a binary file, not a CSV (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig", None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252", f"{name} is not UTF-8; read it as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", f"{name} is not UTF-8; read it as Latin-1"


def import_optional(module: str, extra: str | None, purpose: str) -> ModuleType:
    """Import a dependency that only some features need, or say in one line how to install it: the extra that
    brings it (`pip install 'cleanspeech[onnx]'`), or the package itself for a core dependency (`extra=None`)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        hint = f"pip install 'cleanspeech[{extra}]'" if extra else f"pip install {package}"
        raise MissingExtra(f"{purpose} needs {package}: {hint}") from exc


def run_main(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a command's body; a `CleanSpeechError` becomes one line on stderr and exit status 2, never a traceback."""
    try:
        return main(argv)
    except CleanSpeechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `... | head` closed the pipe: not an error worth a traceback
        return 0
