"""The scoring service (`python -m cleanspeech serve`): Perspective's API and CleanSpeech's own, over HTTP.

Owns the ASGI app (FastAPI on uvicorn): the `commentanalyzer` v1alpha1 methods, discovery document and batch
endpoint that existing Perspective clients call unchanged; the native `/v1/*` API; keys, quotas, request limits,
metrics; micro-batched scoring; the feedback store (SQLAlchemy, Alembic migrations). It sits at the top of the
package beside the CLI: it may import every subpackage below it (`rewrite`, `explain`, `classifiers`, ...) and
nothing imports it but `cli`. Its libraries (fastapi, uvicorn, sqlalchemy, ...) are the `[serve]` extra.
"""

from .settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve"]


def create_app(settings: ServerSettings | None = None, model=None):
    """The service's ASGI app (FastAPI), for uvicorn or any ASGI server; see `cleanspeech.server.app.create_app`."""
    from .app import create_app as build

    return build(settings, model)


def serve(settings: ServerSettings) -> None:
    from .run import serve as run

    run(settings)
