"""A real `bench serve` for a test: started on a free port against this test's database, stopped after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from lowcode.commands.util import free_port
from lowcode.sites import BENCH_ROOT
from tests.conftest import subprocess_env

T = TypeVar("T")


@contextmanager
def bench_serve(first_port: int, *, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yields the server's base URL and its process (the gunicorn master)."""
    port = free_port(first_port)
    server = subprocess.Popen(
        [sys.executable, "-m", "lowcode.commands", "serve", "--port", str(port), "--workers", str(workers)],
        env=subprocess_env(),
        cwd=BENCH_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def first_answer(call: Callable[[], T], timeout: float = 60) -> T:
    """`call()`'s result once the server answers (connection refused until it is up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
