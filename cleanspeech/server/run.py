"""Run the service on uvicorn: one process, or `--workers N` processes sharing the port."""

import importlib.util
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import InputError, ModelNotFound
from ..moderation import ModerationStore
from .settings import SETTINGS_ENV, ServerSettings

log = logging.getLogger("cleanspeech.server")
_FAILURE_ENV = "CLEANSPEECH_WORKER_FAILURE"  # where a worker that cannot start leaves its reason for the parent


def serve(settings: ServerSettings) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per batch part (the parts run through httpx)
    if settings.workers <= 1:
        from .app import create_app

        app = create_app(settings)
        log.info("serving %s (version %s) at %s", app.state.service.model_name, app.state.service.model_version,
                 settings.root_url())  # fmt: skip
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=10)
        return
    from .state import check_settings

    check_settings(settings)  # a bad setting is one line here, not a traceback in each worker uvicorn restarts
    ModerationStore(settings.store, migrate=True).close()  # once, here, before the workers open it
    os.environ[SETTINGS_ENV] = worker_settings(settings).to_env()
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="cleanspeech-metrics-"))
    failure = Path(tempfile.mkdtemp(prefix="cleanspeech-start-")) / "failure.txt"
    os.environ[_FAILURE_ENV] = str(failure)
    log.info("serving with %d workers at %s", settings.workers, settings.root_url())
    try:
        uvicorn.run("cleanspeech.server.run:worker_app", factory=True, host=settings.host, port=settings.port,
                    workers=settings.workers, log_level="info", timeout_graceful_shutdown=10)  # fmt: skip
        reason = failure.read_text(encoding="utf-8") if failure.is_file() else None
    finally:
        shutil.rmtree(failure.parent, ignore_errors=True)
    if reason:  # a worker could not read the model: uvicorn stopped them all; say why, as one worker would
        raise InputError(reason)


def worker_app():
    """The factory each of `--workers N` processes calls (uvicorn's `factory=True`): settings come from the parent.
    A model the parent found but a worker cannot read (damaged past what the parent checks) is no passing trouble:
    the worker leaves its reason for the parent and exits with uvicorn's startup-failure status, which stops the
    server (uvicorn >= 0.50), where a plain failure had uvicorn start it again, to fail again, for ever. Anything
    else (a store that is down for a moment) fails as before, and uvicorn retries."""
    from .app import create_app

    try:
        return create_app(ServerSettings.from_env())
    except ModelNotFound as err:
        from uvicorn.config import STARTUP_FAILURE

        if os.environ.get(_FAILURE_ENV):
            Path(os.environ[_FAILURE_ENV]).write_text(str(err), encoding="utf-8")
        log.error("%s", err)
        sys.exit(STARTUP_FAILURE)


def worker_settings(settings: ServerSettings) -> ServerSettings:
    """What each of `--workers N` processes runs with: the store already migrated, and without Redis a quota file
    they all count `--qps` in (each process's own count let a key through N times the limit)."""
    shared = None
    if settings.qps and not settings.redis:
        if importlib.util.find_spec("fcntl") is None:  # Windows: no flock
            log.warning("each of the %d workers counts --qps on its own: share one count with --redis URL",
                        settings.workers)  # fmt: skip
        else:
            shared = os.path.join(tempfile.mkdtemp(prefix="cleanspeech-quota-"), "quota.json")
    return replace(settings, migrate=False, quota_file=shared)
