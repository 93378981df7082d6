"""Run the service on uvicorn: one process, or `--workers N` processes sharing the port."""

import importlib.util
import logging
import os
import tempfile
from dataclasses import replace

from ..moderation import ModerationStore
from .settings import SETTINGS_ENV, ServerSettings

log = logging.getLogger("cleanspeech.server")


def serve(settings: ServerSettings) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
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
    log.info("serving with %d workers at %s", settings.workers, settings.root_url())
    uvicorn.run("cleanspeech.server.app:app_from_env", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level="info", timeout_graceful_shutdown=10)  # fmt: skip


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
