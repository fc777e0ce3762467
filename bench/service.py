"""Load on the service: N concurrent clients screening listings over loopback.

    .venv/bin/python bench/service.py [--clients 50] [--seconds 20] [--workers 1] [--db URL]

Starts ``notforsale serve`` on a free loopback port with a fresh SQLite database
(or ``--db``), makes an API token, then runs N clients, each sending
``POST /v1/listings/screen`` one after another (keep-alive) for a bounded time,
with listings drawn from the labeled development set. Every request is a real
screening and a real write (listing, verdict, and a case for flagged ones).
Prints requests/s, p50/p90/p99/max latency and the error count. Target: zero
errors and p99 < 100 ms at 50 clients on this 2-core machine.

The load generator runs on the same two cores as the server (there is no other
machine); its own cost is part of the measured latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listings() -> list[dict]:
    path = ROOT / "tests" / "data" / "listings_dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    keep = ("id", "title", "description", "price", "currency", "platform", "lang")
    return [{k: row[k] for k in keep if k in row} for row in rows]


def _request(host: str, token: str, body: dict) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = (f"POST /v1/listings/screen HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n")
    return head.encode("ascii") + payload


async def client(base: str, token: str, items: list[dict], offset: int, stop: float,
                 latencies: list[float], errors: list[str]) -> None:
    """One keep-alive connection sending requests one after another.

    A minimal HTTP/1.1 client on asyncio streams: a general-purpose client library costs
    about as much CPU per request as the server does, and both share the same two cores.
    """
    host, port = base.removeprefix("http://").split(":")
    requests = [_request(host, token, item) for item in items]
    reader, writer = await asyncio.open_connection(host, int(port))
    index = offset
    try:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            writer.write(requests[index % len(requests)])
            index += 1
            try:
                status_line = await asyncio.wait_for(reader.readline(), 10)
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as error:
                errors.append(type(error).__name__)
                return
            if not status_line.startswith(b"HTTP/1.1 200"):
                errors.append(status_line.decode("latin-1").strip())
                continue
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def load(base: str, token: str, clients: int, seconds: float) -> tuple[list[float],
                                                                          list[str], float]:
    items = listings()
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(*(client(base, token, items, i * 7, stop, latencies, errors)
                           for i in range(clients)))
    return latencies, errors, time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1,
                        help="server worker processes (notforsale serve's default: 1)")
    parser.add_argument("--db", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="notforsale-bench-service-")
    db = args.db or f"sqlite:///{folder}/bench.db"
    env = dict(os.environ, NOTFORSALE_KEY="bench", NOTFORSALE_DB=db)
    token = subprocess.run([str(BIN / "notforsale"), "token", "create", "--name", "bench"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([str(BIN / "notforsale"), "serve", "--port", str(port),
                               "--workers", str(args.workers), "--db", db], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/docs", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(load(base, token, 4, 2.0))  # warm-up: models, caches, connections
        latencies, errors, elapsed = asyncio.run(load(base, token, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=20)
    result = {
        "date": time.strftime("%Y-%m-%d"), "machine": platform.machine(), "cpus": os.cpu_count(),
        "clients": args.clients, "seconds": round(elapsed, 1), "server_workers": args.workers,
        "requests": len(latencies), "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 1) if latencies else None,
        "p90_ms": round(1000 * percentile(latencies, 0.90), 1) if latencies else None,
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(1000 * max(latencies), 1) if latencies else None,
        "mean_ms": round(1000 * statistics.mean(latencies), 1) if latencies else None,
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{result['date']} {result['machine']} {result['cpus']} CPUs; server workers "
          f"{args.workers}; {args.clients} clients for {result['seconds']} s; database {db}")
    print(f"  {result['requests']} requests, {result['errors']} errors "
          f"{result['error_kinds'] or ''}")
    print(f"  {result['requests_per_second']} requests/s; latency p50 {result['p50_ms']} ms, "
          f"p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms")
    met = result["errors"] == 0 and (result["p99_ms"] or 1e9) < 100
    print(f"  target (zero errors, p99 < 100 ms at 50 clients): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
