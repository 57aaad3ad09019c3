"""The portal's public pages under load, next to a trivial page through the same server and middleware.

    apt-get install wrk
    ./bench new-site portal-bench && ./bench --site portal-bench load-demo
    ./bench --site portal-bench benchmark portal_throughput [--connections 50] [--threads 2] [--duration 10]
        [--warmup 3] [--workers 2] [--repeat 1] [--language zh-hans]

Starts the site's web server the way `bench serve` does (gunicorn, gthread, `--workers` workers, access log
to /dev/null) on a free loopback port and runs wrk against, in turn:
- the anchor: the e-licence verification form (/licence/verify without an identifier) — the portal's shell
  (header, menu, language form with its CSRF token, CSP nonce) around a small fixed form, no query;
- the portal home (/), the guide list (/guides/) and one published guide's page (/guides/<code>/).
For each it prints requests/s, latency p50, p95 and p99, errors, and the ratio of its requests/s to the
anchor's (the issue's target: ≥ 0.70 with p95 ≤ 100 ms at 50 connections), the anchor measured just before and
just after each page so that a drifting load weighs on both. Each run is warmed up first (so the cached pages
are measured warm; the first request after a change renders and stores them).

Before the load it prints, for each portal page, the queries a cold render runs (the portal cache's version
bumped first, so it renews the site's cached portal pages) with their EXPLAIN, and the number a warm one runs.
The machine's cores are shared with wrk itself and whatever else runs (the load average is printed before and
after): run it with --repeat 2 or twice and read the figures side by side.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gov_services.models import Application, Matter
from gov_services.portal import selectors
from lowcode.commands.util import free_port
from lowcode.portal import cache as portal_cache
from lowcode.sites import BENCH_ROOT

# wrk's summary as one line: requests, microseconds, socket errors, non-2xx/3xx, latency percentiles (µs).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _pages(code: str) -> list[tuple[str, str]]:
    return [
        ("anchor: /licence/verify (form)", "/licence/verify"),
        ("portal home /", "/"),
        ("guide list /guides/", "/guides/"),
        ("guide page /guides/<code>/", f"/guides/{code}/"),
    ]


def _explain(sql: str, params: object) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        columns = [c[0] for c in cursor.description]
        return [" | ".join(f"{k}={v}" for k, v in zip(columns, row, strict=True) if v is not None) for row in cursor]


def _queries(path: str, language: str) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    portal_cache.invalidate()
    with CaptureQueriesContext(connection) as cold:
        status = client.get(path).status_code
    with CaptureQueriesContext(connection) as warm:
        client.get(path)
    print(f"\n{path}: HTTP {status}; cold render {len(cold.captured_queries)} queries, warm {len(warm)} queries")
    for n, query in enumerate(cold.captured_queries, start=1):
        shown = re.sub(r"^SELECT (DISTINCT )?.*? FROM ", r"SELECT \1… FROM ", query["sql"])  # no column lists
        print(f"  {n}. {shown}  ({float(query['time']) * 1000:.1f} ms)")
        if query["sql"].lstrip().upper().startswith("SELECT"):
            # the logged statement has its parameters inlined already
            for line in _explain(query["sql"], None):
                print(f"     EXPLAIN: {line}")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _wait(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the web server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit("the web server did not come up")


def _wrk(url: str, script: Path, args: argparse.Namespace, seconds: float) -> dict[str, float]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s", "-s", str(script)]
    command += ["-H", f"Cookie: {settings.LANGUAGE_COOKIE_NAME}={args.language}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, micros, socket_errors, bad_status, p50, p95, p99, worst = (int(v) for v in line.split()[1:])
    return {
        "rps": requests / (micros / 1e6),
        "requests": requests,
        "errors": socket_errors,
        "bad_status": bad_status,
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "max": worst / 1000,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark portal_throughput")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10, help="seconds of measured load per page")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load per page before measuring")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (bench serve: 2)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the pages")
    parser.add_argument("--language", default=settings.LANGUAGE_CODE)
    parser.add_argument("--queries-only", action="store_true", help="the queries and their EXPLAIN, no load")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None and not args.queries_only:
        print("wrk is not installed: apt-get install wrk")
        return 1
    matter = next(iter(selectors.published_matters()), None)
    if matter is None:
        print("no published guide on this site: load the demo data first")
        return 1
    pages = _pages(matter.implementation_code)
    print(
        f"site {settings.SITE_NAME} ({connection.vendor}): {Matter.objects.count()} matters, "
        f"{len(selectors.published_matters())} published guides, {Application.objects.count():,} applications"
    )
    for _label, path in pages:
        _queries(path, args.language)
    connection.close()
    if args.queries_only:
        return 0

    port = free_port(8300)
    env = {**os.environ, "LOWCODE_SITE": settings.SITE_NAME, "PYTHONUNBUFFERED": "1"}
    serve = [sys.executable, "-m", "lowcode.commands", "--site", settings.SITE_NAME, "serve", "--port", str(port)]
    serve += ["--workers", str(args.workers)]
    server_log = tempfile.TemporaryFile()  # the server's error log, read once it ends
    proc = subprocess.Popen(
        serve, env=env, cwd=BENCH_ROOT, stdout=subprocess.DEVNULL, stderr=server_log, start_new_session=True
    )
    measured: list[tuple[str, dict[str, float]]] = []
    load_before = _load()
    try:
        _wait(port, proc)
        base = f"http://127.0.0.1:{port}"
        for label, path in pages:
            with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 (our loopback server)
                size = len(response.read())
            print(f"{label}: HTTP {response.status}, {size:,} bytes")
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "report.lua"
            script.write_text(WRK_REPORT, encoding="utf-8")
            for _round in range(args.repeat):
                # the anchor before and after each page: its ratio is to the mean of the two (load drifts)
                sequence = [pages[0]]
                for page in pages[1:]:
                    sequence += [page, pages[0]]
                for label, path in sequence:
                    if args.warmup:
                        _wrk(base + path, script, args, args.warmup)
                    measured.append((label, _wrk(base + path, script, args, args.duration)))
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        server_log.seek(0)
        log = server_log.read().decode(errors="replace").splitlines()
        server_log.close()
        errors = [line for line in log if "Traceback" in line or "ERROR" in line]
        if errors:
            print("server errors:", *errors[:10], sep="\n  ")

    print(f"\nload average before {load_before}, after {_load()}")
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s (after {args.warmup:g} s warm-up), "
        f"{args.workers} gunicorn workers (gthread, 4 threads), language {args.language}, loopback"
    )
    print(f"{'page':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'× anchor':>9}")
    anchor = pages[0][0]
    for n, (label, r) in enumerate(measured):
        if label == anchor:
            ratio = 1.0
        else:
            ratio = r["rps"] / ((measured[n - 1][1]["rps"] + measured[n + 1][1]["rps"]) / 2)
        errors = int(r["errors"] + r["bad_status"])
        print(f"{label:44} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {errors:7d} {ratio:9.2f}")
    print("(× anchor: to the mean of the anchor runs just before and after the page's)")
    return 0
