"""/api/method resolves names only from the registry filled at start-up: a guest naming any module of an
installed app gets a 404 in Frappe's shape, nothing is imported, and no exception ends a worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from lowcode.api import registry
from lowcode.commands.util import free_port
from lowcode.sites import BENCH_ROOT
from tests.conftest import subprocess_env

KILLER = "/api/method/lowcode.commands.__main__.x"


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  our own server on loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_unknown_method_is_404_and_imports_nothing(db) -> None:
    sys.modules.pop("lowcode.commands.__main__", None)
    answer = Client().get(KILLER)
    assert answer.status_code == 404
    assert answer.json()["exc_type"] == "DoesNotExistError"
    assert "lowcode.commands.__main__" not in sys.modules
    assert Client().get("/api/method/os.system", {"command": "true"}).status_code == 404


def test_a_method_raising_systemexit_answers_500_in_frappes_shape(db) -> None:
    @registry.whitelist(allow_guest=True, path="tests.exits")
    def exits(**_kwargs):
        raise SystemExit(3)

    try:
        answer = Client().get("/api/method/tests.exits")
    finally:
        registry._methods.pop("tests.exits")
    assert answer.status_code == 500
    assert answer.json()["exc_type"] == "ServerError"


@pytest.mark.django_db(transaction=True)
def test_the_worker_kill_request_leaves_a_real_server_up() -> None:
    port = free_port(8750)
    server = subprocess.Popen(
        [sys.executable, "-m", "lowcode.commands", "serve", "--port", str(port), "--workers", "1"],
        env=subprocess_env(),
        cwd=BENCH_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                normal = _get(f"{base}/api/method/frappe.auth.get_logged_user")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert normal[0] == 401 and normal[1]["exc_type"] == "AuthenticationError"
        before = _workers(server.pid)
        assert len(before) == 1
        for _ in range(5):
            status, body = _get(base + KILLER)
            assert status == 404
            assert body["exc_type"] == "DoesNotExistError"
        assert _get(f"{base}/api/method/frappe.auth.get_logged_user") == normal
        assert _workers(server.pid) == before  # the same worker answered: none was killed and respawned
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
