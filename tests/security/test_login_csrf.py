"""The API login refuses what a browser sends from another site (login CSRF), as session writes do, while a
client that is no browser — no Origin, no cookies, like Frappe's Python and JS clients — logs in as before."""

from __future__ import annotations

import pytest
from django.test import Client

from lowcode.core.models import LoginEvent
from tests.gov_services.factories import PASSWORD, catalogue, make_user


@pytest.fixture()
def clerk(db):
    departments, _ = catalogue()
    return make_user("clerk", "Window Clerk", departments["centre"])


CREDENTIALS = {"usr": "clerk", "pwd": PASSWORD}


def test_a_form_posted_from_another_site_does_not_log_anyone_in(clerk) -> None:
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post("/api/method/login", CREDENTIALS, HTTP_ORIGIN="https://evil.example")
    assert answer.status_code == 400 and answer.json()["exc_type"] == "CSRFTokenError"
    assert "sessionid" not in answer.cookies
    assert not LoginEvent.objects.filter(outcome="success").exists()


def test_a_browser_with_this_sites_cookies_must_send_the_token(clerk) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")  # the portal's login page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    refused = browser.post("/api/method/login", CREDENTIALS)
    assert refused.status_code == 400 and refused.json()["exc_type"] == "CSRFTokenError"
    accepted = browser.post("/api/method/login", CREDENTIALS, HTTP_X_FRAPPE_CSRF_TOKEN=token)
    assert accepted.status_code == 200 and accepted.json()["message"] == "Logged In"


def test_a_same_origin_page_and_a_plain_client_log_in(clerk) -> None:
    same = Client(enforce_csrf_checks=True)
    answer = same.post("/api/method/login", CREDENTIALS, HTTP_ORIGIN="http://testserver")
    assert answer.status_code == 200
    plain = Client(enforce_csrf_checks=True)
    answer = plain.post("/api/method/login", CREDENTIALS)
    assert (
        answer.status_code == 200 and plain.get("/api/method/frappe.auth.get_logged_user").json()["message"] == "clerk"
    )
