"""One write path (issue 14): the rules hold on every surface — desk form, /api/resource, frappe.client, Excel —
because each runs the DocType's controller and field rules. Each case asserts the refusal, with the field
named, and that the stored row is what it was before."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.contrib import admin as django_admin
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from gov_services.gov_services.doctype.evaluation.services import evaluation_create
from gov_services.gov_services.doctype.matter import excel
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import (
    Application,
    Evaluation,
    Guide,
    GuideMaterial,
    Handover,
    Licence,
    LicenceType,
    Matter,
    WorkOrder,
)
from lowcode.api.models import credential_generate
from lowcode.core.controller import WriteContext, Writer, check_field_rules
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market, planning = departments["market"], departments["planning"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
        "liaison": make_user("liaison", "Department Liaison", market),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
    }
    with translation.override("zh-hans"):
        yield {"users": users, "matters": matters, "market": market, "planning": planning, "departments": departments}


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


def snapshot(doc: Any) -> dict:
    return type(doc)._default_manager.filter(pk=doc.pk).values().get()


def refused(response: Any, field_label: str) -> str:
    assert response.status_code == 417, response.content.decode()[:400]
    body = response.json()
    assert body["exc_type"] == "ValidationError"
    message = json.loads(json.loads(body["_server_messages"])[0])["message"]
    assert field_label in message, message
    return message


def market_matter(world: dict) -> Matter:
    return next(m for m in world["matters"] if m.department_id == world["market"].pk)


# -- Matter: the online level (S000 art. 12) ------------------------------------------------------------------


def test_online_level_raise_without_approval_is_refused_on_every_surface(world) -> None:
    matter = market_matter(world)
    Matter.objects.filter(pk=matter.pk).update(online_level=1)
    matter.refresh_from_db()
    before = snapshot(matter)
    liaison = world["users"]["liaison"]

    refused(put(api(liaison), "Matter", matter.implementation_code, {"online_level": 3}), "网上办理层级")
    refused(put(api(liaison), "Matter", matter.implementation_code, {"online_level": 4}), "网上办理层级")  # no detour
    assert snapshot(matter) == before

    workbook = load_workbook(BytesIO(excel.export_workbook(Matter.objects.filter(pk=matter.pk))))
    sheet = workbook["事项"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("网上办理层级*") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value=3)
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(excel.ImportErrors) as raised:
        excel.import_workbook(buffer.getvalue(), user=liaison)
    assert any(col == "网上办理层级" and "第十二条" in msg for _s, _r, col, msg in raised.value.errors)
    assert snapshot(matter) == before


# -- Guide: publishing (S003 art. 8) and a published guide frozen ---------------------------------------------


def test_guide_status_is_the_publish_services_and_a_published_guide_is_frozen(world) -> None:
    matter = market_matter(world)
    guide = Guide.objects.get(pk=matter.published_guide_id)
    liaison = world["users"]["liaison"]
    client = api(liaison)
    before = snapshot(guide)

    refused(put(client, "Guide", guide.pk, {"status": "draft"}), "状态")
    refused(put(client, "Guide", guide.pk, {"location": "别处"}), "新建一个版本")
    refused(set_value(client, "Guide", guide.pk, "location", "别处"), "新建一个版本")
    assert snapshot(guide) == before

    # the desk does not open a published guide for editing at all
    page = desk(liaison).post(reverse("admin:gov_services_guide_change", args=[guide.pk]), {"location": "别处"})
    assert page.status_code == 403
    assert snapshot(guide) == before


def test_a_draft_guide_with_vague_materials_cannot_be_published_by_any_writer(world) -> None:
    matter = market_matter(world)
    draft = Guide.objects.create(matter=matter, version=9, status=Guide.Status.DRAFT)
    GuideMaterial.objects.create(guide=draft, name="其他有关材料", legal_basis="")
    before = snapshot(draft)

    refused(put(api(world["users"]["liaison"]), "Guide", draft.pk, {"status": "published"}), "状态")
    assert snapshot(draft) == before

    from gov_services.gov_services.doctype.guide.services import guide_publish

    with pytest.raises(ValidationError, match=r"缺少设定依据"):
        guide_publish(guide=draft, user=world["users"]["liaison"])
    assert snapshot(draft) == before


# -- Evaluation: the evaluator's, never changed after ---------------------------------------------------------


def test_a_department_cannot_rewrite_its_evaluation(world) -> None:
    app = make_application(market_matter(world), user=world["users"]["clerk"])
    evaluation = evaluation_create(
        user=None,
        application=app,
        level=Evaluation.Level.VERY_DISSATISFIED,
        reason="多跑了一趟",
        channel="pc",
        evaluator_name="张伟",
    )
    before = snapshot(evaluation)
    client = api(world["users"]["reviewer"])

    message = refused(put(client, "Evaluation", evaluation.pk, {"level": 5, "reason": ""}), "评价")
    assert "不能更改" in message or "cannot be changed" in message
    refused(set_value(client, "Evaluation", evaluation.pk, "level", 5), "评价")
    assert snapshot(evaluation) == before


# -- Work order: the revisit is the hotline's (S000 art. 10), numbered by its received date -------------------


def test_the_unit_cannot_record_its_own_revisit(world) -> None:
    order = work_order_create(
        user=world["users"]["hotline"],
        order_type=WorkOrder.Type.COMPLAINT,
        source=WorkOrder.Source.HOTLINE,
        subject="窗口态度",
        content="工作人员态度生硬",
        applicant_name="王五",
        phone="13800000000",
    )
    WorkOrder.objects.filter(pk=order.pk).update(department=world["market"])
    order.refresh_from_db()
    before = snapshot(order)
    client = api(world["users"]["liaison"])

    refused(put(client, "Work Order", order.number, {"satisfaction": "satisfied"}), "工作流")
    refused(put(client, "Work Order", order.number, {"revisit_note": "满意"}), "Hotline Agent")
    assert snapshot(order) == before
    form = desk_form(world["users"]["liaison"], order)
    # the desk shows what the unit may not write read-only: the revisit actions set the satisfaction, and
    # only the hotline writes the revisit note
    assert "satisfaction" not in form.fields and "revisit_note" not in form.fields
    assert "revisit_note" in desk_form(world["users"]["hotline"], order).fields
    assert snapshot(order) == before


def test_work_orders_from_the_api_are_numbered_by_their_received_day(world) -> None:
    received = timezone.now() - timedelta(days=90)
    response = api(world["users"]["hotline"]).post(
        "/api/resource/Work Order",
        data=json.dumps(
            {
                "order_type": "consultation",
                "source": "hotline",
                "subject": "咨询",
                "content": "如何办理",
                "applicant_name": "赵六",
                "phone": "13800000001",
                "received_at": timezone.localtime(received).strftime("%Y-%m-%d %H:%M:%S"),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content.decode()[:300]
    number = response.json()["data"]["name"]
    assert number.startswith("GD" + timezone.localdate(received).strftime("%Y%m%d"))


# -- Application: created only under a published matter, with its material rows -------------------------------


def application_payload(matter: Matter, **extra: Any) -> dict:
    return {
        "matter": matter.implementation_code,
        "applicant_type": "person",
        "applicant_name": "孙七",
        "id_type": "resident_id",
        "id_number": "320102199003077770"[:17] + "X",
        "phone": "13900000000",
        **extra,
    }


def test_api_applications_follow_the_controller(world) -> None:
    from tests.gov_services.factories import resident_id

    matter = market_matter(world)
    client = api(world["users"]["clerk"])
    payload = application_payload(matter, id_number=resident_id())

    made = client.post("/api/resource/Application", data=json.dumps(payload), content_type="application/json")
    assert made.status_code == 200, made.content.decode()[:300]
    data = made.json()["data"]
    app = Application.objects.get(number=data["name"])
    assert app.materials.count() == matter.published_guide.materials.count() > 0
    assert app.guide_id == matter.published_guide_id and app.department_id == matter.department_id
    assert data["name"].startswith("BJ" + timezone.localdate(app.submitted_at).strftime("%Y%m%d"))

    backdated = {**payload, "submitted_at": "2026-01-05 09:00:00"}
    refused(
        client.post("/api/resource/Application", data=json.dumps(backdated), content_type="application/json"), "提交"
    )
    count = Application.objects.count()
    Matter.objects.filter(pk=matter.pk).update(status=Matter.Status.DRAFT)
    refused(
        client.post("/api/resource/Application", data=json.dumps(payload), content_type="application/json"), matter.name
    )
    assert Application.objects.count() == count


def test_an_applications_state_and_system_fields_are_not_written_around_the_workflow(world) -> None:
    app = make_application(market_matter(world), user=world["users"]["clerk"])
    before = snapshot(app)
    client = api(world["users"]["reviewer"])
    engine.apply_transition(app, "accept", world["users"]["clerk"])
    before = snapshot(app)

    refused(put(client, "Application", app.number, {"status": "approved"}), "工作流")
    refused(put(client, "Application", app.number, {"decided_at": "2026-01-01 10:00:00"}), "工作流")
    refused(put(client, "Application", app.number, {"department": world["planning"].name}), "系统")
    refused(set_value(client, "Application", app.number, "id_number", "110101199003077777"), "不能更改")
    assert snapshot(app) == before

    # the state field is the workflow's for system writers too (fixtures, demo, jobs)
    app.status = Application.Status.APPROVED
    ctx = WriteContext(user=None, writer=Writer.SYSTEM, creating=False, changed={"status"})
    with pytest.raises(ValidationError) as raised:
        check_field_rules(app, ctx)
    assert raised.value.error_dict["status"][0].code == "workflow_owned"


# -- Handover: a department's own applications only -----------------------------------------------------------


def test_a_desk_handover_of_another_departments_application_is_refused(world) -> None:
    planning_matter = next(m for m in world["matters"] if m.department_id == world["planning"].pk)
    foreign = make_application(planning_matter, user=world["users"]["clerk"])
    count = Handover.objects.count()
    page = desk(world["users"]["clerk"]).post(
        reverse("admin:gov_services_handover_add"),
        {
            "kind": Handover.Kind.MATERIALS,
            "department": world["market"].pk,
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-application": foreign.pk,
            "items-0-pieces": "1",
        },
    )
    assert page.status_code == 200  # the form again, with the reason
    assert foreign.number in page.content.decode()
    assert Handover.objects.count() == count


# -- names: what a list returns fetches the record back -------------------------------------------------------


@pytest.mark.parametrize("doctype", ["Matter", "Licence Type"])
def test_the_name_a_list_returns_fetches_the_record(world, doctype: str) -> None:
    client = api(world["users"]["sysmgr"])
    rows = client.get(f"/api/resource/{doctype}", {"fields": '["name", "title"]', "limit_page_length": 3}).json()[
        "data"
    ]
    assert rows
    for row in rows:
        one = client.get(f"/api/resource/{doctype}/{row['name']}")
        assert one.status_code == 200
        assert one.json()["data"]["name"] == row["name"]
        assert one.json()["data"]["title"] == row["title"]
    model = {"Matter": Matter, "Licence Type": LicenceType}[doctype]
    assert {r["title"] for r in rows} <= set(model.objects.values_list("name", flat=True))


def licence_matter(world: dict) -> Matter:
    return next(
        m for m in world["matters"] if m.issues_licence and m.licence_type_id and m.department_id == world["market"].pk
    )


def market_licence(world: dict) -> Licence:
    from gov_services.gov_services.doctype.licence.services import licence_issue

    matter = licence_matter(world)
    return licence_issue(
        licence_type=matter.licence_type,
        issuer=matter.department,
        holder_name="李四",
        holder_id_type="resident_id",
        holder_id_number="110101199003077777",
        issued_on=timezone.localdate(),
        user=None,
    )


def test_licence_holder_and_validity_are_recorded_once(world) -> None:
    licence = market_licence(world)
    before = snapshot(licence)
    client = api(world["users"]["reviewer"])
    refused(put(client, "Licence", licence.identifier, {"holder_name": "王二", "valid_to": "2099-01-01"}), "持证")
    assert snapshot(licence) == before
    assert client.get(f"/api/resource/Licence/{licence.identifier}").json()["data"]["name"] == licence.identifier
    assert model_to_dict(Licence.objects.get(pk=licence.pk))["holder_name"] == "李四"
    assert django_admin.site._registry[Licence]


# -- the desk's own form (the same validation its change page runs) and the web form ---------------------------


def desk_request(user: Any) -> Any:
    request = RequestFactory().post("/desk/")
    request.user = user
    return request


def desk_form(user: Any, doc: Any, **changes: Any) -> Any:
    """The desk's form for `doc` as `user` gets it, posted with the stored values and `changes`."""
    request = desk_request(user)
    model_admin = django_admin.site._registry[type(doc)]
    form_class = model_admin.get_form(request, doc, change=True)
    fields = list(form_class.base_fields)
    data = {k: v for k, v in model_to_dict(doc, fields=fields).items() if v is not None}
    posted: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            posted[key] = [x.pk if hasattr(x, "pk") else x for x in value]
        elif isinstance(value, datetime):  # the desk's split date and time inputs
            local = timezone.localtime(value)
            posted[f"{key}_0"], posted[f"{key}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        else:
            posted[key] = value
    posted.update(changes)
    data = posted
    return form_class(data=data, instance=type(doc)._default_manager.get(pk=doc.pk))


def test_the_desk_form_refuses_what_the_api_refuses(world) -> None:
    app = make_application(market_matter(world), user=world["users"]["clerk"])
    evaluation = evaluation_create(
        user=None,
        application=app,
        level=Evaluation.Level.DISSATISFIED,
        reason="慢",
        channel="pc",
        evaluator_name="张伟",
    )
    before = snapshot(evaluation)
    form = desk_form(world["users"]["reviewer"], evaluation, level=5)
    assert not form.is_valid()
    assert form.errors["level"] == ["“评价等级”一经记录不能更改。"]
    form = desk_form(world["users"]["reviewer"], evaluation, reason="")
    assert not form.is_valid() and "reason" in form.errors  # a poor review keeps its reason
    assert snapshot(evaluation) == before

    matter = market_matter(world)
    Matter.objects.filter(pk=matter.pk).update(online_level=2)
    matter.refresh_from_db()
    form = desk_form(world["users"]["liaison"], matter, online_level=3)
    assert not form.is_valid() and "第十二条" in str(form.errors["online_level"])


def test_the_web_form_cannot_write_what_it_does_not_carry(world) -> None:
    from tests.gov_services.portal_support import apply_data, citizen, client_for, online_matter

    matter = online_matter()
    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["users"]["clerk"])
    client = client_for(account)
    url = f"/apply/new?matter={matter.implementation_code}"
    posted = client.post(url, apply_data(client.get(url).content.decode()))
    assert posted.status_code == 302
    app = Application.objects.get(applicant_user=account.user)
    before = snapshot(app)
    edit = client.post(
        f"/apply/{app.number}",
        {
            "phone": "13900001111",
            "address": "镇江市润州区",
            "delivery_method": "ems",
            "id_number": "110101199003077777",
            "department": world["planning"].pk,
            "status": "approved",
            "submitted_at": "2026-01-01 09:00:00",
        },
    )
    assert edit.status_code == 302
    after = snapshot(app)
    assert after["phone"] == "13900001111"
    for field in ("id_number", "department_id", "status", "submitted_at", "number", "guide_id"):
        assert after[field] == before[field]

    Matter.objects.filter(pk=matter.pk).update(status=Matter.Status.DRAFT)
    count = Application.objects.count()
    closed = client.post(url, apply_data(client.get(url).content.decode()))
    assert closed.status_code != 302
    assert Application.objects.count() == count


def test_a_licence_issued_through_the_api_gets_its_identifier_from_the_controller(world) -> None:
    matter = licence_matter(world)
    client = api(world["users"]["reviewer"])
    payload = {
        "licence_type": matter.licence_type.code,
        "issuer": world["market"].name,
        "holder_name": "周八",
        "holder_id_type": "resident_id",
        "holder_id_number": "110101199003077777",
        "issued_on": "2026-11-30",
    }
    forged = client.post(
        "/api/resource/Licence",
        data=json.dumps({**payload, "identifier": "1.2.156.x"}),
        content_type="application/json",
    )
    refused(forged, "电子证照标识")
    assert not Licence.objects.filter(holder_name="周八").exists()
    made = client.post("/api/resource/Licence", data=json.dumps(payload), content_type="application/json")
    assert made.status_code == 200, made.content.decode()[:300]
    licence = Licence.objects.get(holder_name="周八")
    assert made.json()["data"]["name"] == licence.identifier
    assert licence.identifier.startswith(f"1.2.156.3005.2.{matter.licence_type.code}.{world['market'].uscc}.")
    assert licence.valid_from.isoformat() == "2026-11-30"


# -- found in review: more ways around, now closed -----------------------------------------------------------


def test_records_stay_in_scope_and_who_they_are_never_changes(world) -> None:
    from tests.gov_services.portal_support import citizen

    matter = market_matter(world)
    before = snapshot(matter)
    moved = put(api(world["users"]["liaison"]), "Matter", matter.implementation_code, {"department": "规划局"})
    assert moved.status_code in (403, 417)
    assert snapshot(matter) == before

    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["users"]["clerk"])
    account_before = snapshot(account)
    clerk = api(world["users"]["clerk"])
    refused(put(clerk, "Portal Account", account.id_number, {"id_number": "110101199003077777"}), "证件号码")
    assert snapshot(account) == account_before

    order = work_order_create(
        user=world["users"]["hotline"],
        order_type=WorkOrder.Type.COMPLAINT,
        source=WorkOrder.Source.HOTLINE,
        subject="窗口态度",
        content="工作人员态度生硬",
        applicant_name="王五",
        phone="13800000000",
    )
    engine.apply_transition(order, "transfer", world["users"]["hotline"], values={"department": world["market"]})
    order.refresh_from_db()
    order_before = snapshot(order)
    refused(
        put(api(world["users"]["liaison"]), "Work Order", order.number, {"department": world["planning"].name}),
        "Hotline",
    )
    assert snapshot(order) == order_before


def test_a_revoked_licence_stays_revoked_and_a_sent_message_stays_as_sent(world) -> None:
    from gov_services.models import WorkOrderMessage
    from lowcode.core.documents import save_doc, save_rows

    licence = market_licence(world)
    licence.status = Licence.Status.REVOKED
    save_doc(licence, update_fields=["status"], user=world["users"]["reviewer"])
    refused(put(api(world["users"]["reviewer"]), "Licence", licence.identifier, {"status": "valid"}), "重新签发")
    assert Licence.objects.get(pk=licence.pk).status == Licence.Status.REVOKED

    order = work_order_create(
        user=world["users"]["hotline"],
        order_type=WorkOrder.Type.CONSULTATION,
        source=WorkOrder.Source.ONLINE,
        subject="咨询",
        content="如何办理",
        applicant_name="王五",
        phone="13800000000",
    )
    message = WorkOrderMessage(work_order=order, author=world["users"]["hotline"], text="请问进度", at=timezone.now())
    save_rows(order, WorkOrderMessage, changed=[message], table=[message], user=world["users"]["hotline"])
    message.text = "改过的留言"
    with pytest.raises(ValidationError):
        save_rows(order, WorkOrderMessage, changed=[message], table=[message], user=world["users"]["liaison"])
    assert WorkOrderMessage.objects.get(pk=message.pk).text == "请问进度"


def test_a_refused_desk_form_spends_no_number(world) -> None:
    from lowcode.core.models import NamingSeries

    planning_matter = next(m for m in world["matters"] if m.department_id == world["planning"].pk)
    foreign = make_application(planning_matter, user=world["users"]["clerk"])
    counters = dict(NamingSeries.objects.values_list("name", "current"))
    page = desk(world["users"]["clerk"]).post(
        reverse("admin:gov_services_handover_add"),
        {
            "kind": Handover.Kind.MATERIALS,
            "department": world["market"].pk,
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-application": foreign.pk,
            "items-0-pieces": "1",
        },
    )
    assert page.status_code == 200
    after = dict(NamingSeries.objects.values_list("name", "current"))
    assert {name: after[name] for name in after if after[name] != counters.get(name, 0)} == {}


def test_frappe_client_insert_save_and_delete_take_the_same_path(world) -> None:
    from tests.gov_services.factories import resident_id

    client = api(world["users"]["clerk"])
    matter = market_matter(world)

    def call(method: str, payload: dict) -> Any:
        return client.post(
            f"/api/method/frappe.client.{method}", data=json.dumps(payload), content_type="application/json"
        )

    doc = {"doctype": "Application", **application_payload(matter, id_number=resident_id())}
    forged = call("insert", {"doc": {**doc, "submitted_at": "2026-01-05 09:00:00"}})
    refused(forged, "提交")
    made = call("insert", {"doc": doc})
    assert made.status_code == 200, made.content.decode()[:300]
    number = made.json()["message"]["name"]
    app = Application.objects.get(number=number)
    assert app.materials.count() == matter.published_guide.materials.count()
    before = snapshot(app)
    refused(call("save", {"doc": {"doctype": "Application", "name": number, "status": "approved"}}), "工作流")
    assert snapshot(app) == before
    saved = call("save", {"doc": {"doctype": "Application", "name": number, "remarks": "已电话联系"}})
    assert saved.status_code == 200 and saved.json()["message"]["remarks"] == "已电话联系"

    article = api(world["users"]["sysmgr"]).post(
        "/api/method/frappe.client.insert",
        data=json.dumps(
            {
                "doc": {
                    "doctype": "Knowledge Article",
                    "title": "社保卡补办",
                    "answer": "带身份证到窗口",
                    "department": world["market"].name,
                }
            }
        ),
        content_type="application/json",
    )
    assert article.status_code == 200, article.content.decode()[:300]
    name = article.json()["message"]["name"]
    gone = api(world["users"]["sysmgr"]).post(
        "/api/method/frappe.client.delete",
        data=json.dumps({"doctype": "Knowledge Article", "name": name}),
        content_type="application/json",
    )
    assert gone.status_code == 200
    from gov_services.models import KnowledgeArticle

    assert not KnowledgeArticle.objects.filter(pk=name).exists()
