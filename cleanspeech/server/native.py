"""CleanSpeech's own API beside Perspective's: batches of texts, explanations, rewrites, health and metrics.

Errors use the same Google error shape as the Perspective methods, so a client handles one format.
"""

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from ..classifiers import flagged_labels
from ..labels import IMPLIES_TOXIC, LABELS
from ..text import spoken_list
from .errors import ERROR_RESPONSES, VISIBLE_TEXT, ApiError, not_blank, utf8_body
from .messages import Message
from .state import Service, authorize, state_of

router = APIRouter(tags=["CleanSpeech"], responses=ERROR_RESPONSES)
MAX_TEXT_CHARS = 20_480  # per text, as Perspective's 20,480-byte comment limit (in characters here)


# A comment: at least one visible character (errors.VISIBLE_TEXT, checked by the request model, so the OpenAPI
# document says so too; the blank characters past U+FFFF, which a JSON Schema pattern cannot name, in code).
Comment = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS, pattern=VISIBLE_TEXT),
                    AfterValidator(not_blank)]  # fmt: skip
ExplainMethod = Literal["linear", "exact", "gradient", "gradient_x_input", "integrated_gradients", "ig", "shap"]


class ScoreRequest(Message):
    texts: list[Comment] = Field(min_length=1, max_length=1000, description="Comments to score, up to 1,000.")


class TextScores(BaseModel):
    scores: dict[str, float] = Field(
        description="The model's own probability per label (what its thresholds apply to)."
    )
    calibrated: dict[str, float] | None = Field(
        default=None, description="Calibrated probability per label (what Perspective's API answers); null without a "
        "calibration beside the model."
    )  # fmt: skip
    flagged: list[str] = Field(
        description="Labels whose probability reaches the model's tuned threshold; toxic also wherever "
        f"{spoken_list(IMPLIES_TOXIC)} is."
    )


class ScoreResponse(BaseModel):
    model: str
    version: str
    thresholds: dict[str, float]
    results: list[TextScores]


class TextRequest(Message):
    text: Comment


class ExplainRequest(TextRequest):
    method: ExplainMethod | None = Field(
        default=None, description="linear for the baseline; gradient, integrated_gradients or shap for the "
        "transformer; shap for the embedding model (default: the served model's fastest); a method of another "
        "family is refused with 400"
    )  # fmt: skip
    label: Literal[LABELS] | None = Field(
        default=None,
        description="Explain only this label: the answer carries it alone (gradient methods compute it alone).",
    )


@router.post("/v1/score", dependencies=[Depends(authorize), Depends(utf8_body)])
async def score(request: ScoreRequest, state: Service) -> ScoreResponse:
    """Per-label probabilities and flags for a batch of comments, with the model's version."""
    if len(request.texts) > state.settings.max_texts:
        message = f"Too many texts: {len(request.texts)}, this server's limit is {state.settings.max_texts}."
        raise ApiError(400, message, "INVALID_REQUEST")
    probabilities = await state.score(request.texts)
    state.metrics.comments.inc(len(request.texts))
    thresholds = state.scorer.model.thresholds
    calibrated = state.calibration.apply(probabilities) if state.calibration else [None] * len(probabilities)
    results = []
    for row, calibrated_row in zip(probabilities, calibrated):
        scores = {label: round(float(value), 6) for label, value in zip(LABELS, row)}
        after = None if calibrated_row is None else {k: round(float(v), 6) for k, v in zip(LABELS, calibrated_row)}
        results.append(TextScores(scores=scores, calibrated=after, flagged=flagged_labels(scores, thresholds)))
    return ScoreResponse(model=state.model_name, version=state.model_version, thresholds=thresholds, results=results)


@router.post("/v1/explain", dependencies=[Depends(authorize), Depends(utf8_body)])
async def explain(request: ExplainRequest, state: Service) -> dict:
    """Which words drove each label's score (the CLI's `explain`)."""
    from ..explain import explain as explain_text

    labels = (request.label,) if request.label else None
    explanation = await state.run_on_model(
        lambda: explain_text(state.scorer.model, request.text, request.method, labels=labels)
    )
    return explanation.to_dict()


@router.post("/v1/rewrite", dependencies=[Depends(authorize), Depends(utf8_body)])
async def rewrite(request: TextRequest, state: Service) -> dict:
    """A polite rewrite, re-scored by the served model (the CLI's `rewrite`, offline unless Gemini is configured)."""
    rewriter = await asyncio.to_thread(state.rewriter)
    return (await state.run_on_model(rewriter.rewrite, request.text)).to_dict()


@router.get("/healthz", tags=["Operations"])
@router.head("/healthz", include_in_schema=False)  # load balancers probe with HEAD; one operation in the schema
async def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", tags=["Operations"])
@router.head("/readyz", include_in_schema=False)
async def readyz(state: Service) -> dict:
    """The model is loaded and the feedback store answers: send traffic here."""
    if not await asyncio.to_thread(state.store.ping):
        raise ApiError(503, "The feedback store does not answer.")
    return {"status": "ready", "model": state.model_name, "version": state.model_version}


@router.get("/metrics", tags=["Operations"], response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latency, batch sizes, errors by type."""
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(state_of(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
