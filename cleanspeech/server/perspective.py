"""Perspective's `commentanalyzer` v1alpha1 methods: `comments:analyze` and `comments:suggestscore`.

Field names are accepted in the JSON form clients send (`requestedAttributes`) and in proto form
(`requested_attributes`), as Google's front end accepts both; unknown fields are ignored. Checks run in
Perspective's order, with Perspective's messages (clients match some literally).
"""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from ..labels import LABELS
from ..text import is_blank
from .attributes import label_for
from .errors import ERROR_RESPONSES, invalid_request, utf8_body
from .keys import key_of
from .languages import UNDETERMINED, attribute_languages, base_language
from .messages import Flag, Message, Number, WholeNumber
from .queueing import Analyzed
from .scoring import sentence_spans, utf16_offsets
from .state import Service, ServiceState, authorize, authorize_suggestion

MAX_COMMENT_BYTES = 20_480
PROBABILITY = "PROBABILITY"
# Without `languages`, an attribute is refused only where the languages it is served in are together less likely than
# this: what a language the ensemble routes by surely (0.9) leaves the others. On the validation fold, it scores
# every English comment of six words or fewer that detection refused THREAT (20 of 348) and keeps refusing 54 of 68
# short French and 572 of 622 short Portuguese ones.
MIN_SERVED_LIKELIHOOD = 0.1


def json_only(alt: str = Query("json", description="Data format for response: json (proto is not served).")) -> None:
    """Google's clients ask for `alt=json`; a client asking for protobuf would misread a JSON answer, so it is told."""
    if alt != "json":
        raise invalid_request(f"alt={alt} is not supported: this server answers JSON only (alt=json).")


router = APIRouter(prefix="/v1alpha1", tags=["Perspective (commentanalyzer v1alpha1)"], responses=ERROR_RESPONSES)


class TextEntry(Message):
    text: str | None = None
    type: str | None = None


class AttributeParameters(Message):
    score_type: str | None = None
    score_threshold: Annotated[float | None, Number] = Field(default=None, ge=0, le=1)


class ArticleAndParentComment(Message):
    article: TextEntry | None = None
    parent_comment: TextEntry | None = None


class Context(Message):
    entries: list[TextEntry] | None = None
    # Typed as in the discovery document, as `span_scores` is: an untyped dict took JSON nested 600 deep, and storing
    # it recursed until Python gave up (a 500)
    article_and_parent_comment: ArticleAndParentComment | None = None


class AnalyzeCommentRequest(Message):
    comment: TextEntry | None = None
    requested_attributes: dict[str, AttributeParameters | None] | None = None
    languages: list[str] | None = None
    span_annotations: Flag = None
    do_not_store: Flag = None
    client_token: str | None = None
    session_id: str | None = None
    community_id: str | None = None
    context: Context | None = None


class Score(Message):
    # a probability, as analyze answers
    value: Annotated[float | None, Number] = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    type: str | None = None


class SpanScore(Message):
    begin: Annotated[int | None, WholeNumber] = None
    end: Annotated[int | None, WholeNumber] = None
    score: Score | None = None


class AttributeScores(Message):
    summary_score: Score | None = None
    span_scores: list[SpanScore] | None = None


class SuggestCommentScoreRequest(Message):
    comment: TextEntry | None = None
    context: Context | None = None
    attribute_scores: dict[str, AttributeScores] | None = None
    languages: list[str] | None = None
    community_id: str | None = None
    client_token: str | None = None
    session_id: str | None = None


def _check_comment(comment: TextEntry | None) -> str:
    text = comment.text if comment else None
    if not text or is_blank(text):  # white space or invisible characters only: nothing to score, as offline
        raise invalid_request("Comment must be non-empty.", "COMMENT_EMPTY")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_COMMENT_BYTES:
        raise invalid_request(
            f"Comment text was too many bytes. Value ({size}) exceeded limit ({MAX_COMMENT_BYTES}).", "COMMENT_TOO_LONG"
        )
    if comment.type not in (None, "PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"):  # unspecified: plain text, the default
        raise invalid_request("Currently, only 'PLAIN_TEXT' comments are supported")
    return text


def _check_context(context: Context | None) -> None:
    if context and context.entries and context.article_and_parent_comment:
        raise invalid_request(
            "Context can have either entries or article_and_parent_comment, but both fields were populated."
        )


def _requested_labels(request: AnalyzeCommentRequest, state: ServiceState) -> dict[str, tuple[str, float | None]]:
    """{attribute: (label, threshold)} in request order, or Perspective's error for the first bad attribute."""
    if not request.requested_attributes:
        raise invalid_request("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    chosen = {}
    for name, params in request.requested_attributes.items():
        label = label_for(name, state.proxies)
        if label is None:
            raise invalid_request(f"Unknown requested attribute: {name}")
        params = params or AttributeParameters()
        if params.score_type not in (None, PROBABILITY):
            raise invalid_request(f"Requested score type {params.score_type} is not supported by attribute {name}")
        chosen[name] = (label, params.score_threshold)
    return chosen


def _languages(request_languages, text: str, attributes, state: ServiceState) -> tuple[list[str], list[str]]:
    """(effective languages, detected languages); refuses an attribute not served in them unless lenient.

    A request that names its languages is held to them. Without them, an attribute is refused where the comment is
    clearly in a language outside the served ones ("ar"), or where the languages it is served in are together less
    likely than `MIN_SERVED_LIKELIHOOD`: short comments are where detection goes wrong ("stupid" reads as Italian,
    0.32 against English 0.18), and refusing them was a complaint about the original service."""
    named, other, probabilities = state.detector.identify_reading(text)
    detected = [named]
    requested = [code for code in (request_languages or []) if code]
    languages = requested or detected
    if state.settings.lenient_languages:
        return languages, detected
    bases = {base_language(code) for code in requested}
    for name in attributes:
        served = set(attribute_languages(state.language_table, name, state.proxies))
        if requested:
            in_served = bool(bases & served)
        else:
            in_served = other is None and sum(probabilities.get(code, 0.0) for code in served) >= MIN_SERVED_LIKELIHOOD
        if in_served:
            continue
        undetected = languages == [UNDETERMINED]
        error_type = "LANGUAGE_DETECTION_FAILED" if undetected else "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
        raise invalid_request(f"Attribute {name} does not support request languages: {','.join(languages)}", error_type)
    return languages, detected


def _score(value: float) -> dict:
    return {"value": round(float(value), 6), "type": PROBABILITY}


@router.post("/comments:analyze",  # the key is checked first, then the body
             dependencies=[Depends(authorize), Depends(json_only), Depends(utf8_body)])  # fmt: skip
async def analyze(request: AnalyzeCommentRequest, state: Service, http: Request) -> dict:
    """Score a comment on the requested attributes (Perspective's AnalyzeComment)."""
    text = _check_comment(request.comment)
    _check_context(request.context)
    attributes = _requested_labels(request, state)
    languages, detected = _languages(request.languages, text, attributes, state)
    spans = sentence_spans(text) if request.span_annotations else [(0, len(text))]
    pieces = [text] + ([text[b:e] for b, e in spans] if len(spans) > 1 else [])
    raw = await state.score(pieces)
    scores = state.calibrated(raw)
    state.metrics.comments.inc(len(pieces))
    if state.settings.queue and not request.do_not_store:
        key_policy = state.keys.get(key_of(http)) if state.keys else None
        state.review_queue.add(
            Analyzed(text, raw[0], detected[0], request.community_id, key_policy, request.client_token)
        )
    span_scores = scores[1:] if len(spans) > 1 else scores[:1]
    offsets = utf16_offsets(text)
    result = {}
    for name, (label, threshold) in attributes.items():
        column = LABELS.index(label)
        if threshold is not None and scores[0, column] < threshold:
            continue  # Perspective leaves out scores below the requested threshold
        result[name] = {
            "spanScores": [
                {"begin": offsets[b], "end": offsets[e], "score": _score(row[column])}
                for (b, e), row in zip(spans, span_scores)
            ],
            "summaryScore": _score(scores[0, column]),
        }
    answer = {"attributeScores": result, "languages": languages, "detectedLanguages": detected}
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    return answer


@router.post("/comments:suggestscore",
             dependencies=[Depends(authorize_suggestion), Depends(json_only), Depends(utf8_body)])  # fmt: skip
async def suggest_score(request: SuggestCommentScoreRequest, state: Service) -> dict:
    """Store a human's score for a comment (Perspective's SuggestCommentScore; Coral sends approve/reject here)."""
    text = _check_comment(request.comment)
    _check_context(request.context)
    if not request.attribute_scores:
        raise invalid_request("Missing attribute_scores")
    for name in request.attribute_scores:
        if label_for(name, state.proxies) is None:
            raise invalid_request(f"Unknown attribute: {name}")
    detected = [state.detector.identify(text)]
    row = {
        "comment_text": text,
        "attribute_scores": {
            name: s.model_dump(by_alias=True, exclude_none=True) for name, s in request.attribute_scores.items()
        },  # fmt: skip
        "languages": request.languages or [],
        "context": request.context.model_dump(by_alias=True, exclude_none=True) if request.context else None,
        "client_token": request.client_token,
        "session_id": request.session_id,
        "community_id": request.community_id,
        "model_version": state.model_version,
    }
    await asyncio.to_thread(state.store.add_suggestion, **row)
    answer = {"detectedLanguages": detected, "requestedLanguages": request.languages or []}
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    return answer
