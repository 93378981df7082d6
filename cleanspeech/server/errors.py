"""One error shape for every answer: Google's `{"error": {"code", "message", "status", "details"}}`.

Perspective clients read `HttpError.reason` (the message) and `error_details`; some match the messages literally, so
the Perspective cases below use Perspective's own words. Nothing raised inside the service reaches a client as a
traceback: validation errors become 400 INVALID_ARGUMENT, unknown paths 404, anything unexpected a 500 with a
generic message (the traceback goes to the server log).
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import CleanSpeechError
from ..text import BLANK_CHARS, INVISIBLE_CHARS, is_blank

log = logging.getLogger("cleanspeech.server")

PERSPECTIVE_ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
SERVICE = "commentanalyzer.googleapis.com"
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",  # Google answers 404 here; the method is named so a human sees what went wrong
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ErrorBody(BaseModel):
    code: int = Field(description="The HTTP status code.")
    message: str = Field(description="What went wrong, in words (Perspective's own for its cases).")
    status: str = Field(description="Google's canonical status: INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...")
    details: list[dict] = Field(description="Perspective's errorType detail, Google's ErrorInfo or BadRequest.")


class ErrorResponse(BaseModel):
    error: ErrorBody


# The answers every route may give besides its own, for the OpenAPI document.
ERROR_RESPONSES = {
    code: {"model": ErrorResponse, "description": description}
    for code, description in {
        400: "Invalid request (Perspective's errorType says which check failed) or an unknown key",
        403: "No API key, where the server requires one",
        413: "The request body is over the limit",
        429: "Over the key's requests per second",
        504: "Not scored within the server's deadline",
    }.items()
}


class ApiError(Exception):
    """An answer in Google's error model: HTTP `code`, `message`, and optional Perspective `error_type` / `reason`."""

    def __init__(self, code: int, message: str, error_type: str | None = None, reason: str | None = None,
                 metadata: dict | None = None, headers: dict | None = None, details: list | None = None):  # fmt: skip
        super().__init__(message)
        if error_type is None and reason is None and code in (400, 413):  # every refusal of the request's content
            error_type = "INVALID_REQUEST"  # Perspective's catch-all, so clients that branch on errorType always can
        self.code, self.message, self.error_type = code, message, error_type
        self.reason, self.metadata, self.headers = reason, metadata or {}, headers or {}
        self.extra_details = details or []

    def body(self) -> dict:
        details = []
        if self.error_type:
            details.append({"@type": PERSPECTIVE_ERROR_TYPE, "errorType": self.error_type})
        if self.reason:
            details.append({"@type": ERROR_INFO_TYPE, "reason": self.reason, "domain": "googleapis.com",
                            "metadata": {"service": SERVICE, **self.metadata}})  # fmt: skip
        details += self.extra_details
        status = STATUS_NAMES.get(self.code, "UNKNOWN")
        return {"error": {"code": self.code, "message": self.message, "status": status, "details": details}}

    def response(self) -> JSONResponse:
        # The status and Perspective error type in a header too, so that metrics count errors without the body.
        kind = f"{STATUS_NAMES.get(self.code, 'UNKNOWN')}/{self.error_type or self.reason or ''}"
        return JSONResponse(self.body(), status_code=self.code, headers={**self.headers, "X-CleanSpeech-Error": kind})


def invalid_request(message: str, error_type: str = "INVALID_REQUEST") -> ApiError:
    return ApiError(400, message, error_type)


NOT_UTF8_JSON = "Invalid JSON payload received. The body is not JSON in UTF-8."
TOO_DEEP_JSON = "Invalid JSON payload received. The body nests arrays or objects too deeply."
LONG_NUMBER_JSON = "Invalid JSON payload received. The body holds a number of more than 4,300 digits."
NOT_JSON_TYPE = "Invalid JSON payload received. Send the body as JSON, with Content-Type: application/json ({})."
# White space is spelled out, because `\s` means three things: JSON Schema's (ECMAScript) leaves out \x1c-\x1f and
# \x85, pydantic's Rust regex leaves out \x1c-\x1f and \ufeff, Python's str.strip() leaves out \ufeff. This class is
# the union, so a client validating against the schema and the server agree on every text.
_WHITE_SPACE = r"\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# A text field's pattern: one character that is neither white space nor invisible (zero-width spaces, direction
# marks, control characters, blank fillers: such a text is empty, `text.is_blank`). Pydantic's words for a text
# without one are the pattern itself.
VISIBLE_TEXT = f"[^{_WHITE_SPACE}{INVISIBLE_CHARS}{BLANK_CHARS}]"
_BLANK = "must hold a visible character; it is empty, or white space, invisible, control or filler characters only"


def _is_json(content_type: str | None) -> bool:
    """Whether the body was read as JSON: FastAPI reads it so under a JSON media type only (strict Content-Type, its
    default: a body a browser may send cross-site without asking, with no type, is not read)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def not_blank(text: str) -> str:
    """A text field's value, refused as the pattern refuses it where it shows nothing (`text.is_blank`)."""
    if is_blank(text):
        raise PydanticCustomError("string_pattern_mismatch", "String should match pattern '{pattern}'",
                                  {"pattern": VISIBLE_TEXT})  # fmt: skip
    return text


def _describe(error: dict) -> str:
    blank = error.get("type") == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == VISIBLE_TEXT
    return _BLANK if blank else str(error.get("msg"))


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def _violation(error: dict) -> dict:
    loc, description = error.get("loc", ()), _describe(error)
    if error.get("type") == "json_invalid":  # its place is a character position in the body, not a field
        return {"field": "body", "description": f"{description} at character {loc[-1]}" if loc else description}
    return {"field": _field_path(loc), "description": description}


def validation_error(exc: RequestValidationError, content_type: str | None = "application/json") -> ApiError:
    """Pydantic's complaints as Google words them: 'Invalid JSON payload received. ...' and a BadRequest detail."""
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
    if first.get("type") == "json_invalid":
        message = "Invalid JSON payload received. The body is not valid JSON."
    elif isinstance(first.get("input"), bytes | bytearray):  # FastAPI hands on a body it did not read as JSON
        named = f"not {content_type}" if (content_type or "").strip() else "the request names none"
        message = NOT_UTF8_JSON if _is_json(content_type) else NOT_JSON_TYPE.format(named)
    elif first["loc"] and first["loc"][0] in ("query", "header", "path"):  # not the body: no "JSON payload"
        where = ".".join(str(part) for part in first["loc"][1:])
        message = f"Invalid value at '{where}' ({first['loc'][0]} parameter): {_describe(first)}"
    else:
        message = f"Invalid JSON payload received. Invalid value at '{_field_path(first['loc'])}': {_describe(first)}"
    violations = [_violation(e) for e in errors[:20]]
    detail = {"@type": BAD_REQUEST_TYPE, "fieldViolations": violations}
    return ApiError(400, message, "INVALID_REQUEST", details=[detail])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return validation_error(exc, request.headers.get("content-type")).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: f"The requested URL {request.url.path} was not found on this server.",
                    405: f"Method {request.method} is not allowed on {request.url.path}."}  # fmt: skip
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":  # FastAPI's words
            deep = isinstance(exc.__cause__, RecursionError)  # valid JSON, nested deeper than Python's parser goes
            long_number = "integer string conversion" in str(exc.__cause__)  # over Python's 4,300 digits
            messages[400] = TOO_DEEP_JSON if deep else LONG_NUMBER_JSON if long_number else NOT_UTF8_JSON
        message = messages.get(exc.status_code, str(exc.detail))
        return ApiError(exc.status_code, message, headers=dict(exc.headers or {})).response()  # 405's Allow

    @app.exception_handler(CleanSpeechError)
    async def _input(request: Request, exc: CleanSpeechError):
        return ApiError(400, str(exc), "INVALID_REQUEST").response()

    @app.exception_handler(DBAPIError)
    async def _store_down(request: Request, exc: DBAPIError):
        # the store went away (a restart, a network cut: an operational or interface error, or a connection the pool
        # found dead): /readyz says 503 too, and clients retry UNAVAILABLE. Any other database error is a bug.
        if not (isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated):
            return await _unexpected(request, exc)
        log.error("the store does not answer (%s %s): %s", request.method, request.url.path, str(exc).splitlines()[0])
        return ApiError(503, "The store does not answer; try again later.").response()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return ApiError(500, "Internal error encountered.").response()


async def utf8_body(request: Request) -> None:
    """A JSON body in UTF-8, as JSON over HTTP must be: Python's parser also takes UTF-16 and UTF-32, which
    Perspective refuses."""
    try:
        (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, NOT_UTF8_JSON) from None
