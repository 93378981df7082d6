"""Errors that carry a message meant for the user, not a traceback."""


class CleanSpeechError(Exception):
    """Base class: the CLI prints `error: <message>` and exits non-zero; the app shows the message."""


class DataFileNotFound(CleanSpeechError, FileNotFoundError):
    """A data file or directory that the command needs is missing."""


class ModelNotFound(CleanSpeechError, FileNotFoundError):
    """A model directory is missing or incomplete."""


class MissingExtra(CleanSpeechError, ImportError):
    """An optional part of CleanSpeech was asked for without the package it needs (the message names the extra)."""


class InputError(CleanSpeechError, ValueError):
    """The user's input (text, CSV file, column name) cannot be scored as given."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), to quote in one of ours."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
