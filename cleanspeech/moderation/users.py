"""Reviewers' passwords, for a team that wants them: a local JSON file of scrypt hashes, never a plain password.

`python -m cleanspeech add-user NAME --users FILE` writes an entry; the app asks for a password only when
`CLEANSPEECH_USERS` names such a file, and otherwise takes the reviewer's name alone. scrypt is the standard
library's memory-hard password hash (RFC 7914), so no extra dependency is needed for it.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path

from .._io import replaced_atomically
from ..errors import InputError

USERS_ENV = "CLEANSPEECH_USERS"
_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 16 MB and 50 ms per check, OWASP's minimum for scrypt


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + "$".join(
        [str(_N), str(_R), str(_P), base64.b64encode(salt).decode(), base64.b64encode(digest).decode()]
    )


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))  # fmt: skip
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and hmac.compare_digest(got, expected)


def users_file() -> Path | None:
    return Path(os.environ[USERS_ENV]) if os.environ.get(USERS_ENV) else None


def read_users(path: str | Path) -> dict[str, str]:
    try:
        users = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the users file {path}: {err}") from None
    if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
        raise InputError(f"the users file {path} is not a JSON object of name: password hash")
    return users


def add_user(path: str | Path, name: str, password: str) -> None:
    name = name.strip()
    if not name or len(password) < 8 or not password.strip():
        raise InputError("a user needs a name and a password of at least 8 characters, not all white space")
    users = read_users(path)
    twin = next((known for known in users if known != name and known.casefold() == name.casefold()), None)
    if twin is not None:  # the history and the queue count one reviewer by name whatever its case
        raise InputError(
            f"a user {twin!r} exists: names differ in more than case (give {twin!r} to change its password)"
        )
    users[name] = hash_password(password)
    _write_private(Path(path), users)


def _write_private(path: Path, users: dict[str, str]) -> None:
    """Write the users file readable by its owner alone (hashes resist guessing, not a stolen file for ever), or
    with the permissions it already has: an administrator who opened it to the app's group keeps that."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    with replaced_atomically(path) as tmp:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
            out.write(json.dumps(users, indent=2) + "\n")
        tmp.chmod(mode)  # created 0600 whatever the umask; widened only to what the file had


def verify(path: str | Path, name: str, password: str) -> bool:
    stored = read_users(path).get(name.strip())
    return stored is not None and check_password(password, stored)
