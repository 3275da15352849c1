"""Sustained API load: N concurrent clients for T seconds against a running server; errors and latency percentiles.

Usage (a server must be running, e.g. `JICENG_DATA_DIR=… jiceng serve --workers 4 --port 8010`):

    python benchmarks/load.py --url http://127.0.0.1:8010 --token TOKEN [--clients 50] [--seconds 60]

Each client is a thread with its own HTTP session that loops over a mix of list, detail and search requests
on the API (the endpoints a dashboard or a mobile client polls), each request authenticated by the token
(`jiceng token USERNAME` prints one). Any status other than 200, and any connection error, counts as an error.
Prints a Markdown table: requests, errors, throughput, median/p95/p99/max latency per endpoint and overall.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import defaultdict

import requests

ENDPOINTS = [
    "/api/places/?page_size=20",
    "/api/enterprises/?page_size=20",
    "/api/enterprises/?q=科技&page_size=20",
    "/api/members/?page_size=20",
    "/api/organizations/?page_size=20",
    "/api/demands/?page_size=20",
    "/api/demands/?status=submitted&page_size=20",
    "/api/risk/enterprises/?page_size=20",
    "/api/lists/needs/?page_size=20",
    "/api/lists/projects/?page_size=20",
    "/api/coverage/",
    "/healthz",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(url: str, token: str, clients: int, seconds: float, seed: int = 1) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start_gate = threading.Barrier(clients)

    def client(index: int) -> None:
        rng = random.Random(f"{seed}:{index}")
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        start_gate.wait()
        while time.monotonic() < deadline:
            path = rng.choice(ENDPOINTS)
            began = time.perf_counter()
            try:
                response = session.get(url + path, timeout=30)
                status = response.status_code
                problem = None if status == 200 else f"HTTP {status}"
            except requests.RequestException as exc:
                problem = type(exc).__name__
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies[path].append(elapsed)
                if problem:
                    errors[path].append(problem)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "elapsed": time.monotonic() - began}


def report(result: dict, clients: int) -> str:
    lines = ["| endpoint | requests | errors | median ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    everything: list[float] = []
    error_total = 0
    for path in ENDPOINTS:
        values = result["latencies"].get(path, [])
        if not values:
            continue
        everything += values
        error_total += len(result["errors"].get(path, []))
        lines.append(f"| `{path}` | {len(values)} | {len(result['errors'].get(path, []))} | "
                     f"{statistics.median(values):.0f} | {percentile(values, 0.95):.0f} | "
                     f"{percentile(values, 0.99):.0f} | {max(values):.0f} |")
    lines.append(f"| **all** | {len(everything)} | {error_total} | {statistics.median(everything):.0f} | "
                 f"{percentile(everything, 0.95):.0f} | {percentile(everything, 0.99):.0f} | {max(everything):.0f} |")
    lines.append("")
    lines.append(f"{clients} clients, {result['elapsed']:.0f} s, {len(everything) / result['elapsed']:.0f} requests/s, "
                 f"{error_total} errors.")
    kinds = sorted({e for errs in result["errors"].values() for e in errs})
    if kinds:
        lines.append(f"Error kinds: {', '.join(kinds)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8010")
    parser.add_argument("--token", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)
    result = run(args.url.rstrip("/"), args.token, args.clients, args.seconds)
    print(report(result, args.clients))
    return 1 if any(result["errors"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
