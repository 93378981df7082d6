"""Request body limits, enforced before any route parses a byte (a pure ASGI middleware).

A body over the limit is refused with 413 in Google's error shape whether or not it declared a Content-Length, and
nothing past the limit is read into memory.
"""

from .errors import ApiError


class BodyLimitMiddleware:
    def __init__(self, app, limit: int, limits_by_path: dict[str, int]):
        self.app, self.limit, self.limits_by_path = app, limit, limits_by_path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits_by_path.get(scope["path"], self.limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, receive, send, limit)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                return await self._refuse(scope, receive, send, limit)
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope, receive, send, limit):
        response = ApiError(413, f"Request payload size exceeds the limit: {limit} bytes.").response()
        await response(scope, receive, send)
