"""`POST /batch`: Google's batch protocol, as `new_batch_http_request()` in the Google API clients sends it.

The body is `multipart/mixed`; each part an `application/http` request (`POST /v1alpha1/comments:analyze?key=K`).
Every part runs through this same app (keys, quota, limits and errors included), concurrently, so that the
micro-batcher scores them together, and the answers come back as `multipart/mixed` parts whose `Content-ID` is
`<response-ID>` and whose inner headers end in CRLF (the Python client splits each part at the first CRLF CRLF).
"""

import asyncio
import contextvars
import uuid
from email import policy
from email.message import Message
from email.parser import BytesParser
from http import HTTPStatus
from urllib.parse import quote, urlsplit

import httpx
from fastapi import APIRouter, Request, Response

from .errors import ApiError
from .state import state_of

router = APIRouter(tags=["Discovery"])
CONCURRENT_PARTS = 64  # parts in flight at once: enough to fill the micro-batcher, bounded for a 1,000-part batch
_FORWARDED = ("x-goog-api-key", "authorization")  # the outer request's key reaches parts that carry none
_IN_BATCH = contextvars.ContextVar("in_batch", default=False)  # set while a batch's parts run


def _split_head(payload: bytes) -> tuple[list[str], bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = payload.partition(separator)
        if found:
            return head.decode("latin-1").splitlines(), body
    return payload.decode("latin-1").splitlines(), b""


def parse_parts(content_type: str, body: bytes) -> list[dict]:
    """The inner requests of a batch body: content id, method, target, headers, body."""
    message = BytesParser(policy=policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    if not message.is_multipart():  # the type and its boundary were checked: the body holds no part at all
        raise ApiError(400, "The batch holds no requests: its body has no part between boundary lines.")
    parts = []
    for part in message.iter_parts():
        lines, inner_body = _split_head(part.get_payload(decode=True) or b"")
        request_line = lines[0].split() if lines else []
        if len(request_line) < 2 or not request_line[1].startswith(("/", "http://", "https://")):  # "METHOD /path"
            raise ApiError(400, f"Batch part {len(parts) + 1} does not hold an HTTP request line.")
        headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        content_id = " ".join(str(part.get("Content-ID", "")).split())  # a folded header, unfolded
        headers = {name.strip().lower(): value.strip() for name, value in headers.items()}
        parts.append({"id": content_id, "method": request_line[0].upper(), "target": request_line[1],
                      "headers": headers, "body": inner_body})  # fmt: skip
    return parts


def _check_part_count(content_type: str, body: bytes, limit: int) -> None:
    """Refuse a batch of more than `limit` parts from its boundary lines alone: a body of 350,000 tiny parts took
    the email parser two minutes before the count was known. A boundary never occurs inside a part, so the lines
    that start with it, less the closing one, are the parts."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        return  # the parser says what is wrong with it
    delimiter = b"\n--" + boundary.encode("latin-1", "replace")
    parts = (b"\n" + body).count(delimiter) - 1
    if parts > limit:
        raise ApiError(400, f"Too many requests in batch: {parts}, the limit is {limit}.")


def _failed_part(message: str) -> httpx.Response:
    """A part that fails on its own, in Google's error model; the rest of the batch goes on."""
    body = ApiError(400, message).body()
    return httpx.Response(400, json=body, headers={"content-type": "application/json; charset=UTF-8"})


def _local_target(target: str, public_url: str | None) -> str:
    """A part's target as this app routes it. The Google clients write each part's request line as the full path
    under the discovery document's `rootUrl`; behind a proxy that serves us under a path (`--public-url
    https://h/perspective/`) and strips it, the parts still carry that path, and every part answered 404."""
    parts = urlsplit(target)
    path, query = (parts.path or "/", parts.query) if parts.scheme else (target.partition("?")[0], parts.query)
    prefix = urlsplit(public_url).path.rstrip("/") if public_url else ""
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    return path + (f"?{query}" if query else "")


async def _run_part(client: httpx.AsyncClient, part: dict, outer: Request, gate: asyncio.Semaphore) -> httpx.Response:
    headers = {k: v for k, v in part["headers"].items() if k not in ("content-length", "host")}
    for name in _FORWARDED:
        if name in outer.headers and name not in headers:
            headers[name] = outer.headers[name]
    async with gate:
        try:
            target = _local_target(part["target"], state_of(outer).settings.public_url)
            if "key" in outer.query_params and "key=" not in target:
                separator = "&" if "?" in target else "?"
                target += f"{separator}key={quote(outer.query_params['key'], safe='')}"  # a + stays a +
            request = client.build_request(part["method"], target, headers=headers, content=part["body"])
        except (httpx.InvalidURL, ValueError) as exc:  # ValueError: non-ASCII headers
            # a part's request line or headers that no HTTP request can carry: that part fails, the batch goes on
            why = "a header holds a character that is not ASCII" if isinstance(exc, UnicodeEncodeError) else str(exc)
            return _failed_part(f"This part cannot be sent as an HTTP request: {why}.")
        return await client.send(request)


def _reply_part(content_id: str, reply: httpx.Response) -> bytes:
    try:
        reason = HTTPStatus(reply.status_code).phrase
    except ValueError:  # a code the standard library does not name
        reason = ""
    inner_id = content_id[1:-1] if content_id.startswith("<") and content_id.endswith(">") else content_id
    head = (f"Content-Type: application/http\r\nContent-ID: <response-{inner_id}>\r\n\r\n"
            f"HTTP/1.1 {reply.status_code} {reason}\r\n"
            f"Content-Type: {reply.headers.get('content-type', 'application/json; charset=UTF-8')}\r\n"
            f"Content-Length: {len(reply.content)}\r\n\r\n")  # fmt: skip
    return head.encode() + reply.content + b"\r\n"


@router.post("/batch", responses={200: {"content": {"multipart/mixed": {}}}})
async def batch(request: Request) -> Response:
    """Run up to `--max-texts` (1,000) requests of a multipart/mixed batch and answer in one multipart/mixed body."""
    if _IN_BATCH.get():  # a part that is itself a batch, however its path was spelt (/%62atch): it would multiply
        raise ApiError(400, "A batch part cannot itself be a batch request.")  # the work one request can ask for
    state = state_of(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/mixed") or "boundary=" not in content_type:
        raise ApiError(400, "Batch requests must be multipart/mixed with a boundary.")
    body = await request.body()
    _check_part_count(content_type, body, state.settings.max_texts)  # before parsing: a count costs no parse
    parts = await asyncio.to_thread(parse_parts, content_type, body)  # thousands of parts: off the event loop
    if not parts:
        raise ApiError(400, "A batch request must contain at least one part.")
    if len(parts) > state.settings.max_texts:
        raise ApiError(400, f"Too many requests in batch: {len(parts)}, the limit is {state.settings.max_texts}.")
    transport = httpx.ASGITransport(app=request.app, client=(request.client.host if request.client else "", 0))
    gate = asyncio.Semaphore(CONCURRENT_PARTS)
    running = _IN_BATCH.set(True)  # the parts run in this task's context (asyncio copies it into theirs)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url), timeout=None) as client:
            replies = await asyncio.gather(*(_run_part(client, part, request, gate) for part in parts))
    finally:
        _IN_BATCH.reset(running)
    boundary = f"batch_{uuid.uuid4().hex}"
    body = b"".join(f"--{boundary}\r\n".encode() + _reply_part(p["id"], r) for p, r in zip(parts, replies))
    return Response(body + f"--{boundary}--\r\n".encode(), media_type=f"multipart/mixed; boundary={boundary}")
