"""The ASGI app: `create_app(settings)` loads the model once and mounts the routers.

Routers by API: `perspective` (commentanalyzer v1alpha1), `discovery`, `batch`, `native` (CleanSpeech's own
`/v1/*`, health and metrics). Every answer carries the model's name and version; with proxies configured, also the
list of proxied attributes.
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from .. import __version__
from . import batch, discovery, files, native, perspective
from .attributes import proxies_header
from .errors import install_error_handlers
from .limits import BodyLimitMiddleware
from .observability import Metrics, ObservabilityMiddleware
from .settings import ServerSettings
from .state import ServiceState

MODEL_HEADER, VERSION_HEADER, PROXIES_HEADER = (
    "X-CleanSpeech-Model", "X-CleanSpeech-Model-Version", "X-CleanSpeech-Attribute-Proxies"
)  # fmt: skip


def create_app(settings: ServerSettings | None = None, model=None) -> FastAPI:
    """The service's ASGI app; `model` serves an already loaded model (else `settings.model` is loaded)."""
    settings = settings or ServerSettings()
    metrics = Metrics()
    state = ServiceState.build(settings, metrics, model)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await state.review_queue.drain()  # what was analyzed before a shutdown still reaches the review queue
        state.close()

    app = FastAPIOffline(  # FastAPI, with /docs and /redoc served from files on this machine, not a CDN
        title="CleanSpeech scoring service",
        version=__version__,
        description="Perspective-compatible comment scoring (commentanalyzer v1alpha1) and CleanSpeech's own API.",
        lifespan=lifespan,
    )
    app.state.service = state
    install_error_handlers(app)
    for module in (perspective, discovery, batch, native, files):
        app.include_router(module.router)
    headers = {MODEL_HEADER: state.model_name, VERSION_HEADER: state.model_version}
    if state.proxies:
        headers[PROXIES_HEADER] = proxies_header(state.proxies)
    bulk = {path: settings.max_batch_body_bytes for path in ("/batch", files.PATH)}
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, limits_by_path=bulk)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, headers=headers)
    return app
