"""Every login (desk, portal, API) is throttled per account and per client address, with back-off, and
audited; the client address comes from the configured proxy header only when a trusted proxy sends it."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory, override_settings

from lowcode.core import throttle
from lowcode.core.models import LoginEvent
from tests.gov_services.factories import PASSWORD, catalogue, make_user


@pytest.fixture()
def world(db):
    departments, _ = catalogue()
    return {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
    }


def desk_login(client: Client, username: str, password: str) -> str:
    page = client.post("/desk/login/", {"username": username, "password": password}, follow=False)
    return "" if page.status_code == 302 else page.content.decode()


def api_login(client: Client, username: str, password: str):
    return client.post(
        "/api/method/login", data=json.dumps({"usr": username, "pwd": password}), content_type="application/json"
    )


def test_five_failures_lock_the_account_on_every_login_and_the_audit_shows_it(world) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="probe/1.0")
    for _ in range(5):
        refused = desk_login(client, "clerk", "wrong")
        assert refused and "登录失败次数过多" not in refused  # the login form again, not yet locked
    locked = desk_login(client, "clerk", PASSWORD)
    assert "登录失败次数过多" in locked  # the right password, refused while locked
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert "登录失败次数过多" in desk_login(other, "clerk", PASSWORD)  # the account, from anywhere
    answer = api_login(other, "clerk", PASSWORD)
    assert answer.status_code == 429 and answer.json()["exc_type"] == "TooManyRequestsError"
    portal = other.post("/login/", {"username": "clerk", "password": PASSWORD})
    assert portal.status_code == 200 and "登录失败次数过多" in portal.content.decode()
    assert desk_login(Client(REMOTE_ADDR="198.51.100.9"), "sysmgr", PASSWORD) == ""  # others are not affected

    events = list(LoginEvent.objects.filter(username="clerk").order_by("id").values_list("outcome", "address"))
    assert events[:5] == [("failure", "203.0.113.7")] * 5
    assert [o for o, _a in events[5:]] == ["locked"] * 4
    assert LoginEvent.objects.filter(username="clerk", outcome="failure").first().user_agent == "probe/1.0"

    throttle.reset(username="clerk", request=RequestFactory().get("/", REMOTE_ADDR="203.0.113.7"))
    assert desk_login(Client(REMOTE_ADDR="203.0.113.7"), "clerk", PASSWORD) == ""
    assert LoginEvent.objects.filter(username="clerk", outcome="success").count() == 1


def test_locks_back_off_and_an_address_is_locked_across_accounts(world) -> None:
    probe = Client(REMOTE_ADDR="203.0.113.50")
    for i in range(20):
        api_login(probe, f"guess{i}", "wrong")
    assert api_login(probe, "sysmgr", PASSWORD).status_code == 429  # this address, whatever the account
    assert api_login(Client(REMOTE_ADDR="203.0.113.51"), "sysmgr", PASSWORD).status_code == 200
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.60")
    for _ in range(5):
        throttle._failed(request, "clerk")
    first = throttle.locked_for(request, "clerk")
    throttle._redis(throttle.settings.REDIS_URL).delete(throttle._key("lock", "user", "clerk"))
    for _ in range(5):
        throttle._failed(request, "clerk")
    assert 0 < first <= 60 and 60 < throttle.locked_for(request, "clerk") <= 120


def test_one_bucket_per_account_however_its_name_is_typed() -> None:
    assert throttle.account_key("Ádmin") == throttle.account_key("ａｄｍｉｎ") == throttle.account_key(" admin ")
    assert throttle.account_key("３２１１０２") == "321102"


def test_the_proxy_header_is_believed_only_from_a_trusted_proxy(db) -> None:
    factory = RequestFactory()
    with override_settings(TRUSTED_PROXIES=["10.0.0.2"], TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR"):
        behind = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.8")
        assert throttle.client_address(behind) == "203.0.113.8"
        spoofed = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")
        assert throttle.client_address(spoofed) == "203.0.113.9"
    assert throttle.client_address(factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9")) == (
        "10.0.0.2"
    )


def test_the_system_manager_reads_the_login_audit(world) -> None:
    desk_login(Client(), "clerk", "wrong")
    manager = Client()
    assert manager.login(username="sysmgr", password=PASSWORD)
    page = manager.get("/desk/lowcode_core/loginevent/")
    assert page.status_code == 200 and "clerk" in page.content.decode()
    clerk = Client()
    assert clerk.login(username="clerk", password=PASSWORD)
    assert clerk.get("/desk/lowcode_core/loginevent/").status_code == 403
