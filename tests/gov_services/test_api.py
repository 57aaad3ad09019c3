"""The REST API in Frappe's shape, on the domain's records: every list parameter and operator, the same
permissions as the desk, token and session auth, errors in Frappe's shape, the standard methods."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from gov_services.models import Application, Department, KnowledgeArticle, WorkOrder
from lowcode.api.models import credential_generate
from lowcode.core.models import Role
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market, planning = departments["market"], departments["planning"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
        "other": make_user("other-reviewer", "Department Reviewer", planning),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "liaison": make_user("liaison", "Department Liaison", market),
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
    }
    m_market = next(m for m in matters if m.department_id == market.pk)
    m_planning = next(m for m in matters if m.department_id == planning.pk)
    apps = []
    base = timezone.now() - timedelta(days=10)
    for i, (matter, name) in enumerate(
        [(m_market, "张伟"), (m_market, "李娜"), (m_market, "王芳"), (m_planning, "赵磊"), (m_planning, "陈静")]
    ):
        apps.append(
            make_application(matter, user=users["clerk"], applicant_name=name, submitted_at=base + timedelta(days=i))
        )
    engine.apply_transition(apps[1], "accept", users["clerk"])
    with translation.override("zh-hans"):
        yield {"users": users, "apps": apps, "market": market, "planning": planning}


def token_client(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def listing(client: Client, doctype: str = "Application", **params) -> list:
    query = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
    response = client.get(f"/api/resource/{doctype}", query)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.json()["data"]


def names(rows: list) -> set:
    return {r["name"] for r in rows}


def test_every_operator(world) -> None:
    c = token_client(world["users"]["clerk"])
    a = world["apps"]
    n = [x.number for x in a]
    at = [timezone.localtime(x.submitted_at).strftime("%Y-%m-%d %H:%M:%S.%f") for x in a]
    cases = [
        ([["applicant_name", "=", "张伟"]], {n[0]}),
        ([["applicant_name", "!=", "张伟"]], set(n[1:])),
        ([["submitted_at", ">", at[2]]], {n[3], n[4]}),
        ([["submitted_at", "<", at[1]]], {n[0]}),
        ([["submitted_at", ">=", at[3]]], {n[3], n[4]}),
        ([["submitted_at", "<=", at[0]]], {n[0]}),
        ([["applicant_name", "like", "%娜"]], {n[1]}),
        ([["applicant_name", "like", "王_"]], {n[2]}),
        ([["applicant_name", "not like", "%娜%"]], set(n) - {n[1]}),
        ([["applicant_name", "in", ["张伟", "赵磊"]]], {n[0], n[3]}),
        ([["applicant_name", "in", "张伟,赵磊"]], {n[0], n[3]}),
        ([["applicant_name", "not in", ["张伟", "赵磊"]]], {n[1], n[2], n[4]}),
        ([["submitted_at", "between", [at[1], at[3]]]], {n[1], n[2], n[3]}),
        ([["accepted_at", "is", "set"]], {n[1]}),
        ([["accepted_at", "is", "not set"]], set(n) - {n[1]}),
        ([["Application", "status", "=", "accepted"]], {n[1]}),  # Frappe's 4-part form
        ([["department", "=", world["market"].name]], {n[0], n[1], n[2]}),  # a link by its name
        ({"status": "accepted"}, {n[1]}),
        ({"applicant_name": ["like", "%芳"]}, {n[2]}),
        ([["name", "=", n[4]]], {n[4]}),
    ]
    for filters, expected in cases:
        assert names(listing(c, filters=filters, limit_page_length=0)) == expected, filters


def test_every_list_parameter(world) -> None:
    c = token_client(world["users"]["clerk"])
    a = world["apps"]
    rows = listing(c)
    assert [set(r) for r in rows] == [{"name"}] * 5  # default: names only, newest first
    rows = listing(c, fields=["name", "applicant_name", "status"], order_by="applicant_name asc", limit_page_length=0)
    assert [r["applicant_name"] for r in rows] == sorted(x.applicant_name for x in a)
    assert set(rows[0]) == {"name", "applicant_name", "status"}
    all_fields = listing(c, fields=["*"], limit=1)
    assert len(all_fields) == 1 and {"number", "matter", "submitted_at", "creation", "modified"} <= set(all_fields[0])
    by_date = listing(c, fields=["name"], order_by="submitted_at desc", limit_start=1, limit_page_length=2)
    assert [r["name"] for r in by_date] == [a[3].number, a[2].number]
    either = listing(c, or_filters=[["applicant_name", "=", "张伟"], ["applicant_name", "=", "陈静"]])
    assert names(either) == {a[0].number, a[4].number}
    lists = listing(c, fields=["name", "applicant_name"], as_dict=0, order_by="submitted_at asc", limit=2)
    assert lists == [[a[0].number, "张伟"], [a[1].number, "李娜"]]
    one = c.get(f"/api/resource/Application/{a[1].number}").json()["data"]
    assert one["status"] == "accepted" and one["doctype"] == "Application"
    assert [m["title"] for m in one["materials"]] == list(a[1].materials.values_list("name", flat=True))
    assert all(m["parentfield"] == "materials" and m["parent"] == a[1].number for m in one["materials"])


def test_bad_input_is_a_clear_417_and_changes_nothing(world) -> None:
    c = token_client(world["users"]["clerk"])
    before = Application.objects.count(), WorkOrder.objects.count()
    bad = [
        {"filters": "[[bad json"},
        {"filters": '[["nope", "=", 1]]'},
        {"filters": '[["status", "~", "x"]]'},
        {"filters": '[["submitted_at", ">", "not a date"]]'},
        {"filters": '[["submitted_at", "between", ["2026-01-01"]]]'},
        {"filters": '[["accepted_at", "is", "maybe"]]'},
        {"fields": '["password"]'},
        {"order_by": "status sideways"},
        {"order_by": "status; drop table x"},
        {"limit_page_length": "ten"},
        {"limit_start": "-3"},
    ]
    for params in bad:
        response = c.get("/api/resource/Application", params)
        assert response.status_code == 417, (params, response.status_code)
        body = response.json()
        assert body["exc_type"] in ("ValidationError", "DataError") and body["exception"].startswith(
            "frappe.exceptions."
        )
        assert json.loads(json.loads(body["_server_messages"])[0])["message"]
    broken = c.post("/api/resource/Work Order", data="{not json", content_type="application/json")
    assert broken.status_code == 417 and "not valid JSON" in broken.json()["exception"]
    assert (Application.objects.count(), WorkOrder.objects.count()) == before
    assert c.get("/api/resource/NoSuchDocType").status_code == 404
    assert c.get("/api/resource/Application/BJ-none").status_code == 404


def test_permissions_are_the_desks(world) -> None:
    users, a = world["users"], world["apps"]
    reviewer = token_client(users["reviewer"])  # market
    own, foreign = a[0], a[3]  # market, planning
    assert names(listing(reviewer, limit_page_length=0)) == {a[0].number, a[1].number, a[2].number}
    assert reviewer.get(f"/api/resource/Application/{foreign.number}").status_code == 404
    change = reviewer.put(
        f"/api/resource/Application/{foreign.number}",
        data=json.dumps({"remarks": "x"}),
        content_type="application/json",
    )
    assert change.status_code == 404
    assert reviewer.delete(f"/api/resource/Application/{foreign.number}").status_code in (403, 404)
    foreign.refresh_from_db()
    assert foreign.remarks == "" and Application.objects.filter(pk=foreign.pk).exists()
    assert reviewer.get("/api/method/frappe.client.get_count", {"doctype": "Application"}).json()["message"] == 3

    ok = reviewer.put(
        f"/api/resource/Application/{own.number}",
        data=json.dumps({"remarks": "已电话联系"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["data"]["remarks"] == "已电话联系"
    state = reviewer.put(
        f"/api/resource/Application/{own.number}",
        data=json.dumps({"status": "approved"}),
        content_type="application/json",
    )
    assert state.status_code == 417 and "由工作流设置" in state.json()["exception"]

    hotline = token_client(users["hotline"])
    row = listing(hotline, fields=["name", "id_number"], limit=1)[0]
    assert "*" in row["id_number"] and row["id_number"] != Application.objects.get(number=row["name"]).id_number
    masked_filter = hotline.get("/api/resource/Application", {"filters": json.dumps([["id_number", "like", "3201%"]])})
    assert masked_filter.status_code == 403  # no guessing masked numbers by filtering
    full = listing(token_client(users["clerk"]), fields=["name", "id_number"], limit=1)[0]
    assert "*" not in full["id_number"]
    assert hotline.post("/api/resource/Department", data="{}", content_type="application/json").status_code == 403
    assert Client().get("/api/resource/Application").status_code == 403  # a guest


def test_create_update_delete_and_conflicts(world) -> None:
    users = world["users"]
    hotline = token_client(users["hotline"])
    created = hotline.post(
        "/api/resource/Work Order",
        data=json.dumps(
            {
                "order_type": "consultation",
                "source": "hotline",
                "subject": "营业执照办理时间",
                "content": "请问要多久？",
                "applicant_name": "市民甲",
                "phone": "13900000000",
                "received_at": "2026-11-20 10:00:00",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 200, created.content.decode()[:500]
    order = created.json()["data"]
    assert order["name"].startswith("GD") and order["status"] == "new" and order["owner"] == "hotline"
    missing = hotline.post(
        "/api/resource/Work Order", data=json.dumps({"subject": "x"}), content_type="application/json"
    )
    assert missing.status_code == 417 and "content" in missing.json()["exception"]
    assert WorkOrder.objects.count() == 1

    liaison = token_client(users["liaison"])
    article = liaison.post(
        "/api/resource/Knowledge Article",
        data=json.dumps(
            {
                "title": "办理时限问答",
                "question": "多久办结？",
                "answer": "承诺 5 个工作日。",
                "department": world["market"].name,
            }
        ),
        content_type="application/json",
    )
    assert article.status_code == 200, article.content.decode()[:500]
    pk = article.json()["data"]["name"]
    assert liaison.delete(f"/api/resource/Knowledge Article/{pk}").json() == {"data": "ok"}
    assert not KnowledgeArticle.objects.filter(pk=pk).exists()

    sysmgr = token_client(users["sysmgr"])
    duplicate = sysmgr.post(
        "/api/resource/Department",
        data=json.dumps({"name": world["market"].name, "uscc": world["market"].uscc, "region_code": "321100"}),
        content_type="application/json",
    )
    assert duplicate.status_code in (409, 417)
    assert Department.objects.filter(name=world["market"].name).count() == 1
    standard = sysmgr.delete("/api/resource/Role/Window Clerk")
    assert standard.status_code == 417 and "标准角色" in standard.json()["exception"]
    assert Role.objects.filter(name="Window Clerk").exists()  # the desk's rule holds for the API too


def test_session_login_csrf_logout_and_tokens(world) -> None:
    client = Client(enforce_csrf_checks=True)
    wrong = client.post("/api/method/login", {"usr": "clerk", "pwd": "wrong"})
    assert wrong.status_code == 401 and wrong.json()["exc_type"] == "AuthenticationError"
    logged = client.post("/api/method/login", {"usr": "clerk", "pwd": PASSWORD})
    assert logged.status_code == 200 and logged.json()["message"] == "Logged In"
    assert client.get("/api/method/frappe.auth.get_logged_user").json() == {"message": "clerk"}
    app = world["apps"][0]
    no_csrf = client.put(
        f"/api/resource/Application/{app.number}", data=json.dumps({"remarks": "a"}), content_type="application/json"
    )
    assert no_csrf.status_code == 400 and no_csrf.json()["exc_type"] == "CSRFTokenError"
    token = client.cookies["csrftoken"].value
    with_csrf = client.put(
        f"/api/resource/Application/{app.number}",
        data=json.dumps({"remarks": "a"}),
        content_type="application/json",
        HTTP_X_FRAPPE_CSRF_TOKEN=token,
    )
    assert with_csrf.status_code == 200
    assert client.get("/api/method/logout").status_code == 403  # a link from another site logs nobody out
    assert client.get("/api/method/frappe.auth.get_logged_user").status_code == 200
    assert client.post("/api/method/logout").json()["exc_type"] == "CSRFTokenError"  # a session's write needs it
    assert client.get("/api/method/frappe.auth.get_logged_user").status_code == 200
    client.post("/api/method/logout", HTTP_X_FRAPPE_CSRF_TOKEN=token)
    assert client.get("/api/method/frappe.auth.get_logged_user").status_code == 401
    bad_token = Client(HTTP_AUTHORIZATION="token nope:nope").get("/api/resource/Application")
    assert bad_token.status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer x").get("/api/resource/Application").status_code == 401


def test_methods(world) -> None:
    users, a = world["users"], world["apps"]
    c = token_client(users["clerk"])
    got = c.get(
        "/api/method/frappe.client.get_list",
        {"doctype": "Application", "fields": '["name"]', "filters": '{"status": "accepted"}'},
    )
    assert got.json() == {"message": [{"name": a[1].number}]}
    value = c.get(
        "/api/method/frappe.client.get_value",
        {"doctype": "Application", "fieldname": '["status", "applicant_name"]', "filters": a[1].number},
    )
    assert value.json() == {"message": {"status": "accepted", "applicant_name": "李娜"}}
    one = c.get("/api/method/frappe.client.get", {"doctype": "Application", "name": a[2].number})
    assert one.json()["message"]["name"] == a[2].number
    assert c.get("/api/method/os.system", {"command": "true"}).status_code == 404
    assert c.get("/api/method/lowcode.api.views.create").status_code == 404  # not whitelisted

    applied = c.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Application", "name": a[0].number, "action": "accept"}),
        content_type="application/json",
    )
    assert applied.status_code == 200 and applied.json()["message"]["status"] == "accepted"
    refused = c.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Application", "name": a[0].number, "action": "approve"}),
        content_type="application/json",
    )
    assert refused.status_code == 417

    due = c.get("/api/method/lowcode.api.methods.calendar_add", {"start": "2025-09-30 16:00", "working_days": "3"})
    assert due.json() == {"message": "2025-10-11T17:30:00+08:00"}
    assert c.get("/api/method/lowcode.api.methods.calendar_add", {"start": "x", "working_days": "3"}).status_code == 417
    assert (
        c.get(
            "/api/method/lowcode.api.methods.calendar_add", {"start": "2025-09-30 16:00", "working_days": "999999999"}
        ).status_code
        == 417
    )

    pdf = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 scanned", content_type="application/pdf")
    uploaded = c.post(
        "/api/method/upload_file", {"file": pdf, "doctype": "Work Order", "docname": "x", "fieldname": "result_file"}
    )
    assert uploaded.status_code in (403, 404)  # the clerk may not write work orders
    order = WorkOrder.objects.create(
        number="GD1",
        order_type="consultation",
        source="hotline",
        subject="s",
        content="c",
        applicant_name="甲",
        phone="1",
        received_at=timezone.now(),
        department=world["market"],
    )
    hotline = token_client(users["hotline"])
    exe = SimpleUploadedFile("结果.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    refused_file = hotline.post(
        "/api/method/upload_file", {"file": exe, "doctype": "Work Order", "docname": "GD1", "fieldname": "result_file"}
    )
    assert refused_file.status_code == 417 and "content" in refused_file.json()["exception"]
    good = SimpleUploadedFile("结果.pdf", b"%PDF-1.4 the reply", content_type="application/pdf")
    stored = hotline.post(
        "/api/method/upload_file", {"file": good, "doctype": "Work Order", "docname": "GD1", "fieldname": "result_file"}
    )
    assert stored.status_code == 200, stored.content.decode()[:300]
    order.refresh_from_db()
    assert (
        stored.json()["message"]["file_url"] == order.result_file.url
        and order.result_file.read() == b"%PDF-1.4 the reply"
    )


def test_openapi_document_and_browsable_page(world) -> None:
    assert Client().get("/api/schema").status_code == 403  # the schema is for signed-in integrators
    assert Client().get("/api/docs").status_code == 302
    signed_in = token_client(world["users"]["sysmgr"])
    spec = signed_in.get("/api/schema").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/resource/Application",
        "/api/resource/Application/{name}",
        "/api/method/frappe.client.get_list",
    } <= set(spec["paths"])
    assert "id_number" in spec["components"]["schemas"]["Application"]["properties"]
    assert "password" not in spec["components"]["schemas"]["User"]["properties"]
    browser = Client()
    assert browser.login(username="sysmgr", password=PASSWORD)
    page = browser.get("/api/docs").content.decode()
    assert "/api/resource/Application" in page and "token" in page
