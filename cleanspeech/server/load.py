"""Bounded load on a running service, for benchmarks: N concurrent clients post every comment once.

`benchmark_service` is the service section of `scripts/benchmark.py`: the service micro-batched and with batching
off, each at several loads, beside offline scoring of the same comments, in one run.

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
    result["client_cpu_s"] = round(_own_cpu_seconds() - own_before, 4)
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


def _offline(model, texts: list[str]) -> dict:
    """Offline scoring of `texts` in this process, as the `score` command runs after loading: comments/s, CPU s."""
    from ..serving import score_texts

    model.predict_proba(texts[:8])  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    score_texts(model, texts)
    return {"comments_per_s": len(texts) / (time.perf_counter() - started), "cpu_s": time.process_time() - cpu}


def _score_command_seconds(model_name: str, texts: list[str]) -> float:
    """The `score` command on a CSV of `texts`, start-up included."""
    import pandas as pd

    with tempfile.TemporaryDirectory() as scratch:
        pd.DataFrame({"comment_text": texts}).to_csv(Path(scratch) / "in.csv", index=False)
        started = time.perf_counter()
        command = [sys.executable, "-m", "cleanspeech", "score", str(Path(scratch) / "in.csv"),
                   str(Path(scratch) / "out.csv"), "--model", model_name]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True)
        return round(time.perf_counter() - started, 2)


def benchmark_service(model_name: str, texts: list[str], loads=(1, 8, 32)) -> dict:
    """The service (a child process; the clients run here) micro-batched and with batching off, at each number of
    concurrent clients in `loads`, beside offline scoring of the same comments.

    Offline scoring runs three times, before, between and after the two servers, and its median is the reference:
    on a shared machine one run can be 20 % off, and the ratio should not rest on one draw.
    """
    from ..classifiers import load_model

    model = load_model(model_name)  # loaded once; it sits idle while the servers run
    offline_runs = [_offline(model, texts)]
    result = {"model": model_name}
    for mode, wait_ms in (("batched", "5"), ("unbatched", "0")):
        # --lenient-languages: every comment is scored, as offline (none refused for its detected language)
        with running_service(model_name, ["--max-wait-ms", wait_ms, "--lenient-languages"]) as (url, pid):
            measure(url, texts[:16], 4)  # warm-up
            result[mode] = {str(n): measure(url, texts, n, server_pid=pid) for n in loads}
            print(f"service {mode}: {result[mode]}", flush=True)
        offline_runs.append(_offline(model, texts))
    median = sorted(offline_runs, key=lambda run: run["comments_per_s"])[len(offline_runs) // 2]
    result["offline"] = {
        "comments": len(texts),
        "comments_per_s": round(median["comments_per_s"], 1),
        "cpu_s": round(median["cpu_s"], 2),
        "runs_comments_per_s": [round(run["comments_per_s"], 1) for run in offline_runs],
        "score_command_s_with_startup": _score_command_seconds(model_name, texts),
    }
    top = str(loads[-1])
    served = result["batched"][top]["comments_per_s"]
    result["ratios"] = {
        f"service_{top}_clients_vs_offline": round(served / median["comments_per_s"], 2),
        f"batched_vs_unbatched_{top}_clients": round(served / result["unbatched"][top]["comments_per_s"], 2),
        "p99_ms_at_8_clients": result["batched"]["8"]["p99_ms"] if "8" in result["batched"] else None,
    }
    return result
