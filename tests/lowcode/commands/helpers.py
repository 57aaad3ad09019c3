"""Run the real `./bench` wrapper against a throw-away sites folder, as a newcomer would."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

from django.conf import settings

from lowcode.sites import BENCH_ROOT

BENCH = str(BENCH_ROOT / "bench")


def make_sites_dir(root: Path) -> Path:
    sites = root / "sites"
    sites.mkdir()
    shutil.copy(BENCH_ROOT / "sites" / "apps.txt", sites / "apps.txt")
    (sites / "common_site_config.json").write_text(json.dumps({"redis_url": settings.REDIS_URL}), encoding="utf-8")
    return sites


def bench_env(sites: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LOWCODE_SITE", "LOWCODE_DB_NAME")}
    env["LOWCODE_SITES_PATH"] = str(sites)
    return env


def bench(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BENCH, *args], env=env, cwd=BENCH_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


class LineReader:
    """Collects a process's output lines in a thread so a test can wait for one with a deadline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(proc,), daemon=True).start()

    def _pump(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed within {timeout} s; output:\n{''.join(self.lines)}")
