"""`python -m cleanspeech serve`: the subcommand's options and what it runs.

Only the standard library is imported here, so `python -m cleanspeech --help` stays fast; the service's libraries
load when `serve` runs (and a missing `[serve]` extra is one line naming it).
"""

import argparse

from .._io import at_least
from .settings import ServerSettings

DEFAULTS = ServerSettings()


def add_serve_command(sub) -> None:
    serve = sub.add_parser("serve", help="a Perspective-compatible scoring service (HTTP) on the shipped models",
                           description="Serve comments:analyze, comments:suggestscore, the discovery document, "
                           "/batch and the native /v1 API. See docs/service.md.")  # fmt: skip
    serve.add_argument("--model", default=DEFAULTS.model, help="model name or directory (default: %(default)s)")
    serve.add_argument("--host", default=DEFAULTS.host, help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=at_least(1), default=DEFAULTS.port, help="port (default: %(default)s)")
    serve.add_argument("--workers", type=at_least(1), default=DEFAULTS.workers, help="processes (default: %(default)s)")
    serve.add_argument("--public-url", help="the URL clients reach this server at (discovery rootUrl)")
    serve.add_argument(
        "--keys",
        dest="keys_file",
        help="file of API keys, one per line, each optionally followed by policy=NAME (default: no key needed)",
    )
    serve.add_argument("--qps", type=at_least(1), help="requests per second per key (default: unlimited)")
    serve.add_argument("--store", default=DEFAULTS.store, help="moderation store (suggestscore records, the review "
                       "queue): SQLite path/URL or postgresql:// URL (default: $CLEANSPEECH_STORE or the app's "
                       "cleanspeech.sqlite3)")  # fmt: skip
    serve.add_argument(
        "--no-queue",
        dest="queue",
        action="store_false",
        help="never put analyzed comments in the "
        "review queue (default: those without doNotStore that the policy sends to review or removal)",
    )
    serve.add_argument("--redis", help="redis:// URL: share the --qps quota between replicas")
    serve.add_argument("--languages", dest="languages_file", help='JSON {"ATTRIBUTE": ["en", ...]}: languages '
                       "served per attribute (default: see docs/service.md)")  # fmt: skip
    serve.add_argument("--lenient-languages", action="store_true",
                       help="score comments in any language instead of refusing unsupported ones")  # fmt: skip
    serve.add_argument("--uncalibrated", action="store_true",
                       help="answer Perspective's API with raw probabilities, not calibrated ones")  # fmt: skip
    serve.add_argument("--proxy", dest="proxies", action="append", default=[], metavar="ATTRIBUTE=label",
                       help="answer an attribute no model predicts from a label, e.g. SEXUALLY_EXPLICIT=obscene "
                       "(repeatable; listed in the X-CleanSpeech-Attribute-Proxies header)")  # fmt: skip
    serve.add_argument("--max-batch", type=at_least(1), default=DEFAULTS.max_batch, help="texts per forward pass "
                       "(default: %(default)s)")  # fmt: skip
    serve.add_argument("--max-wait-ms", type=float, default=DEFAULTS.max_wait_ms,
                       help="how long a request waits to share a forward pass; 0 turns batching off "
                       "(default: %(default)s)")  # fmt: skip
    serve.add_argument("--timeout", dest="timeout_s", type=float, default=DEFAULTS.timeout_s,
                       help="seconds before an unscored request gets 504 (default: %(default)s)")  # fmt: skip
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from .._io import import_optional
    from ..errors import InputError

    for module in ("fastapi", "fastapi_offline", "uvicorn", "httpx", "sqlalchemy", "alembic", "py3langid",
                   "prometheus_client"):  # fmt: skip
        import_optional(module, "serve", "the scoring service")
    bad_url = args.public_url is not None and not _is_base_url(args.public_url)
    checks = ((args.port > 65535, "--port must be at most 65535"),
              (not args.max_wait_ms >= 0, "--max-wait-ms must be at least 0"),  # `not >=`: NaN is refused too
              (not 0 < args.timeout_s < float("inf"), "--timeout must be more than 0 seconds"),
              (bad_url, f"--public-url {args.public_url!r} is not an http(s) URL (https://host/)"))  # fmt: skip
    problems = [message for wrong, message in checks if wrong]
    if problems:
        raise InputError("; ".join(problems))
    _check_listening(args.host, args.port)
    fields = set(ServerSettings.__dataclass_fields__)
    settings = ServerSettings(**{k: v for k, v in vars(args).items() if k in fields})
    from . import serve

    serve(settings)
    return 0


def _is_base_url(url: str) -> bool:
    """Whether `url` can be the discovery document's rootUrl: Google's clients join every method's path to it."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (read for its check: a port that is not a number from 0 to 65535 raises)
        plain = not any(c.isspace() or c in "\\?#" for c in url) and parts.username is None  # no credentials published
        return parts.scheme in ("http", "https") and bool(parts.hostname) and plain
    except ValueError:  # a port that is not a number, a bracketed host that is not IPv6
        return False


def _check_listening(host: str, port: int) -> None:
    """Refuse a host and port this process cannot listen on (another server holds the port) before the model loads:
    one line and exit 2, not uvicorn's log line and exit 3 after seconds of loading. Every address the host names is
    tried, IPv6 ones IPv6-only, as asyncio's server binds them."""
    import socket

    from ..errors import InputError

    try:
        for family, kind, proto, _, address in socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                                 flags=socket.AI_PASSIVE):  # fmt: skip
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is fine
                if family == socket.AF_INET6:
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
