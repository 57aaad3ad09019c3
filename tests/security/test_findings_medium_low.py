"""Issue 15, the Medium and Low findings that had no test performing the attack itself: login throttling on
the portal and API logins, a System Manager's other ways to the highest rights, the rq dashboard's writes,
Online Level Change in the desk, the public schema, 500s from a recursive print template, uncapped pages,
rate limits behind the reverse proxy and depends_on expressions. Each asserts the refusal and that nothing
changed or leaked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.fields.files import FieldFile
from django.test import Client, override_settings
from django.utils import translation

from gov_services.models import Application
from lowcode.api.models import credential_generate
from lowcode.core.models import LoginEvent
from lowcode.printing.models import PrintFormat
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.gov_services.portal_support import citizen

LOCKED = "登录失败次数过多"
RECURSING = "{% macro f(n) %}{{ f(n) }}{% endmacro %}"
BEHIND_PROXY = override_settings(TRUSTED_PROXIES=["10.0.0.2"], TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR")


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    users = {
        "clerk": clerk,
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
        "liaison.market": make_user("liaison.market", "Department Liaison", departments["market"]),
        "liaison.planning": make_user("liaison.planning", "Department Liaison", departments["planning"]),
    }
    root = get_user_model().objects.create_superuser("Administrator", password=PASSWORD)
    alice = citizen("32110219880101001", "李四", "13800000001", clerk=clerk)
    app = make_application(matters[0], user=clerk, applicant_user=alice.user)
    cache.clear()  # the public lookups' counters
    with translation.override("zh-hans"):
        yield {
            "departments": departments,
            "matters": matters,
            "users": users,
            "root": root,
            "alice": alice,
            "app": app,
        }


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post_json(client: Client, url: str, data: dict) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def api_login(client: Client, username: str, password: str) -> Any:
    return post_json(client, "/api/method/login", {"usr": username, "pwd": password})


# -- Medium: no throttling on any login -----------------------------------------------------------------------


def test_failures_on_the_portal_login_lock_a_citizen_on_every_login(world) -> None:
    """Citizens sign in with their ID number, which is often known: the portal's own failures lock it."""
    account = world["alice"]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in account.id_number)  # ０-９ and Ｘ as typed by some IMEs
    typed = [account.id_number, account.id_number.lower(), f" {account.id_number} ", full_width, account.id_number]
    prober = Client(REMOTE_ADDR="203.0.113.21")
    for login in typed:
        answer = prober.post("/login/", {"username": login, "password": "wrong-password"})
        assert answer.status_code == 200 and LOCKED not in answer.content.decode()
    right = prober.post("/login/", {"username": account.id_number, "password": PASSWORD})
    assert right.status_code == 200 and LOCKED in right.content.decode()
    assert "sessionid" not in right.cookies and prober.get("/my/").status_code == 302  # not signed in
    elsewhere = Client(REMOTE_ADDR="198.51.100.21")
    answer = api_login(elsewhere, account.id_number, PASSWORD)
    assert answer.status_code == 429 and answer.json()["exc_type"] == "TooManyRequestsError"
    assert "sessionid" not in answer.cookies
    assert elsewhere.get("/api/method/frappe.auth.get_logged_user").status_code == 401
    assert LoginEvent.objects.filter(outcome="success").count() == 0
    assert LoginEvent.objects.filter(outcome="failure").count() == 5


def test_failures_on_the_api_login_lock_the_account_on_the_desk_and_the_portal(world) -> None:
    prober = Client(REMOTE_ADDR="203.0.113.22")
    for _ in range(5):
        answer = api_login(prober, "clerk", "wrong-password")
        assert answer.status_code == 401 and answer.json()["exc_type"] == "AuthenticationError"
    assert api_login(prober, "clerk", PASSWORD).status_code == 429
    desk_page = Client(REMOTE_ADDR="198.51.100.22").post("/desk/login/", {"username": "clerk", "password": PASSWORD})
    assert desk_page.status_code == 200 and LOCKED in desk_page.content.decode()
    assert "sessionid" not in desk_page.cookies
    portal = Client(REMOTE_ADDR="198.51.100.23").post("/login/", {"username": "clerk", "password": PASSWORD})
    assert portal.status_code == 200 and LOCKED in portal.content.decode()
    assert not LoginEvent.objects.filter(username="clerk", outcome="success").exists()


def test_an_address_guessing_many_accounts_is_locked_on_the_portal(world) -> None:
    prober = Client(REMOTE_ADDR="203.0.113.23")
    for i in range(20):
        prober.post("/login/", {"username": f"1101051980010{i:04d}", "password": "guess"})
    answer = prober.post("/login/", {"username": world["alice"].id_number, "password": PASSWORD})
    assert LOCKED in answer.content.decode() and "sessionid" not in answer.cookies
    assert prober.get("/my/").status_code == 302


# -- Medium: a System Manager and the highest rights ----------------------------------------------------------


def flags(user: Any) -> tuple:
    user = get_user_model().objects.get(pk=user.pk)
    return user.is_superuser, user.is_staff, user.first_name, user.password, sorted(user.groups.values_list("name"))


def test_a_system_manager_reaches_the_highest_rights_by_no_other_api_call(world) -> None:
    sysmgr, root, clerk = world["users"]["sysmgr"], world["root"], world["users"]["clerk"]
    client = api(sysmgr)
    before = flags(sysmgr), flags(root), flags(clerk)
    users = get_user_model().objects.count()
    for answer in (
        post_json(client, "/api/resource/User", {"username": "evil", "is_superuser": 1, "is_staff": 1}),
        post_json(
            client,
            "/api/method/frappe.client.insert",
            {"doc": {"doctype": "User", "username": "evil2", "is_superuser": 1}},
        ),
        post_json(
            client,
            "/api/method/frappe.client.set_value",
            {"doctype": "User", "name": "sysmgr", "fieldname": "is_superuser", "value": 1},
        ),
        post_json(
            client,
            "/api/method/frappe.client.set_value",
            {"doctype": "User", "name": "sysmgr", "fieldname": json.dumps({"is_staff": 1, "is_superuser": 1})},
        ),
        post_json(
            client,
            "/api/method/frappe.client.save",
            {"doc": {"doctype": "User", "name": "sysmgr", "is_superuser": 1}},
        ),
        post_json(
            client,
            "/api/method/frappe.client.set_value",
            {"doctype": "User", "name": "clerk", "fieldname": "is_superuser", "value": 1},
        ),
        post_json(
            client,
            "/api/method/frappe.client.set_value",
            {"doctype": "User", "name": "Administrator", "fieldname": "first_name", "value": "x"},
        ),
        post_json(client, "/api/method/frappe.client.delete", {"doctype": "User", "name": "Administrator"}),
    ):
        assert answer.status_code in (403, 417), answer.content.decode()[:300]
    assert (flags(sysmgr), flags(root), flags(clerk)) == before
    assert get_user_model().objects.count() == users


def change_form_data(page: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in page.context["adminform"].form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if isinstance(value, FieldFile) or value is None:
            continue
        if isinstance(value, list | tuple):
            value = [str(v) for v in value]
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[bound.html_name] = value
    return data


def test_a_system_manager_cannot_make_itself_superuser_in_the_desk(world) -> None:
    sysmgr, root = world["users"]["sysmgr"], world["root"]
    client = desk(sysmgr)
    url = f"/desk/auth/user/{sysmgr.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    before = flags(sysmgr), flags(root)
    data = change_form_data(page)
    data.update(is_superuser="on", is_staff="on", user_permissions=[])
    client.post(url, data)
    assert (flags(sysmgr), flags(root)) == before
    password = client.post(
        f"/desk/auth/user/{root.pk}/password/", {"password1": "Taken-over-pass-9", "password2": "Taken-over-pass-9"}
    )
    assert password.status_code == 403
    assert (flags(sysmgr), flags(root)) == before
    assert Client().login(username="Administrator", password=PASSWORD)


# -- Medium: the rq dashboard ---------------------------------------------------------------------------------


def test_no_desk_user_but_a_superuser_empties_a_queue(world, redis) -> None:
    from django.conf import settings
    from rq import Queue

    name = next(iter(settings.RQ_QUEUES))  # the dashboard's queue 0
    queue = Queue(name, connection=redis)
    job = queue.enqueue("os.getcwd")
    try:
        for user in (world["users"]["sysmgr"], world["users"]["clerk"]):
            client = desk(user)
            for url in ("/desk/rq/queues/0/empty/", f"/desk/rq/queues/0/{job.id}/delete/", "/desk/rq/queues/0/"):
                answer = client.post(url, {"post": "yes"})
                assert answer.status_code == 403, (user.username, url, answer.status_code)
                assert name not in answer.content.decode() and settings.REDIS_URL not in answer.content.decode()
            assert job.id in queue.job_ids
        guest = Client().post("/desk/rq/queues/0/empty/", {"post": "yes"})
        assert guest.status_code == 302 and job.id in queue.job_ids
    finally:
        job.delete()


# -- Medium: Online Level Change in the desk -----------------------------------------------------------------


def test_another_departments_online_level_change_is_not_in_the_desk(world) -> None:
    from gov_services.gov_services.doctype.matter.services import online_level_change_request
    from gov_services.models import Matter, OnlineLevelChange

    market_dept = world["departments"]["market"]
    matter = next(m for m in world["matters"] if m.department_id == market_dept.pk)
    Matter.objects.filter(pk=matter.pk).update(online_level=1)
    matter.refresh_from_db()
    change = online_level_change_request(
        matter=matter, to_level=2, reason="网上申办量大", user=world["users"]["liaison.market"]
    )
    before = OnlineLevelChange.objects.filter(pk=change.pk).values().get()
    planning = desk(world["users"]["liaison.planning"])
    url = "/desk/gov_services/onlinelevelchange/"
    listed = planning.get(url)
    assert listed.status_code == 200 and f"{url}{change.pk}/change/" not in listed.content.decode()
    assert planning.get(f"{url}{change.pk}/change/").status_code in (302, 404)
    assert planning.post(f"{url}{change.pk}/change/", {"status": "approved"}).status_code in (302, 403, 404)
    market_api = api(world["users"]["liaison.market"])
    for data in ({"status": "approved"}, {"status": "rejected"}, {"to_level": 4}):
        answer = post_json(
            market_api,
            "/api/method/frappe.client.save",
            {"doc": {"doctype": "Online Level Change", "name": change.pk, **data}},
        )
        assert answer.status_code in (403, 417), answer.content.decode()[:300]
    assert OnlineLevelChange.objects.filter(pk=change.pk).values().get() == before
    assert Matter.objects.get(pk=matter.pk).online_level == 1
    assert f"{url}{change.pk}/change/" in desk(world["users"]["liaison.market"]).get(url).content.decode()


# -- Low: the schema and docs behind login --------------------------------------------------------------------


def test_a_guest_reads_neither_the_schema_nor_the_docs(world) -> None:
    for url in ("/api/schema", "/api/docs", "/api/schema?format=json"):
        answer = Client().get(url)
        assert answer.status_code in (302, 401, 403), url
        body = answer.content.decode()
        assert "/api/resource/Application" not in body and "id_number" not in body and "openapi" not in body


# -- Low: 500s on a recursive template macro ------------------------------------------------------------------


def test_a_recursive_macro_is_refused_on_save_in_the_preview_and_in_print(world) -> None:
    sysmgr = world["users"]["sysmgr"]
    formats = PrintFormat.objects.count()
    saved = post_json(
        api(sysmgr),
        "/api/resource/Print Format",
        {"name": "递归", "doctype": "Application", "template": RECURSING + "{{ f(1) }}"},
    )
    assert saved.status_code == 417, saved.content.decode()[:300]
    assert PrintFormat.objects.count() == formats

    client = desk(sysmgr)
    preview = client.post(
        "/desk/printing/preview/",
        {"doctype": "Application", "record": world["app"].pk, "template": RECURSING + "{{ f(1) }}"},
    )
    assert preview.status_code in (200, 422), preview.status_code
    assert "sandbox" in preview["Content-Security-Policy"]

    # a format that recurses only for some records passes its save and fails as a refusal when printed
    made = post_json(
        api(sysmgr),
        "/api/resource/Print Format",
        {
            "name": "有时递归",
            "doctype": "Application",
            "template": RECURSING + '{% if doc.remarks == "loop" %}{{ f(1) }}{% endif %}<p>{{ doc.number }}</p>',
        },
    )
    assert made.status_code == 200, made.content.decode()[:300]
    Application.objects.filter(pk=world["app"].pk).update(remarks="loop")
    printed = client.get(f"/desk/print/gov_services/application/{world['app'].pk}/", {"format": "有时递归"})
    assert printed.status_code == 422 and b"%PDF" not in printed.content


# -- Low: no cap on limit_page_length -------------------------------------------------------------------------


def test_a_page_is_never_longer_than_the_cap(world, monkeypatch) -> None:
    from gov_services.models import Matter
    from lowcode.api import views

    client = api(world["users"]["clerk"])
    total = Matter.objects.count()
    everything = client.get("/api/resource/Matter", {"limit_page_length": 10**9})
    assert everything.status_code == 200 and len(everything.json()["data"]) == total > 7
    monkeypatch.setattr(views, "MAX_PAGE", 7)
    for params in ({"limit_page_length": 10**9}, {"limit_page_length": 0}, {"limit": 10**6}):
        rows = client.get("/api/resource/Matter", params)
        assert rows.status_code == 200 and len(rows.json()["data"]) == 7, params
    listed = client.get("/api/method/frappe.client.get_list", {"doctype": "Matter", "limit_page_length": 10**9})
    assert listed.status_code == 200 and len(listed.json()["message"]) == 7
    assert client.get("/api/resource/Matter", {"limit_page_length": 10**10}).status_code == 417


# -- Low: rate limits keyed on REMOTE_ADDR only ---------------------------------------------------------------


def _lookup(client: Client, number: str, phone: str = "13800000009") -> int:
    return client.post("/progress/", {"number": number, "phone": phone}).status_code


def test_citizens_behind_the_proxy_have_their_own_lookup_allowance(world) -> None:
    first = world["app"]
    second = make_application(world["matters"][1], user=world["users"]["clerk"], phone="13912340000")
    with BEHIND_PROXY:
        one = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.31")
        codes = [_lookup(one, first.number) for _ in range(11)]
        assert codes[:10] == [404] * 10 and codes[10] == 429
        assert _lookup(one, first.number, first.phone) == 429  # the right phone too, once limited
        other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.32")
        assert _lookup(other, second.number, second.phone) == 200  # not the first citizen's bucket
        # a client that is not the proxy cannot pick a fresh address by sending the header itself
        spoofer = [
            _lookup(Client(REMOTE_ADDR="203.0.113.33", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"), second.number)
            for i in range(11)
        ]
        assert spoofer[10] == 429


def test_licence_checks_behind_the_proxy_count_each_citizen(world) -> None:
    from datetime import date

    from gov_services.gov_services.doctype.licence.services import licence_issue
    from gov_services.models import LicenceType

    licence = licence_issue(
        licence_type=LicenceType.objects.get(code="11100000000013338W"),
        issuer=world["departments"]["market"],
        holder_name="张伟",
        holder_id_type="resident_id",
        holder_id_number=world["alice"].id_number,
        issued_on=date(2026, 3, 2),
        user=None,
    )
    with BEHIND_PROXY:
        one = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.41")
        codes = [one.get("/licence/verify", {"id": licence.identifier}).status_code for _ in range(31)]
        assert codes[:30] == [200] * 30 and codes[30] == 429
        other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.42")
        assert other.get("/licence/verify", {"id": licence.identifier}).status_code == 200
        spoofer = Client(REMOTE_ADDR="203.0.113.43")
        spoofed = [
            spoofer.get("/licence/verify", {"id": licence.identifier}, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
            for i in range(31)
        ]
        assert spoofed[30] == 429


# -- Low: expressions bound neither time nor size (depends_on) ------------------------------------------------


COSTLY = "((range(99999)|list)*300)|length > 0"


def test_a_costly_depends_on_is_refused_by_the_sandbox_and_the_form_still_opens(world) -> None:
    from jinja2.exceptions import SecurityError

    from lowcode.customization import services as custom_services
    from lowcode.customization import values
    from lowcode.customization.models import CustomField
    from lowcode.workflow.expressions import compile_expression

    with pytest.raises(SecurityError):
        compile_expression(COSTLY)(doc={})
    with pytest.raises(SecurityError):
        compile_expression("((range(9999)|list)*300)|length > 0")(doc={})
    cf = custom_services.custom_field_insert(
        cf=CustomField(doctype="Application", fieldname="costly", label_zh="说明", fieldtype="Data", depends_on=COSTLY),
        user=world["users"]["sysmgr"],
    )
    assert values.visible(CustomField.objects.get(pk=cf.pk), world["app"]) is True  # refused, shown as if true
    page = desk(world["users"]["clerk"]).get(f"/desk/gov_services/application/{world['app'].pk}/change/")
    assert page.status_code == 200


# Only filters: no call, attribute, item, "*" or range() step of the sandbox's own, where its budget is checked.
FILTERS_ONLY = "('x'|center(99999)|list|map('string')|sort|unique|list|join|length) > 0"


def test_a_workflow_condition_of_filters_alone_is_stopped_by_its_time_budget(db, monkeypatch) -> None:
    from lowcode.workflow import expressions

    class Doc:
        _meta = type("Meta", (), {"concrete_fields": []})()

    monkeypatch.setattr(expressions, "EXPRESSION_SECONDS", 1e-6)  # any real work is past this budget
    with pytest.raises(expressions.ExpressionError):
        expressions.evaluate(FILTERS_ONLY, Doc(), None)


def test_a_depends_on_runs_under_the_sandboxs_time_budget(world, monkeypatch) -> None:
    from lowcode.core import sandbox
    from lowcode.customization import values
    from lowcode.customization.models import CustomField

    checks: list[float] = []
    original = sandbox.Budget.check

    def counted(self: Any) -> None:
        checks.append(self.seconds)
        original(self)

    monkeypatch.setattr(sandbox.Budget, "check", counted)
    cf = CustomField(doctype="Application", fieldname="x", fieldtype="Data", depends_on="range(500)|list|length > 0")
    assert values.visible(cf, world["app"]) is True
    assert checks, "the depends_on ran with no time budget"
