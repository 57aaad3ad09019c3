"""/api/method resolves names only from the registry filled at start-up: a guest naming any module of an
installed app gets a 404 in Frappe's shape, nothing is imported, and no exception ends a worker."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from lowcode.api import registry
from tests.support.server import bench_serve, first_answer

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
    with bench_serve(8750) as (base, server):
        normal = first_answer(lambda: _get(f"{base}/api/method/frappe.auth.get_logged_user"))
        assert normal[0] == 401 and normal[1]["exc_type"] == "AuthenticationError"
        before = _workers(server.pid)
        assert len(before) == 1
        for _ in range(5):
            status, body = _get(base + KILLER)
            assert status == 404
            assert body["exc_type"] == "DoesNotExistError"
        assert _get(f"{base}/api/method/frappe.auth.get_logged_user") == normal
        assert _workers(server.pid) == before  # the same worker answered: none was killed and respawned
