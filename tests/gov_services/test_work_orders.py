"""Work orders as S000 arts. 6-8 write them (issue 17): lead unit and co-units, the return limit, the reply's outcome
and the 12345 ticket with the method through which the 12345 platform fetches the result and the revisit. Each rule
is driven through the services and the engine, the REST API and, where people meet it, the desk.

Instants are fixed on the shipped calendar (09:00-12:00 and 13:30-17:30, Monday to Friday; 2025-10-01 … 10-08 are
holidays, Saturday 10-11 is a make-up working day); the clock is frozen by replacing `django.utils.timezone.now`,
which the controller, the engine's effects and the deadline services all read."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.gov_services.doctype.work_order import selectors
from gov_services.gov_services.doctype.work_order.controller import WorkOrderError
from gov_services.gov_services.doctype.work_order.services import work_order_create, work_order_set_co_units
from gov_services.models import WorkOrder
from gov_services.permissions import PLATFORM_12345
from lowcode.api.models import credential_generate
from lowcode.core import permissions, registry
from lowcode.core.documents import save_doc
from lowcode.core.roles import user_set_roles
from lowcode.deadlines.models import Deadline, DeadlinePolicy
from lowcode.workflow import engine
from lowcode.workflow.models import WorkflowAction
from tests.gov_services.factories import PASSWORD, catalogue, make_user

SH = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4 answer to the applicant"
REASON = {
    "return_reason": "举报无证经营属于综合执法部门职责，不属于本单位。",
    "return_basis": "《城市管理综合执法职责划分规定》第五条",
}


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=SH)


@pytest.fixture()
def world(db, monkeypatch):
    departments, _ = catalogue()
    users = {
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "liaison": make_user("liaison", "Department Liaison", departments["market"]),
        "co_liaison": make_user("co-liaison", "Department Liaison", departments["planning"]),
        "outsider": make_user("outsider", "Department Liaison", departments["housing"]),
        "platform": _platform_user(),
    }

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    with translation.override("zh-hans"):
        yield {"users": users, "departments": departments, "freeze": freeze}


def _platform_user() -> Any:
    user = get_user_model().objects.create_user("platform-12345", password=PASSWORD)
    user_set_roles(user=user, roles=[PLATFORM_12345])
    return user


def order(world, **overrides: Any) -> WorkOrder:
    fields = {
        "order_type": WorkOrder.Type.REPORT,
        "source": WorkOrder.Source.HOTLINE,
        "subject": "反映某餐馆无证经营",
        "content": "某餐馆长期无证经营，请核查。",
        "applicant_name": "王五",
        "phone": "13800000000",
    }
    fields.update(overrides)
    return work_order_create(user=world["users"]["hotline"], **fields)


def transferred(world, **overrides: Any) -> WorkOrder:
    new = order(world, **overrides)
    market = world["departments"]["market"]
    return engine.apply_transition(new, "transfer", world["users"]["hotline"], values={"department": market})


def accepted(world, **overrides: Any) -> WorkOrder:
    return engine.apply_transition(transferred(world, **overrides), "accept", world["users"]["liaison"])


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def put(client: Client, number: str, data: dict) -> Any:
    return client.put(f"/api/resource/Work Order/{number}", data=json.dumps(data), content_type="application/json")


def act(client: Client, number: str, action: str) -> Any:
    return client.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Work Order", "name": number, "action": action}),
        content_type="application/json",
    )


def upload(client: Client, number: str) -> Any:
    pdf = SimpleUploadedFile("处理结果.pdf", PDF, content_type="application/pdf")
    return client.post(
        "/api/method/upload_file",
        {"file": pdf, "doctype": "Work Order", "docname": number, "fieldname": "result_file"},
    )


def frappe_error(response: Any, status: int, exc_type: str) -> str:
    assert response.status_code == status, response.content.decode()[:400]
    body = response.json()
    assert body["exc_type"] == exc_type
    return json.loads(json.loads(body["_server_messages"])[0])["message"]


def snapshot(doc: WorkOrder) -> dict:
    return WorkOrder.objects.filter(pk=doc.pk).values().get()


def actions(doc: WorkOrder) -> list[str]:
    rows = WorkflowAction.objects.filter(doctype="Work Order", doc_id=str(doc.pk)).order_by("id")
    return list(rows.values_list("action", flat=True))


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# -- the return limit (S000 art. 7) -----------------------------------------------------------------------------


def test_the_return_limit_is_the_policys_1_working_day_from_the_transfer_across_national_day(world) -> None:
    world["freeze"](at(9, 30, 15))  # Tuesday before National Day
    within, late = transferred(world), transferred(world)
    clock = Deadline.objects.get(doc_id=within.pk, policy__name="work_order_return")
    assert (clock.started_at, clock.due_at) == (at(9, 30, 15), at(10, 9, 17, 30))
    assert selectors.return_limit(within) == at(10, 9, 17, 30)

    world["freeze"](at(10, 9, 17, 30))  # the limit itself: still in time
    returned = engine.apply_transition(within, "return", world["users"]["liaison"], values=REASON)
    assert returned.status == WorkOrder.Status.RETURNED
    clock.refresh_from_db()
    assert (clock.status, clock.finished_at) == (Deadline.Status.DONE, at(10, 9, 17, 30))

    world["freeze"](at(10, 9, 17, 30, 1))  # a second later
    before = snapshot(late)
    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(late, "return", world["users"]["liaison"], values=REASON)
    assert refused.value.code == WorkOrderError.RETURN_LIMIT_PASSED
    assert str(refused.value) == (
        "已超过退单时限：本工单于2025-09-30 15:00转交本单位，退单须在2025-10-09 17:30前提出（《运行管理办法》第七条）。"
        "请签收办理。"
    )
    assert snapshot(late) == before and actions(late) == ["transfer"]
    # what the unit may still do: sign for it
    assert engine.apply_transition(late, "accept", world["users"]["liaison"]).status == WorkOrder.Status.ACCEPTED


def test_the_api_refuses_a_late_return_across_the_make_up_saturday(world) -> None:
    world["freeze"](at(10, 10, 10))  # Friday; Saturday 10-11 is a working day
    within, late = transferred(world), transferred(world)
    assert selectors.return_limit(within) == at(10, 11, 17, 30)
    unit = api(world["users"]["liaison"])
    for doc in (within, late):
        assert put(unit, doc.number, REASON).status_code == 200

    world["freeze"](at(10, 11, 16))  # the make-up Saturday, in time
    response = act(unit, within.number, "return")
    assert response.status_code == 200, response.content.decode()[:300]
    assert response.json()["message"]["status"] == "returned"

    world["freeze"](at(10, 13, 9))  # Monday morning: past the close of the make-up day
    before = snapshot(late)
    message = frappe_error(act(unit, late.number, "return"), 417, "ValidationError")
    assert message.startswith("已超过退单时限") and "2025-10-11 17:30" in message
    assert snapshot(late) == before and actions(late) == ["transfer"]


def test_the_desks_return_button_is_refused_after_the_limit_with_the_reason_on_the_form(world) -> None:
    world["freeze"](at(9, 30, 15))
    late = transferred(world, **REASON)
    world["freeze"](at(10, 10, 9))
    before = snapshot(late)
    url = reverse("desk_workflow_apply", args=["gov_services", "workorder", late.pk])
    response = desk(world["users"]["liaison"]).post(url, {"action": "return", "state_seen": late.status}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:gov_services_workorder_change", args=[late.pk])
    assert "已超过退单时限" in text(response) and "2025-10-09 17:30" in text(response)
    assert snapshot(late) == before


def test_without_its_clock_the_limit_is_counted_from_the_transfer_and_a_deactivated_policy_sets_none(world) -> None:
    world["freeze"](at(9, 30, 15))
    late, later = transferred(world), transferred(world)
    Deadline.objects.filter(doc_id__in=[late.pk, later.pk], policy__name="work_order_return").delete()  # as before
    assert selectors.return_limit(late) == at(10, 9, 17, 30)  # the policy's arithmetic on the calendar
    world["freeze"](at(10, 9, 17, 30, 1))
    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(late, "return", world["users"]["liaison"], values=REASON)
    assert refused.value.code == WorkOrderError.RETURN_LIMIT_PASSED

    policy = DeadlinePolicy.objects.get(name="work_order_return")
    policy.is_active = False
    save_doc(policy, update_fields=["is_active"])
    assert selectors.return_limit(later) is None
    assert engine.apply_transition(later, "return", world["users"]["liaison"], values=REASON).status == "returned"


def test_a_return_needs_a_reason_and_a_basis_that_say_something(world) -> None:
    world["freeze"](at(9, 30, 15))
    doc = transferred(world)
    before = snapshot(doc)
    blank = {"return_reason": "  ", "return_basis": "《三定规定》"}  # passes the workflow's "filled in" check
    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(doc, "return", world["users"]["liaison"], values=blank)
    assert refused.value.code == WorkOrderError.RETURN_REASON_REQUIRED
    assert "退单须提供详细的退单理由和依据" in str(refused.value)
    assert snapshot(doc) == before


# -- the reply: a result document, or "cannot be completed" with a written explanation (S000 art. 8) --------------


def test_the_engine_refuses_a_reply_without_a_result_document_or_an_explanation(world) -> None:
    liaison = world["users"]["liaison"]
    doc = accepted(world)
    before = snapshot(doc)
    cases = [
        ({"reply": "已核查。"}, None, "办理结果"),  # no outcome: the transition's required field
        ({"reply": "已核查。", "outcome": "completed"}, WorkOrderError.RESULT_FILE_REQUIRED, "结果文书"),
        ({"reply": "无法办结。", "outcome": "cannot_complete"}, WorkOrderError.EXPLANATION_REQUIRED, "书面说明"),
        (
            {"reply": "无法办结。", "outcome": "cannot_complete", "explanation": " "},
            WorkOrderError.EXPLANATION_REQUIRED,
            "书面说明",
        ),
    ]
    for values, code, words in cases:
        with pytest.raises(engine.WorkflowError) as refused:
            engine.apply_transition(WorkOrder.objects.get(pk=doc.pk), "reply", liaison, values=values)
        assert refused.value.code == code and words in str(refused.value), values
        assert snapshot(doc) == before and actions(doc) == ["transfer", "accept"]

    explained = {"reply": "经核查无法办结。", "outcome": "cannot_complete", "explanation": "该餐馆已搬离，无法核实。"}
    replied = engine.apply_transition(WorkOrder.objects.get(pk=doc.pk), "reply", liaison, values=explained)
    assert (replied.status, replied.outcome, replied.explanation) == (
        "replied",
        "cannot_complete",
        "该餐馆已搬离，无法核实。",
    )
    assert replied.replied_at is not None


def test_through_the_api_a_reply_needs_the_uploaded_result_document(world) -> None:
    doc = accepted(world)
    unit = api(world["users"]["liaison"])
    assert put(unit, doc.number, {"reply": "已责令整改。", "outcome": "completed"}).status_code == 200
    before = snapshot(doc)
    message = frappe_error(act(unit, doc.number, "reply"), 417, "ValidationError")
    assert "办结的工单须上传结果文书" in message
    assert snapshot(doc) == before

    # "cannot be completed" without its explanation is refused on a plain save too
    refused = put(unit, doc.number, {"outcome": "cannot_complete"})
    assert "无法办结的，必须出具书面说明" in frappe_error(refused, 417, "ValidationError")
    assert snapshot(doc) == before

    assert upload(unit, doc.number).status_code == 200
    replied = act(unit, doc.number, "reply")
    assert replied.status_code == 200, replied.content.decode()[:300]
    data = replied.json()["message"]
    assert (data["status"], data["outcome"], data["explanation"]) == ("replied", "completed", "")
    assert data["result_file"].startswith("/private/work_orders/")

    # once replied, the answer is the record: no other document, no explanation added or removed
    stored = snapshot(doc)
    assert "答复后不能更改" in frappe_error(upload(unit, doc.number), 417, "ValidationError")
    assert "答复后不能更改" in frappe_error(put(unit, doc.number, {"explanation": "补充"}), 417, "ValidationError")
    assert snapshot(doc) == stored


def test_the_desk_refuses_the_reply_and_an_unexplained_outcome_on_the_form(world) -> None:
    doc = accepted(world, reply="已核查。", outcome="completed")
    client = desk(world["users"]["liaison"])
    before = snapshot(doc)
    url = reverse("desk_workflow_apply", args=["gov_services", "workorder", doc.pk])
    response = client.post(url, {"action": "reply", "state_seen": doc.status}, follow=True)
    assert "办结的工单须上传结果文书" in text(response)
    assert snapshot(doc) == before

    form = client.get(reverse("admin:gov_services_workorder_change", args=[doc.pk]))
    assert form.status_code == 200
    fields = form.context["adminform"].form.fields
    assert {"outcome", "explanation", "result_file", "reply"} <= set(fields)
    assert "hotline_ticket_no" not in fields  # the hotline's to write
    initial = form.context["adminform"].form.initial
    data = {k: v for k, v in initial.items() if k in fields and v not in (None, "") and k != "result_file"}
    data.update({"outcome": "cannot_complete", "explanation": "", "department": doc.department_id})
    data.update(_inline_management(form))
    saved = client.post(reverse("admin:gov_services_workorder_change", args=[doc.pk]), data)
    assert saved.status_code == 200  # the form again, with the reason
    assert "无法办结的，必须出具书面说明" in text(saved)
    assert snapshot(doc) == before


def _inline_management(page: Any) -> dict[str, Any]:
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def test_the_hotlines_direct_answer_needs_no_result_document(world) -> None:
    doc = order(world, order_type=WorkOrder.Type.CONSULTATION)
    replied = engine.apply_transition(doc, "reply", world["users"]["hotline"], values={"reply": "可在网上办理。"})
    assert (replied.status, replied.outcome) == ("replied", "")


# -- the lead unit and its co-units -------------------------------------------------------------------------------


def test_co_units_see_the_order_other_departments_do_not_and_only_the_lead_handles_it(world) -> None:
    departments, users = world["departments"], world["users"]
    doc = transferred(world, co_units=[departments["planning"]])
    assert list(doc.co_departments.values_list("department_id", flat=True)) == [departments["planning"].pk]
    co, outsider = users["co_liaison"], users["outsider"]

    # the permission layer
    assert permissions.has_permission(co, doc, "read") and not permissions.has_permission(co, doc, "write")
    assert not permissions.has_permission(outsider, doc, "read")
    assert list(permissions.scope(co, WorkOrder.objects.all())) == [doc]
    # the API
    seen = api(co).get(f"/api/resource/Work Order/{doc.number}")
    assert seen.status_code == 200
    assert [row["department"] for row in seen.json()["data"]["co_departments"]] == [departments["planning"].name]
    listed = api(co).get("/api/resource/Work Order")
    assert [row["name"] for row in listed.json()["data"]] == [doc.number]
    frappe_error(api(outsider).get(f"/api/resource/Work Order/{doc.number}"), 404, "DoesNotExistError")
    assert api(outsider).get("/api/resource/Work Order").json()["data"] == []
    # the desk list
    changelist = reverse("admin:gov_services_workorder_changelist")
    assert doc.number in desk(co).get(changelist).content.decode()
    assert doc.number not in desk(outsider).get(changelist).content.decode()
    # a co-unit helps; the lead signs for it, replies or returns it
    with pytest.raises(engine.WorkflowError):
        engine.apply_transition(doc, "accept", co)
    assert WorkOrder.objects.get(pk=doc.pk).status == "transferred"


def test_a_co_units_scope_is_read_once_per_request(world, django_assert_max_num_queries) -> None:
    planning = world["departments"]["planning"]
    for _ in range(3):
        transferred(world, co_units=[planning])
    client = api(world["users"]["co_liaison"])
    url = "/api/resource/Work Order?fields=" + json.dumps(["name", "status"])
    assert len(client.get(url).json()["data"]) == 3
    with django_assert_max_num_queries(10):
        assert len(client.get(url).json()["data"]) == 3


def test_the_lead_unit_cannot_be_a_co_unit_on_any_path(world) -> None:
    departments, hotline = world["departments"], world["users"]["hotline"]
    doc = transferred(world, co_units=[departments["planning"]])
    with pytest.raises(ValidationError) as refused:
        work_order_set_co_units(order=doc, departments=[departments["market"]], user=hotline)
    assert refused.value.error_list[0].code == WorkOrderError.LEAD_IS_CO_UNIT
    assert "是本工单的牵头单位，不能同时作为协办单位" in refused.value.messages[0]
    with pytest.raises(ValidationError) as twice:
        work_order_set_co_units(order=doc, departments=[departments["housing"]] * 2, user=hotline)
    assert twice.value.error_list[0].code == WorkOrderError.CO_UNIT_TWICE

    response = api(hotline).post(
        "/api/method/gov_services.gov_services.doctype.work_order.api.set_co_units",
        data=json.dumps({"name": doc.number, "departments": [departments["market"].name]}),
        content_type="application/json",
    )
    assert "不能同时作为协办单位" in frappe_error(response, 417, "ValidationError")
    # nor is a co-unit made the lead: returned, the order goes to another unit, never to one that helps
    returned = engine.apply_transition(doc, "return", world["users"]["liaison"], values=REASON)
    with pytest.raises(engine.WorkflowError) as moved:
        engine.apply_transition(returned, "transfer", hotline, values={"department": departments["planning"]})
    assert moved.value.code == WorkOrderError.LEAD_IS_CO_UNIT
    assert list(doc.co_departments.values_list("department_id", flat=True)) == [departments["planning"].pk]

    # the hotline names the co-units; the lead unit does not
    ok = api(hotline).post(
        "/api/method/gov_services.gov_services.doctype.work_order.api.set_co_units",
        data=json.dumps({"name": doc.number, "departments": [departments["housing"].name]}),
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content.decode()[:300]
    with pytest.raises(ValidationError) as not_hotline:
        work_order_set_co_units(order=doc, departments=[], user=world["users"]["liaison"])
    assert not_hotline.value.error_list[0].code == WorkOrderError.CO_UNITS_BY_DISPATCHER
    assert list(doc.co_departments.values_list("department_id", flat=True)) == [departments["housing"].pk]


# -- the 12345 ticket ---------------------------------------------------------------------------------------------


def test_a_12345_order_needs_its_own_ticket_number(world) -> None:
    hotline = api(world["users"]["hotline"])
    with pytest.raises(ValidationError) as missing:
        order(world, source=WorkOrder.Source.HOTLINE_12345)
    assert missing.value.error_dict["hotline_ticket_no"][0].code == WorkOrderError.TICKET_REQUIRED
    base = {
        "order_type": "complaint",
        "source": "12345",
        "subject": "窗口态度",
        "content": "工作人员态度生硬",
        "applicant_name": "王五",
        "phone": "13800000000",
    }
    message = frappe_error(
        hotline.post("/api/resource/Work Order", data=json.dumps(base), content_type="application/json"),
        417,
        "ValidationError",
    )
    assert "从12345转来的工单必须填写12345工单编号" in message
    assert not WorkOrder.objects.exists()

    first = order(world, source="12345", hotline_ticket_no=" 202509300001 ")
    assert first.hotline_ticket_no == "202509300001"
    with pytest.raises(ValidationError) as duplicate:
        order(world, source="12345", hotline_ticket_no="202509300001")
    assert duplicate.value.error_dict["hotline_ticket_no"][0].code == WorkOrderError.TICKET_DUPLICATE
    again = {**base, "hotline_ticket_no": "202509300001"}
    response = hotline.post("/api/resource/Work Order", data=json.dumps(again), content_type="application/json")
    assert "12345工单编号202509300001已登记在另一张工单上" in frappe_error(response, 417, "ValidationError")
    with pytest.raises(ValidationError) as not_12345:
        order(world, hotline_ticket_no="202509300002")
    assert not_12345.value.error_dict["hotline_ticket_no"][0].code == WorkOrderError.TICKET_NOT_12345
    assert list(WorkOrder.objects.values_list("hotline_ticket_no", flat=True)) == ["202509300001"]
    # other orders keep no ticket: the unique index holds the 12345 tickets only
    assert order(world).hotline_ticket_no is None and order(world).hotline_ticket_no is None


METHOD = "/api/method/gov_services.gov_services.doctype.work_order.api.hotline_result"


def test_the_12345_platform_fetches_the_result_and_the_revisit_by_ticket_number(world) -> None:
    users = world["users"]
    doc = accepted(world, source="12345", hotline_ticket_no="12345-0001", reply="草稿", outcome="completed")
    platform = api(users["platform"])
    pending = platform.get(METHOD, {"ticket_no": "12345-0001"})
    assert pending.status_code == 200, pending.content.decode()[:300]
    assert pending.json()["message"] == {
        "hotline_ticket_no": "12345-0001",
        "status": "accepted",
        "status_label": "已签收",
        "outcome": None,  # the unit's draft is not the answer
        "reply": None,
        "explanation": None,
        "replied_at": None,
        "result_file": None,
        "revisited_at": None,
        "satisfaction": "",
        "revisit_note": "",
    }

    unit = api(users["liaison"])
    assert put(unit, doc.number, {"reply": "已责令停业整改。"}).status_code == 200
    assert upload(unit, doc.number).status_code == 200
    assert act(unit, doc.number, "reply").status_code == 200
    doc = WorkOrder.objects.get(pk=doc.pk)
    values = {"revisit_note": "回访来电人，表示满意。"}
    engine.apply_transition(doc, "revisit_satisfied", users["hotline"], values=values)
    doc.refresh_from_db()

    done = platform.post(METHOD, data=json.dumps({"ticket_no": "12345-0001"}), content_type="application/json")
    message = done.json()["message"]
    assert set(message) == set(pending.json()["message"])  # only what the platform needs
    assert {k: message[k] for k in ("status", "status_label", "outcome", "reply", "explanation", "satisfaction")} == {
        "status": "closed",
        "status_label": "已办结",
        "outcome": "completed",
        "reply": "已责令停业整改。",
        "explanation": "",
        "satisfaction": "satisfied",
    }
    assert message["revisit_note"] == "回访来电人，表示满意。"
    assert message["replied_at"] == timezone.localtime(doc.replied_at).strftime("%Y-%m-%d %H:%M:%S.%f")
    assert message["revisited_at"] == timezone.localtime(doc.revisited_at).strftime("%Y-%m-%d %H:%M:%S.%f")
    link = message["result_file"]
    assert link == f"http://testserver{doc.result_file.url}" and "/private/" in link
    # the link is the private-file route: the platform's session reads it, another department's does not
    path = link.removeprefix("http://testserver")
    signed_in = desk(users["platform"])
    assert b"".join(signed_in.get(path).streaming_content) == PDF
    assert desk(users["outsider"]).get(path).status_code == 404


def test_the_method_refuses_everyone_but_the_platform_and_the_platform_sees_only_12345_orders(world) -> None:
    users = world["users"]
    ticketed = order(world, source="12345", hotline_ticket_no="12345-0002")
    other = order(world)
    for who in ("hotline", "liaison"):
        message = frappe_error(api(users[who]).get(METHOD, {"ticket_no": "12345-0002"}), 403, "PermissionError")
        assert "12345" in message
    frappe_error(Client().get(METHOD, {"ticket_no": "12345-0002"}), 403, "PermissionError")  # a guest
    platform = api(users["platform"])
    frappe_error(platform.get(METHOD, {"ticket_no": "12345-9999"}), 404, "DoesNotExistError")
    frappe_error(platform.get(METHOD), 417, "ValidationError")

    # the platform's scope: the orders 12345 handed over once answered (a unit's draft is not its to read), read
    # only, masked as for any reader without the right
    fields = {"fields": json.dumps(["name", "phone", "reply"])}
    frappe_error(platform.get(f"/api/resource/Work Order/{ticketed.number}"), 404, "DoesNotExistError")
    engine.apply_transition(ticketed, "reply", users["hotline"], values={"reply": "已电话答复来电人。"})
    listed = platform.get("/api/resource/Work Order", fields).json()["data"]
    assert [(row["name"], row["reply"]) for row in listed] == [(ticketed.number, "已电话答复来电人。")]
    assert listed[0]["phone"] != ticketed.phone and listed[0]["phone"].startswith("138")
    frappe_error(platform.get(f"/api/resource/Work Order/{other.number}"), 404, "DoesNotExistError")
    before = snapshot(ticketed)
    assert put(platform, ticketed.number, {"subject": "改写"}).status_code in (403, 404)
    assert snapshot(ticketed) == before


def test_the_method_masks_what_the_permission_layer_masks(world, monkeypatch) -> None:
    doc = transferred(world, source="12345", hotline_ticket_no="12345-0003")
    engine.apply_transition(doc, "accept", world["users"]["liaison"])
    values = {"reply": "已答复。", "outcome": "cannot_complete", "explanation": "联系电话13812345678无人接听。"}
    engine.apply_transition(WorkOrder.objects.get(pk=doc.pk), "reply", world["users"]["liaison"], values=values)
    masked = dict(registry.for_model(WorkOrder).extra["masked_fields"])
    masked["explanation"] = {
        "mask": "gov_services.gov_services.identifiers.mask_phone",
        "permission": "gov_services.view_contact",
    }
    monkeypatch.setitem(registry.for_model(WorkOrder).extra, "masked_fields", masked)
    message = api(world["users"]["platform"]).get(METHOD, {"ticket_no": "12345-0003"}).json()["message"]
    assert message["outcome"] == "cannot_complete"
    assert message["explanation"] != values["explanation"]
