"""Real uvicorn servers on loopback for the service tests, each in a thread of the test process, and the check of an
answer in Google's error model.

The socket is bound before the app is built, so the app knows its own public URL (the discovery document's rootUrl)
and no port is guessed.
"""

import contextlib
import socket
import threading
import time


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def running(app, sock: socket.socket):
    """Serve `app` on `sock` until the block ends; yields the base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def assert_google_error(response, code: int, status: str) -> dict:
    assert response.status_code == code, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["status"] == status and error["message"]
    assert "Traceback" not in response.text
    if code in (400, 413):  # a client can branch on every refusal: Perspective's errorType, or a key's ErrorInfo reason
        assert any("errorType" in detail or "reason" in detail for detail in error["details"]), error
    return error
