"""A local HTTP server speaking Gemini's generateContent REST API, for tests that run the real google-genai SDK.

Nothing leaves the machine: the server listens on 127.0.0.1 and each test scripts its answers.
"""

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "AIzaTEST-not-a-real-key-123"
COMMENT = "You are a disgusting idiot and your code is garbage."
POLITE = "I strongly disagree with you, and I think the code needs work."
# The SDK (3.6.1) posts to /v1/models/{model}:generateContent; accept v1beta too so an SDK default change still runs.
ROUTE = re.compile(r"^/v1\w*/models/(?P<model>[^/:]+):generateContent$")
KEY_INVALID = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
    }
}


def ok(text: str, finish: str = "STOP") -> dict:
    candidate = {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": finish, "index": 0}
    usage = {"promptTokenCount": 40, "candidatesTokenCount": 12, "totalTokenCount": 52}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "gemini-2.5-flash"}


def api_error(code: int, message: str, status: str) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


class FakeGemini:
    """Answers each POST with the next scripted reply (the last one repeats) and records what it was sent."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, bytes | dict, dict, float]] = []
        self.release = threading.Event()  # set at teardown so a handler that is made to stall ends at once
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, payload, headers, delay = fake.replies.pop(0) if len(fake.replies) > 1 else fake.replies[0]
                if not ROUTE.match(self.path):
                    status, payload = 404, api_error(404, "no such route", "NOT_FOUND")
                fake.release.wait(delay)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # a client that timed out leaves a broken pipe: expected
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def reply(self, status: int, payload: bytes | dict, headers: dict | None = None, delay: float = 0.0):
        self.replies.append((status, payload, headers or {}, delay))
        return self

    def body(self, i: int = 0) -> dict:
        return json.loads(self.requests[i]["body"])


@contextmanager
def serving(fake: "FakeGemini"):
    """Run `fake` in a thread for the duration of the block."""
    # A short poll interval: shutdown() waits up to one interval, and the default (0.5 s) would dominate each test.
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        fake.server.shutdown()
        fake.server.server_close()
