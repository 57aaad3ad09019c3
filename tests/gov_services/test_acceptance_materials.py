"""Acceptance needs the materials (issue 14; S003 art. 7 容缺受理): an application moves to accepted — accept,
supplemented, approve_immediately — only when every required material is received, and every material the
guide allows to be supplied later (容缺后补) is received or recorded as owed with its due date. The rule holds
through the engine, the API's apply_workflow and the desk's workflow button; what is owed is shown on the desk
form, the citizen's tracking page and the 受理承诺单."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.gov_services.doctype.application.controller import MATERIALS_INCOMPLETE
from gov_services.models import Application, ApplicationMaterial, GuideMaterial, Matter
from lowcode.api.models import credential_generate
from lowcode.core.documents import save_rows
from lowcode.printing.models import PrintedDocument
from lowcode.workflow import engine
from lowcode.workflow.models import WorkflowAction
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user, receive_materials
from tests.gov_services.portal_support import citizen

FOOD = "食品经营许可（新办）"  # required materials, 从业人员健康证明 容缺后补, an optional agent's mandate
IMMEDIATE = "个体工商户设立登记"  # 即办件: approve_immediately


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", departments["market"]),
    }
    by_name = {m.name: m for m in matters}
    with translation.override("zh-hans"):
        yield {"users": users, "food": by_name[FOOD], "immediate": _immediate(matters)}


def _immediate(matters: list[Matter]) -> Matter:
    return next(m for m in matters if m.name.startswith(IMMEDIATE) and m.handling_type == "immediate")


def rows(app: Application) -> dict[str, ApplicationMaterial]:
    return {r.name: r for r in app.materials.select_related("guide_material").order_by("id")}


def necessity(app: Application, kind: str) -> list[ApplicationMaterial]:
    return [r for r in rows(app).values() if r.guide_material and r.guide_material.necessity == kind]


def snapshot(app: Application) -> tuple[dict, list[dict]]:
    stored = Application.objects.filter(pk=app.pk).values().get()
    table = list(ApplicationMaterial.objects.filter(application=app).order_by("id").values())
    return stored, table


def unchanged(app: Application, before: tuple[dict, list[dict]]) -> None:
    assert snapshot(app) == before
    assert not WorkflowAction.objects.filter(doctype="Application", doc_id=str(app.pk)).exists()
    assert not PrintedDocument.objects.filter(doctype="Application", doc_id=str(app.pk)).exists()


def set_rows(app: Application, user: Any, **changes: dict[str, Any]) -> None:
    """Change rows by material name, through the write path the desk's inline uses (the parent's controller)."""
    table = list(app.materials.select_related("guide_material"))
    changed = []
    for row in table:
        if row.name in changes:
            for field, value in changes[row.name].items():
                setattr(row, field, value)
            changed.append(row)
    save_rows(app, ApplicationMaterial, changed=changed, table=table, user=user)


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def pdf_text(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


# -- refused with materials missing, on every surface ---------------------------------------------------------


def test_the_engine_refuses_to_accept_with_required_materials_missing(world) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    required = [r.name for r in necessity(app, "required")]
    later = [r.name for r in necessity(app, "later")]
    optional = [r.name for r in necessity(app, "optional")]
    assert required and later and optional, "the food licence's guide has all three kinds"
    before = snapshot(app)

    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(app, "accept", clerk)
    message = str(refused.value)
    assert message.startswith("不能受理")
    for name in required + later:
        assert name in message, name
    for name in optional:
        assert name not in message, name  # an optional material never stops acceptance
    assert getattr(refused.value, "code", None) == MATERIALS_INCOMPLETE
    unchanged(app, before)


def test_the_api_method_apply_workflow_refuses_it_in_frappes_error_shape(world) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    missing = necessity(app, "required")[0].name
    before = snapshot(app)

    response = api(clerk).post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Application", "name": app.number, "action": "accept"}),
        content_type="application/json",
    )
    assert response.status_code == 417, response.content.decode()[:400]
    body = response.json()
    assert body["exc_type"] == "ValidationError"
    shown = json.loads(json.loads(body["_server_messages"])[0])["message"]
    assert shown.startswith("不能受理") and missing in shown
    unchanged(app, before)


def test_the_desks_workflow_button_refuses_it_with_the_reason_on_the_form(world) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    missing = necessity(app, "required")[0].name
    before = snapshot(app)

    url = reverse("desk_workflow_apply", args=["gov_services", "application", app.pk])
    response = desk(clerk).post(url, {"action": "accept", "state_seen": app.status}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:gov_services_application_change", args=[app.pk])
    page = text(response)
    assert "不能受理" in page and missing in page
    unchanged(app, before)


def test_the_desks_bulk_action_reports_the_refusal_per_record(world) -> None:
    clerk = world["users"]["clerk"]
    missing = make_application(world["food"], user=clerk, materials_received=False)
    ready = make_application(world["food"], user=clerk, applicant_name="李娜")
    before = snapshot(missing)

    response = desk(clerk).post(
        reverse("admin:gov_services_application_changelist"),
        {"action": "workflow_accept", "_selected_action": [missing.pk, ready.pk], "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    page = "".join(text(response).split())
    assert f"{missing.number}：不能受理" in page and "已处理1条记录" in page
    unchanged(missing, before)
    assert Application.objects.get(pk=ready.pk).status == "accepted"


def test_immediate_approval_and_the_return_from_a_supplement_need_the_materials_too(world) -> None:
    clerk, reviewer = world["users"]["clerk"], world["users"]["reviewer"]
    instant = make_application(world["immediate"], user=clerk, materials_received=False)
    before = snapshot(instant)
    with pytest.raises(engine.WorkflowError, match="不能受理"):
        engine.apply_transition(instant, "approve_immediately", clerk)
    unchanged(instant, before)
    receive_materials(instant, user=clerk)
    instant.refresh_from_db()
    done = engine.apply_transition(instant, "approve_immediately", clerk)
    assert done.status == "approved" and done.accepted_at is not None

    app = make_application(world["food"], user=clerk)
    app = engine.apply_transition(app, "accept", clerk)
    app = engine.apply_transition(app, "request_supplement", reviewer, comment="平面布局图不清晰")
    layout = next(r for r in necessity(app, "required") if "布局图" in r.name)
    set_rows(app, reviewer, **{layout.name: {"status": ApplicationMaterial.Status.DEFECTIVE, "note": "不清晰"}})
    with pytest.raises(engine.WorkflowError, match=layout.name):
        engine.apply_transition(app, "supplemented", clerk)
    assert Application.objects.get(pk=app.pk).status == "supplement_requested"
    set_rows(app, clerk, **{layout.name: {"status": ApplicationMaterial.Status.SUBMITTED}})
    assert engine.apply_transition(app, "supplemented", clerk).status == "accepted"


def test_the_rule_is_the_controllers_for_every_writer(world) -> None:
    """Below the engine: a save that accepts, by anyone, is refused with the stable code."""
    from lowcode.core.controller import workflow_write
    from lowcode.core.documents import save_doc

    app = make_application(world["food"], user=world["users"]["clerk"], materials_received=False)
    before = snapshot(app)
    app.status, app.accepted_at = Application.Status.ACCEPTED, timezone.now()
    with workflow_write(), pytest.raises(ValidationError) as refused:
        save_doc(app, update_fields=["status", "accepted_at"], user=None)
    assert refused.value.error_list[0].code == MATERIALS_INCOMPLETE
    assert snapshot(app) == before


# -- accepted once the materials are in, or owed under 容缺受理 ----------------------------------------------


def test_accepted_once_the_required_and_later_materials_are_received(world) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    receive_materials(app, user=clerk, necessities=("required",))
    with pytest.raises(engine.WorkflowError) as refused:  # 容缺后补 but not recorded as owed
        engine.apply_transition(app, "accept", clerk)
    later = necessity(app, "later")[0].name
    assert later in str(refused.value) and necessity(app, "required")[0].name not in str(refused.value)

    receive_materials(app, user=clerk, necessities=("later",))
    accepted = engine.apply_transition(app, "accept", clerk)
    assert accepted.status == "accepted" and accepted.accepted_at is not None
    assert [r.status for r in necessity(app, "optional")] == ["missing"]  # optional: never needed


def test_accepted_with_a_later_material_owed_and_its_due_date_on_the_notice(world, tmp_path: Path) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    receive_materials(app, user=clerk, necessities=("required",))
    owed = necessity(app, "later")[0]
    due = timezone.localdate() + timedelta(days=10)
    set_rows(
        app,
        clerk,
        **{owed.name: {"status": ApplicationMaterial.Status.DEFERRED, "due_date": due, "note": "承诺十日内补交"}},
    )

    accepted = engine.apply_transition(app, "accept", clerk)
    assert accepted.status == "accepted"
    row = ApplicationMaterial.objects.get(pk=owed.pk)
    assert (row.status, row.due_date) == ("deferred", due)

    notice = PrintedDocument.objects.get(doctype="Application", doc_id=str(app.pk))
    assert notice.print_format.name == "受理承诺单"
    with notice.file.open("rb") as f:
        printed = pdf_text(f.read(), tmp_path / "notice.pdf")
    assert "容缺后补材料" in printed and "除下列容缺后补材料外" in printed
    owed_part = printed.split("容缺后补材料", 2)[-1]
    assert owed.name in owed_part and f"{due.year}年{due.month}月{due.day}日" in owed_part
    received_part = printed.split("已收取材料", 1)[1].split("容缺后补材料", 1)[0]
    assert necessity(app, "required")[0].name in received_part and owed.name not in received_part


def test_a_notice_without_owed_materials_has_no_owed_section(world) -> None:
    from lowcode.printing.services import document_html

    clerk = world["users"]["clerk"]
    app = engine.apply_transition(make_application(world["food"], user=clerk), "accept", clerk)
    from lowcode.printing.models import PrintFormat

    html = document_html(PrintFormat.objects.get(name="受理承诺单"), app, clerk)
    assert "已收取材料" in html and "容缺后补材料" not in html and "申请材料齐全" in html


# -- who may defer what --------------------------------------------------------------------------------------


def test_a_deferral_needs_a_due_date_and_a_material_the_guide_allows_to_come_later(world) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    later, required = necessity(app, "later")[0], necessity(app, "required")[0]
    optional = necessity(app, "optional")[0]
    before = snapshot(app)

    with pytest.raises(ValidationError) as no_date:
        set_rows(app, clerk, **{later.name: {"status": ApplicationMaterial.Status.DEFERRED}})
    assert [e.code for e in no_date.value.error_dict["due_date"]] == ["due_date_required"]
    due = timezone.localdate() + timedelta(days=5)
    for material in (required, optional):
        with pytest.raises(ValidationError) as not_allowed:
            set_rows(app, clerk, **{material.name: {"status": ApplicationMaterial.Status.DEFERRED, "due_date": due}})
        assert [e.code for e in not_allowed.value.error_dict["status"]] == ["not_deferrable"]
        assert "容缺后补" in not_allowed.value.error_dict["status"][0].messages[0]
    assert snapshot(app) == before

    # and the database keeps a deferred row dated, whoever writes it
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        ApplicationMaterial.objects.filter(pk=later.pk).update(status="deferred", due_date=None)


def test_the_desk_inline_shows_status_and_due_date_and_refuses_an_undated_deferral(world) -> None:
    clerk = world["users"]["clerk"]
    app = make_application(world["food"], user=clerk, materials_received=False)
    client = desk(clerk)
    url = reverse("admin:gov_services_application_change", args=[app.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="materials-0-status"' in html and 'name="materials-0-due_date"' in html
    assert "容缺后补" in html and "补交期限" in html and "必要性" in text(page)

    later = necessity(app, "later")[0]
    data = change_form_data(page)
    index = [r.pk for r in app.materials.order_by("id")].index(later.pk)
    data[f"materials-{index}-status"] = "deferred"
    data[f"materials-{index}-due_date"] = ""
    before = snapshot(app)
    refused = client.post(url, data)
    assert refused.status_code == 200  # the form again, with the reason at the row
    assert f"请填写“{later.name}”的补交期限" in refused.content.decode()
    assert snapshot(app) == before

    due = timezone.localdate() + timedelta(days=7)
    data[f"materials-{index}-due_date"] = due.isoformat()
    saved = client.post(url, data)
    assert saved.status_code == 302, text(saved)[:2000]
    row = ApplicationMaterial.objects.get(pk=later.pk)
    assert (row.status, row.due_date) == ("deferred", due)


def change_form_data(page: Any) -> dict[str, Any]:
    """What the desk's change form posts as it stands: the record's fields and the inline rows."""
    data: dict[str, Any] = {}
    form = page.context["adminform"].form
    for bound in form:
        if bound.field.disabled:
            continue
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
        return None  # a stored file stays as it is unless a new one is sent
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else None
    if hasattr(value, "pk"):
        return value.pk
    return "" if value is None else value


# -- the citizen sees what is owed and by when ---------------------------------------------------------------


def test_the_tracking_page_shows_the_owed_material_and_its_due_date(world) -> None:
    clerk = world["users"]["clerk"]
    account = citizen("11010519491231002", "李四", "13800000001", clerk=clerk)
    app = make_application(
        world["food"],
        user=clerk,
        materials_received=False,
        applicant_name=account.name,
        id_number=account.id_number,
        phone=account.phone,
        applicant_user=account.user,
    )
    receive_materials(app, user=clerk, necessities=("required",))
    owed = necessity(app, "later")[0]
    due = timezone.localdate() + timedelta(days=10)
    set_rows(app, clerk, **{owed.name: {"status": "deferred", "due_date": due, "note": "承诺十日内补交"}})
    engine.apply_transition(app, "accept", clerk)

    client = Client()
    assert client.login(username=account.id_number, password=PASSWORD)
    page = client.get(f"/my/applications/{app.number}/")
    assert page.status_code == 200
    shown = "".join(text(page).split())
    assert f"{owed.name}：容缺后补（补交期限{due:%Y-%m-%d}）承诺十日内补交" in shown
    assert GuideMaterial.objects.filter(pk=owed.guide_material_id, necessity="later").exists()


def test_returning_from_a_supplement_request_needs_exactly_what_was_requested(world) -> None:
    """补正: what the reviewer marked defective — an optional material too — must be given again; the citizen's
    supplement form asks for exactly that, and neither the engine nor the API lets the clock resume without."""
    clerk, reviewer = world["users"]["clerk"], world["users"]["reviewer"]
    account = citizen("32110219900303003", "王五", "13800000003", clerk=clerk)
    app = make_application(world["food"], user=clerk, applicant_user=account.user)
    optional = necessity(app, "optional")[0]
    set_rows(app, clerk, **{optional.name: {"status": ApplicationMaterial.Status.SUBMITTED}})
    app = engine.apply_transition(app, "accept", clerk)
    app = engine.apply_transition(app, "request_supplement", reviewer, comment="委托书未签字")
    set_rows(app, reviewer, **{optional.name: {"status": ApplicationMaterial.Status.DEFECTIVE, "note": "未签字"}})
    before = snapshot(app)

    with pytest.raises(engine.WorkflowError, match=optional.name):
        engine.apply_transition(app, "supplemented", clerk)
    response = api(account.user).post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Application", "name": app.number, "action": "supplemented"}),
        content_type="application/json",
    )
    assert response.status_code == 417 and optional.name in response.content.decode()
    assert snapshot(app) == before
    assert Application.objects.get(pk=app.pk).status == "supplement_requested"

    portal = Client()
    assert portal.login(username=account.id_number, password=PASSWORD)
    page = portal.get(f"/my/applications/{app.number}/").content.decode()
    asked = re.findall(r'name="row_(\d+)"', page)
    assert asked == [str(rows(app)[optional.name].pk)]  # only what was requested, nothing else

    set_rows(app, clerk, **{optional.name: {"status": ApplicationMaterial.Status.SUBMITTED}})
    assert engine.apply_transition(app, "supplemented", clerk).status == "accepted"
