"""Shared fixtures: real Redis, Debian's chromium through Playwright, bench subprocesses, artifacts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from redis import Redis

from lowcode.sites import BENCH_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def backend() -> str:
    return os.environ.get("BENCH_TEST_BACKEND", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1])


@pytest.fixture(scope="session")
def artifacts(backend: str) -> Path:
    path = BENCH_ROOT / "artifacts" / backend
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture()
def redis() -> Redis:
    conn = Redis.from_url(settings.REDIS_URL)
    conn.ping()  # a real Redis or the test fails; never skipped
    return conn


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a bench subprocess that must see this test's database."""
    env = {**os.environ, "PYTHONPATH": str(BENCH_ROOT), **extra}
    env["LOWCODE_DB_NAME"] = str(connection.settings_dict["NAME"])
    return env


def run_bench(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lowcode.commands", *args],
        env=env or subprocess_env(),
        cwd=BENCH_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def desk_login(page, base_url: str, username: str, password: str) -> None:
    """Sign in to the desk through its login form, as a person does."""
    page.goto(f"{base_url}/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/desk/")


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> Iterator[None]:
    """Each test starts with no failed-login counters or locks left by another (they live in Redis)."""
    from lowcode.core import throttle

    yield
    throttle.reset()
