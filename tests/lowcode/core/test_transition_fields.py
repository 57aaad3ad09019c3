"""What a transition requires is what was decided: a person fills the field in before taking the action (the desk's
and the API's workflow actions send no field values, so the form or a PUT saves it first), and once the record
is past that transition only the workflow writes it — through the API (PUT, frappe.client.set_value), the desk
form, or any writer but the engine. In a state a transition requiring it leaves from, it is open again."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import Application, WorkOrder
from lowcode.api.models import credential_generate
from lowcode.core.controller import WriteContext, Writer, check_field_rules, readonly_for
from lowcode.desk.admin import WritePathFormMixin
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

REASON = "经审查，申请人提交的场所使用证明与实际经营场所不符。"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
        "liaison": make_user("liaison", "Department Liaison", market),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
    }
    with translation.override("zh-hans"):
        yield {"users": users, "matters": matters, "market": market, "planning": departments["planning"]}


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def put(client: Client, doctype: str, name: Any, data: dict) -> Any:
    return client.put(f"/api/resource/{doctype}/{name}", data=json.dumps(data), content_type="application/json")


def set_value(client: Client, doctype: str, name: Any, field: str, value: Any) -> Any:
    return client.post(
        "/api/method/frappe.client.set_value",
        data=json.dumps({"doctype": doctype, "name": name, "fieldname": field, "value": value}),
        content_type="application/json",
    )


def act(client: Client, doctype: str, name: Any, action: str) -> Any:
    return client.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": doctype, "name": name, "action": action}),
        content_type="application/json",
    )


def snapshot(doc: Any) -> dict:
    return type(doc)._default_manager.filter(pk=doc.pk).values().get()


def label(model: type, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def refused(response: Any, field_label: str) -> None:
    assert response.status_code == 417, response.content.decode()[:400]
    body = response.json()
    assert body["exc_type"] == "ValidationError"
    message = json.loads(json.loads(body["_server_messages"])[0])["message"]
    assert field_label in message, message


def under_review(world: dict) -> Application:
    """An accepted application the market's reviewer has started to review."""
    matter = next(
        m for m in world["matters"] if m.department_id == world["market"].pk and m.handling_type == "promised"
    )
    app = make_application(matter, user=world["users"]["clerk"])
    app = engine.apply_transition(app, "accept", world["users"]["clerk"])
    app = engine.apply_transition(app, "start_review", world["users"]["reviewer"])
    assert app.status == "under_review"
    return app


# -- the Application's decision: API ---------------------------------------------------------------------------


def test_the_reasons_are_written_before_the_denial_and_kept_as_decided_after_it_through_the_api(world) -> None:
    app = under_review(world)
    client = api(world["users"]["reviewer"])

    saved = put(client, "Application", app.number, {"decision_reason": REASON})
    assert saved.status_code == 200, saved.content.decode()[:300]
    assert saved.json()["data"]["decision_reason"] == REASON
    denied = act(client, "Application", app.number, "deny")
    assert denied.status_code == 200, denied.content.decode()[:300]
    assert denied.json()["message"]["status"] == "denied"

    before = snapshot(app)
    reason = label(Application, "decision_reason")
    refused(put(client, "Application", app.number, {"decision_reason": "另写的理由"}), reason)
    refused(set_value(client, "Application", app.number, "decision_reason", ""), reason)
    assert snapshot(app) == before
    assert before["decision_reason"] == REASON

    # how the result reaches the applicant is still theirs to choose: it is required by "deliver", ahead
    assert put(client, "Application", app.number, {"delivery_method": "ems"}).status_code == 200
    assert Application.objects.get(pk=app.pk).delivery_method == "ems"


def test_no_writer_but_the_engine_rewrites_the_decision(world) -> None:
    app = under_review(world)
    app = engine.apply_transition(app, "deny", world["users"]["reviewer"], values={"decision_reason": REASON})
    assert Application.objects.get(pk=app.pk).decision_reason == REASON

    for writer, user in ((Writer.SYSTEM, None), (Writer.USER, world["users"]["reviewer"])):
        app.decision_reason = "另写的理由"
        ctx = WriteContext(user=user, writer=writer, creating=False, changed={"decision_reason"})
        with pytest.raises(ValidationError) as raised:
            check_field_rules(app, ctx)
        assert [e.code for e in raised.value.error_dict["decision_reason"]] == ["workflow_owned"]
    assert Application.objects.get(pk=app.pk).decision_reason == REASON


def test_the_record_is_judged_by_its_stored_state_not_by_the_copy_in_hand(world) -> None:
    """A copy loaded before the denial does not reopen the field: the write reads the state as stored."""
    app = under_review(world)
    stale = Application.objects.get(pk=app.pk)
    engine.apply_transition(app, "deny", world["users"]["reviewer"], values={"decision_reason": REASON})
    assert stale.status == "under_review"
    stale.decision_reason = "另写的理由"
    ctx = WriteContext(user=world["users"]["reviewer"], writer=Writer.USER, creating=False, changed={"decision_reason"})
    with pytest.raises(ValidationError) as raised:
        check_field_rules(stale, ctx)
    assert [e.code for e in raised.value.error_dict["decision_reason"]] == ["workflow_owned"]


# -- the Application's decision: desk --------------------------------------------------------------------------


def change_form_data(page: Any) -> dict[str, Any]:
    """What the desk's change form posts as it stands: the record's fields and the inline rows."""
    data: dict[str, Any] = {}
    for bound in page.context["adminform"].form:
        if not bound.field.disabled:
            data[bound.html_name] = _posted(bound)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for row in formset.forms:
            for bound in row:
                data[bound.html_name] = _posted(bound)
    return {k: v for k, v in data.items() if v is not None}


def _posted(bound: Any) -> Any:
    value = bound.value()
    if isinstance(value, FieldFile):
        return None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else None
    if hasattr(value, "pk"):
        return value.pk
    return "" if value is None else value


def test_the_desk_form_saves_the_reasons_before_the_denial_and_not_after_it(world) -> None:
    app = under_review(world)
    reviewer = world["users"]["reviewer"]
    client = desk(reviewer)
    url = reverse("admin:gov_services_application_change", args=[app.pk])

    data = change_form_data(client.get(url))
    data["decision_reason"] = REASON
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert Application.objects.get(pk=app.pk).decision_reason == REASON
    button = client.post(
        reverse("desk_workflow_apply", args=["gov_services", "application", app.pk]),
        {"action": "deny", "comment": "", "state_seen": "under_review"},
    )
    assert button.status_code == 302
    assert Application.objects.get(pk=app.pk).status == "denied"

    before = snapshot(app)
    data = change_form_data(client.get(url))
    data["decision_reason"] = "另写的理由"
    client.post(url, data)
    assert snapshot(app) == before

    # the desk form's own check, whatever fields the form carries (a Customize Form layout may show it)
    form_class = type(
        "DecisionForm",
        (WritePathFormMixin, modelform_factory(Application, fields=["decision_reason"])),
        {"write_path_user": reviewer},
    )
    form = form_class(data={"decision_reason": "另写的理由"}, instance=Application.objects.get(pk=app.pk))
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["decision_reason"]] == ["workflow_owned"]
    assert snapshot(app) == before


def test_the_form_shows_the_decision_read_only_once_it_is_made(world) -> None:
    app = under_review(world)
    reviewer = world["users"]["reviewer"]
    assert "decision_reason" not in readonly_for(Application, reviewer, app)
    app = engine.apply_transition(app, "deny", reviewer, values={"decision_reason": REASON})
    shown = readonly_for(Application, reviewer, app)
    assert "decision_reason" in shown
    assert "delivery_method" not in shown  # "deliver" leaves from here and requires it
    assert {"status", "decided_at"} <= shown


def test_the_desk_change_page_shows_the_decision_read_only_once_it_is_made(world) -> None:
    app = under_review(world)
    reviewer = world["users"]["reviewer"]
    url = reverse("admin:gov_services_application_change", args=[app.pk])
    assert "decision_reason" in desk(reviewer).get(url).context["adminform"].form.fields
    app = engine.apply_transition(app, "deny", reviewer, values={"decision_reason": REASON})
    page = desk(reviewer).get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "decision_reason" not in form.fields and "delivery_method" in form.fields
    assert REASON in page.content.decode()  # shown, read-only


# -- the Work Order's dispatch and return: open again when a transition needing them leaves ------------------------


def test_a_work_orders_dispatch_and_return_are_kept_as_decided_until_the_order_comes_back(world) -> None:
    hotline, liaison = world["users"]["hotline"], world["users"]["liaison"]
    order = work_order_create(
        user=hotline,
        order_type=WorkOrder.Type.COMPLAINT,
        source=WorkOrder.Source.HOTLINE,
        subject="窗口态度",
        content="工作人员态度生硬",
        applicant_name="王五",
        phone="13800000000",
    )
    dispatcher, unit = api(hotline), api(liaison)
    assert put(dispatcher, "Work Order", order.number, {"department": world["market"].name}).status_code == 200
    transferred = act(dispatcher, "Work Order", order.number, "transfer")
    assert transferred.status_code == 200, transferred.content.decode()[:300]

    before = snapshot(order)
    department = label(WorkOrder, "department")
    refused(put(dispatcher, "Work Order", order.number, {"department": world["planning"].name}), department)
    refused(put(unit, "Work Order", order.number, {"department": world["planning"].name}), "Hotline Agent")
    assert snapshot(order) == before

    returning = {"return_reason": "该事项不属于本单位职责。", "return_basis": "三定规定"}
    assert put(unit, "Work Order", order.number, returning).status_code == 200
    returned = act(unit, "Work Order", order.number, "return")
    assert returned.status_code == 200, returned.content.decode()[:300]
    before = snapshot(order)
    refused(put(unit, "Work Order", order.number, {"return_reason": "改写"}), label(WorkOrder, "return_reason"))
    refused(set_value(unit, "Work Order", order.number, "return_basis", ""), label(WorkOrder, "return_basis"))
    assert snapshot(order) == before

    # returned: "transfer" leaves from here and needs a department, so the hotline dispatches it anew
    moved = put(dispatcher, "Work Order", order.number, {"department": world["planning"].name})
    assert moved.status_code == 200, moved.content.decode()[:300]
    stored = WorkOrder.objects.get(pk=order.pk)
    assert (stored.status, stored.department_id, stored.return_reason) == (
        "returned",
        world["planning"].pk,
        returning["return_reason"],
    )
