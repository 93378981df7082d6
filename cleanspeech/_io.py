"""Private I/O helpers for the package and its scripts: atomic JSON writes, the encoding of user files, `run_main`.

Private to CleanSpeech (the leading underscore): callers are the package's own modules, `scripts/` and the app, so
the names may change with them. Depends only on the core modules below it (`errors`).
"""

import argparse
import codecs
import contextlib
import importlib
import json
import os
import stat
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from .errors import CleanSpeechError, InputError, MissingExtra

EXIT_USAGE = 2  # every command and script: a problem with the user's input or files is exit status 2
# What reading a damaged file can raise besides OSError and ValueError: a truncated .gz (EOFError), a corrupt deflate
# stream (zlib.error), a broken .zip (BadZipFile).
UNREADABLE_FILE_ERRORS = (OSError, ValueError, EOFError, zlib.error, zipfile.BadZipFile)
SNIFF_BYTES = 8192  # bytes looked at to tell binary files and BOM-less UTF-16 from text
# Control characters no text file of comments holds in number. Left out: tab, line ends, vertical tab (a line break
# inside a spreadsheet cell), form feed, escape (terminal colours), and the formatting codes of IRC chat logs
# (bold 02, colour 03, reset 0F, reverse 16, italic 1D, underline 1F), which a log of short messages holds on every
# line. Random or encrypted bytes still hold about 8% of the rest, over the 5% that reads as binary.
_FORMATTING = {0x02, 0x03, 0x0F, 0x16, 0x1D, 0x1F}
_CONTROL_BYTES = bytes(b for b in [*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F]
                       if b not in _FORMATTING)  # fmt: skip


@contextlib.contextmanager
def replaced_atomically(path: str | Path):
    """Yields a temporary path beside `path` to write; it replaces `path` only when the block ends without an error,
    so a reader (the app, a resumed run, a loading model) never sees half a file. A symbolic link is kept: the file it
    points to is replaced (renaming over the link would have turned it into a file: `/dev/stdout` once). The file
    replaced keeps its permissions: a scored file its owner had made private stays so."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # no two writers share one
    try:
        yield tmp
        if path.is_file():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json_atomic(path: str | Path, data, **dumps_options) -> Path:
    """Write `data` as JSON through a temporary file (`replaced_atomically`)."""
    with replaced_atomically(path) as tmp:
        tmp.write_text(json.dumps(data, **({"indent": 2} | dumps_options)) + "\n")
    return Path(path)


# Byte-order marks, longest first (a UTF-32 LE mark starts with the UTF-16 LE one). Excel's "Unicode text" export
# is UTF-16 with a mark; "CSV UTF-8" has the UTF-8 mark.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
# File signatures of formats people upload by mistake; named in the message instead of "not UTF-8".
_SIGNATURES = {b"\x89PNG": "a PNG image", b"%PDF": "a PDF document", b"GIF8": "a GIF image",
               b"\xff\xd8\xff": "a JPEG image", b"\x1f\x8b": "a gzip archive", b"PK\x03\x04": "a zip archive",
               b"\xd0\xcf\x11\xe0": "an old Office file (.xls/.doc)"}  # fmt: skip


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: mostly-ASCII text has a NUL in every other byte."""
    sample = head[: SNIFF_BYTES - SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _damaged_utf8(head: bytes) -> int:
    """Places in `head` that are not UTF-8, when the rest of it is UTF-8 with enough beyond ASCII (a file damaged in
    a few places); 0 when it is not such a file. Windows-1252 text holds a valid multi-byte sequence only by chance
    ("ß…" is one pair), and far more bytes that are not: 4 bytes of valid sequences per bad place tell them apart.
    Counted in bytes, not characters, as a three- or four-byte sequence (an emoji) is all but never chance: a short
    comment file with "Café crème 😀" and one stray byte was read as Windows-1252, every accent turned to mojibake."""
    text = head.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - head.count("\ufffd".encode())
    beyond_ascii = sum(len(ch.encode("utf-8", "surrogatepass")) for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return damaged if beyond_ascii >= 4 * damaged > 0 else 0


def detect_encoding(head: bytes, name: str = "the file", complete: bool = True) -> tuple[str, str | None, str]:
    """The encoding of a user's text file from its first bytes, a notice when it is not plain UTF-8, and how to treat
    bytes that do not decode ("strict", or "replace" for UTF-8 damaged in a few places: each such byte reads as
    U+FFFD and the notice says how many, so one bad byte does not turn every accented letter into mojibake).

    Byte-order marks first, then BOM-less UTF-16, then UTF-8, Windows-1252 and Latin-1 (which accepts any byte).
    Empty and binary files are refused. `complete=False`: `head` is a sample, and may end inside a character.
    """
    if not head:
        raise InputError(f"{name} is empty (0 bytes)")
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, None, "strict"
    utf16 = _bomless_utf16(head)
    if utf16:
        return utf16, f"{name} is UTF-16 without a byte-order mark; read it as {utf16.upper()}", "strict"
    if not head.strip():
        raise InputError(f"{name} is empty (only whitespace)")
    kind = next((what for magic, what in _SIGNATURES.items() if head.startswith(magic)), None)
    sample = head[:SNIFF_BYTES]
    nuls = sample.count(0)  # a stray NUL or two is a damaged line (reported by line), many are binary
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # ~8% of random or encrypted bytes
    if kind or (nuls >= 8 and nuls > 0.01 * len(sample)) or (controls >= 8 and controls > 0.05 * len(sample)):
        raise InputError(f"{name} looks like {kind or 'a binary file'}, not a text file of comments")
    try:
        head.decode("utf-8")
        return "utf-8", None, "strict"
    except UnicodeDecodeError as exc:
        if not complete and exc.reason == "unexpected end of data" and exc.start > len(head) - 4:
            return "utf-8", None, "strict"  # the sample cut a character in two: not an encoding problem
    if damaged := _damaged_utf8(head if complete else head[:-4]):
        where, later = ("", "") if complete else (" in its first megabyte", ", as are any later ones")
        notice = f"{name} has {damaged} place(s) that are not UTF-8{where} (read as \ufffd{later}); the rest is UTF-8"
        return "utf-8", notice, "replace"
    try:
        head.decode("cp1252")
        return "cp1252", f"{name} is not UTF-8; read it as Windows-1252", "strict"
    except UnicodeDecodeError:
        return "latin-1", f"{name} is not UTF-8; read it as Latin-1", "strict"


def import_optional(module: str, extra: str | None, purpose: str) -> ModuleType:
    """Import a dependency that only some features need, or say in one line how to install it: the extra that
    brings it (`pip install '.[onnx]'` in the checkout), or the package itself for a core dependency (`extra=None`)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        # from the checkout: CleanSpeech is not on PyPI, where another project holds the name
        hint = f"pip install '.[{extra}]' in the CleanSpeech checkout" if extra else f"pip install {package}"
        raise MissingExtra(f"{purpose} needs {package}: {hint}") from exc


def output_file(text: str) -> str:
    """An argparse `type` for a file to write: `-` is standard output, as for most command-line tools (a file named
    "-" was written instead)."""
    return "/dev/stdout" if text == "-" else text


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse `type`: a whole number of at least `minimum`; anything else is argparse's one-line usage error
    (exit 2), not a value that quietly means something else (a negative row count cut rows off the end)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse


def typed_text(text: str) -> tuple[str, bool]:
    """A command-line argument as text every later step can encode, and whether it had to change: bytes that are not
    UTF-8 reach Python as lone surrogates (and other lone surrogates can come from a caller), each read as U+FFFD."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = text.encode("utf-8", "surrogatepass")
    repaired = raw.decode("utf-8", "replace")
    return repaired, repaired != text


def run_main(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a command's body; a `CleanSpeechError` or an `OSError` (a path that cannot be read or written) becomes
    one line on stderr and exit status 2, never a traceback."""
    try:
        return main(argv)
    except CleanSpeechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `... | head` closed the pipe: not an error worth a traceback
        return 0
    except KeyboardInterrupt:  # Ctrl-C: what was interrupted says what it left (`score` removes its partial parts)
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a path the user named cannot be read or written (checked early where it can be)
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE


PIPED_LIMIT = 1 << 30  # a stream is held in memory whole (it cannot be read twice): past this, save it to a file


def piped_input(source: str | Path) -> tuple[bytes, str] | None:
    """(bytes, name) of a comment source that is a stream rather than a file, read once: `-` (standard input), or a
    pipe or a device (`/dev/stdin`, `<(zcat comments.csv.gz)`); None for a file or a path that is not there. A
    stream past `PIPED_LIMIT` is refused (`/dev/zero` would fill the memory)."""
    path = Path(source)
    if str(source) != "-" and not (path.exists() and not path.is_file() and not path.is_dir()):
        return None
    name = "standard input" if str(source) == "-" else str(path)
    with contextlib.ExitStack() as stack:
        stream = sys.stdin.buffer if str(source) == "-" else stack.enter_context(path.open("rb"))
        data = stream.read(PIPED_LIMIT + 1)
    if len(data) > PIPED_LIMIT:
        raise InputError(f"{name} holds over {PIPED_LIMIT >> 30} GiB: save it to a file and score that (a file is read "
                         "in chunks; a stream is held in memory)")  # fmt: skip
    return data, name


def written_in_place(path: str | Path) -> bool:
    """Whether `path` is written through rather than replaced: a device or a pipe, or a link to one (`/dev/stdout`,
    whatever stdout is), where there is no file to replace."""
    path = Path(path)
    return path.exists() and not path.is_file() or path.is_symlink() and str(path).startswith("/dev/")


def summary_stream(output: str | Path):
    """Where a command's JSON summary goes: stdout, unless the scored file itself went there (`--output /dev/stdout`,
    or the file stdout is redirected to), where the summary would be mixed into the CSV, or written over its start."""
    try:
        target, stdout = os.stat(output), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no such path, or a stdout without a file (captured in tests)
        return sys.stdout
    return sys.stderr if (target.st_dev, target.st_ino) == (stdout.st_dev, stdout.st_ino) else sys.stdout


def read_json_records(path: str | Path) -> tuple[list[dict], str | None]:
    """The objects of a JSON list file, and a one-line notice when the file is partly written or not such a list.

    A run in progress rewrites its history.json; a reader may meet it cut off or damaged. Every complete object
    before the damage is still returned.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [], f"{path.name} could not be read ({exc.strerror})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        records = _complete_objects(text)
        shown = f"showing the {len(records)} complete entries before it"
        return records, f"{path.name} is partly written or damaged: {shown}"
    if not isinstance(data, list):
        return [], f"{path.name} does not hold a list of entries"
    records = [item for item in data if isinstance(item, dict)]
    skipped = len(data) - len(records)
    return records, (f"{path.name}: skipped {skipped} entries that are not objects" if skipped else None)


def _complete_objects(text: str) -> list[dict]:
    decoder, records = json.JSONDecoder(), []
    position = text.find("[") + 1
    while position > 0:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            break
        if isinstance(item, dict):
            records.append(item)
    return records
