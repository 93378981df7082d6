"""Bounded load on a running service, for benchmarks: N concurrent clients post every comment once.

Each client takes the next comment from a shared queue and posts it to `comments:analyze` (one comment per request,
as Perspective clients send them), so the load is closed-loop: at most `clients` requests are in flight. Only meant
for a server on loopback or one you run yourself.
"""

import asyncio
import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .._io import import_optional


def _percentiles(latencies: list[float]) -> dict:
    values = np.array(latencies) * 1000
    return {f"p{q}_ms": round(float(np.percentile(values, q)), 1) for q in (50, 95, 99)}


async def _run(url: str, texts: list[str], clients: int, key: str | None) -> dict:
    # aiohttp, not httpx: the clients share the server's cores, and httpx spent 4 ms of CPU per request on 2 cores
    # (1.5-1.8 s per 400 comments, a tenth of the server's own time), aiohttp under 1 ms.
    aiohttp = import_optional("aiohttp", "dev", "the service load generator")
    queue: asyncio.Queue = asyncio.Queue()
    for text in texts:
        queue.put_nowait(text)
    latencies, failures = [], 0
    headers = {"X-Goog-Api-Key": key} if key else {}

    async def client(session) -> None:
        nonlocal failures
        while not queue.empty():
            body = {"comment": {"text": queue.get_nowait()}, "requestedAttributes": {"TOXICITY": {}}}
            start = time.perf_counter()
            async with session.post(f"{url}/v1alpha1/comments:analyze", json=body) as response:
                await response.read()
            latencies.append(time.perf_counter() - start)
            failures += response.status != 200

    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=clients)  # one keep-alive connection per client
    async with aiohttp.ClientSession(headers=headers, timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        seconds = time.perf_counter() - start
    throughput = round(len(texts) / seconds, 1)
    return {"clients": clients, "comments": len(texts), "seconds": round(seconds, 2), "comments_per_s": throughput,
            "failed": failures, **_percentiles(latencies)}  # fmt: skip


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process and its children, from /proc (None where there is none)."""
    try:
        pids = [str(pid), *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        ticks = 0
        for each in pids:
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(url: str, texts: list[str], clients: int, key: str | None = None, server_pid: int | None = None) -> dict:
    """Throughput and latency percentiles of `clients` concurrent clients scoring `texts` once each; with
    `server_pid`, also the CPU seconds the server and these clients spent, which tell where the time went."""
    server_before, own_before = process_cpu_seconds(server_pid) if server_pid else None, _own_cpu_seconds()
    result = asyncio.run(_run(url.rstrip("/"), texts, clients, key))
    result["client_cpu_s"] = round(_own_cpu_seconds() - own_before, 2)
    server_after = process_cpu_seconds(server_pid) if server_pid else None
    if server_before is not None and server_after is not None:
        result["server_cpu_s"] = round(server_after - server_before, 2)
    return result


@contextlib.contextmanager
def running_service(model: str, extra_args: list[str] = (), ready_timeout: float = 180.0):
    """`python -m cleanspeech serve --model MODEL` in a child process on a free loopback port; yields (URL, pid)."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "cleanspeech", "serve", "--model", model, "--port", str(port),
                   "--store", str(Path(scratch) / "feedback.sqlite3"), *extra_args]  # fmt: skip
        log = Path(scratch) / "serve.log"  # a file, not a pipe: a pipe nobody reads stalls a chatty server
        with open(log, "w") as sink:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + ready_timeout
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the service exited: {log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the service was not ready in {ready_timeout:.0f} s")
                time.sleep(0.2)
            yield url, process.pid
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
