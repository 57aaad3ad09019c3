"""Delivery and verification as S001 三(六) writes them (issue 17): a result sent by EMS carries its waybill number,
and the issuing clerk's verification compares the result with the licence record and refuses a mismatch with the
differences listed — through the engine, the REST API and the desk alike."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.gov_services.codes import IdType
from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.gov_services.identifiers import s10_check_digit, validate_waybill
from gov_services.models import Application, Handover, HandoverItem, Licence
from lowcode.api.models import credential_generate
from lowcode.core.documents import save_doc, save_rows
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user, resident_id


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "issuing": make_user("issuing", "Issuing Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
    }
    matter = next(m for m in matters if m.issues_licence and m.licence_type_id and m.department_id == market.pk)
    with translation.override("zh-hans"):
        yield {"users": users, "matter": matter, "market": market}


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def _approved(world) -> Application:
    users = world["users"]
    app = make_application(world["matter"], user=users["clerk"])
    app = engine.apply_transition(app, "accept", users["clerk"])
    app = engine.apply_transition(app, "start_review", users["reviewer"])
    return engine.apply_transition(app, "approve", users["reviewer"], values={"decision_reason": "符合条件"})


def _licensed(world, **holder: Any) -> tuple[Application, Licence]:
    app = _approved(world)
    fields = {
        "holder_name": app.applicant_name,
        "holder_id_type": IdType.RESIDENT_ID,
        "holder_id_number": app.id_number,
        **holder,
    }
    licence = licence_issue(
        licence_type=app.matter.licence_type,
        issuer=app.department,
        issued_on=timezone.localdate(),
        application=app,
        user=world["users"]["reviewer"],
        **fields,
    )
    app = engine.apply_transition(app, "issue_licence", world["users"]["reviewer"])
    app = engine.apply_transition(app, "hand_over_result", world["users"]["reviewer"])
    return app, licence


def _results_handover(world, app: Application) -> tuple[Handover, list[HandoverItem]]:
    handover = handover_create(
        kind=Handover.Kind.RESULTS, department=app.department, applications=[app], user=world["users"]["reviewer"]
    )
    return handover, list(handover.items.select_related("application", "licence"))


# -- EMS needs its waybill -------------------------------------------------------------------------------------


def test_ems_item_numbers_are_checked_by_their_form_and_check_digit() -> None:
    assert s10_check_digit("12345678") == "5"
    for good in ("EA123456785CN", "ea123456785cn", "1123456789012"):
        validate_waybill(good)
    for bad in ("EA123456784CN", "EA12345678CN", "12345", "", "顺丰123"):
        with pytest.raises(ValidationError):
            validate_waybill(bad)


def test_ems_delivery_without_a_waybill_is_refused_in_the_engine_and_the_api(world) -> None:
    app, _ = _licensed(world)
    issuing = world["users"]["issuing"]
    with pytest.raises(engine.WorkflowError, match="EMS"):
        engine.apply_transition(app, "deliver", issuing, values={"delivery_method": "ems"})
    assert Application.objects.get(pk=app.pk).status == "result_handed_over"

    # The API: the method and an empty waybill saved first, then the action — refused in Frappe's shape.
    client = api(issuing)
    saved = client.put(
        f"/api/resource/Application/{app.number}",
        data=json.dumps({"delivery_method": "ems", "waybill_no": ""}),
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content.decode()[:300]
    response = client.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Application", "name": app.number, "action": "deliver"}),
        content_type="application/json",
    )
    assert response.status_code == 417, response.content.decode()[:300]
    assert response.json()["exc_type"] == "ValidationError"
    assert "EMS" in json.loads(json.loads(response.json()["_server_messages"])[0])["message"]
    assert Application.objects.get(pk=app.pk).status == "result_handed_over"

    with pytest.raises(engine.WorkflowError, match="EA123456785CN"):  # the example of a well-formed one
        engine.apply_transition(
            Application.objects.get(pk=app.pk), "deliver", issuing, values={"waybill_no": "EA123456784CN"}
        )
    done = engine.apply_transition(
        Application.objects.get(pk=app.pk), "deliver", issuing, values={"waybill_no": "ea123456785cn"}
    )
    assert (done.status, done.waybill_no) == ("delivered", "EA123456785CN")
    # Delivered: how and under which waybill is the record, from the engine's writer and the API alike.
    done.waybill_no = "1123456789012"
    with pytest.raises(ValidationError):
        save_doc(done, update_fields=["waybill_no"], user=issuing)
    cleared = client.put(
        f"/api/resource/Application/{app.number}",
        data=json.dumps({"waybill_no": "", "delivery_method": "pickup"}),
        content_type="application/json",
    )
    assert cleared.status_code == 417, cleared.content.decode()[:300]
    assert Application.objects.get(pk=app.pk).waybill_no == "EA123456785CN"
    # Pickup needs none.
    other, _ = _licensed(world)
    assert engine.apply_transition(other, "deliver", issuing, values={"delivery_method": "pickup"}).status == (
        "delivered"
    )


def test_a_delivery_handover_by_ems_is_sent_only_with_its_waybill(world) -> None:
    app, _ = _licensed(world)
    clerk = world["users"]["issuing"]
    handover = handover_create(
        kind=Handover.Kind.DELIVERY, department=app.department, applications=[app], user=clerk, delivery_method="ems"
    )
    with pytest.raises(engine.WorkflowError, match="EMS"):
        engine.apply_transition(handover, "send", clerk)
    assert Handover.objects.get(pk=handover.pk).status == "created"
    handover.waybill_no = "1123456789012"
    save_doc(handover, update_fields=["waybill_no"], user=clerk)
    sent = engine.apply_transition(handover, "send", clerk)
    assert sent.status == "sent"
    sent.service_receipt = ContentFile(b"%PDF-1.4\n%%EOF\n", name="回证.pdf")  # the signed EMS slip (送达回证)
    save_doc(sent, update_fields=["service_receipt"], user=clerk)
    signed = engine.apply_transition(Handover.objects.get(pk=handover.pk), "confirm_delivery", world["users"]["clerk"])
    assert signed.status == "signed"
    # Signed: the record of what was handed over, its method, waybill and items.
    signed.delivery_method, signed.waybill_no = "pickup", ""
    with pytest.raises(ValidationError):
        save_doc(signed, update_fields=["delivery_method", "waybill_no"], user=clerk)
    items = list(signed.items.all())
    with pytest.raises(ValidationError):
        save_rows(signed, HandoverItem, changed=[], deleted=items, table=[], user=clerk)
    stored = Handover.objects.get(pk=handover.pk)
    assert (stored.delivery_method, stored.waybill_no, stored.items.count()) == ("ems", "1123456789012", 1)


# -- Verification against the licence record ------------------------------------------------------------------


def test_a_result_whose_holder_differs_from_the_licence_is_refused_at_verification(world) -> None:
    app, licence = _licensed(world, holder_name="张卫", holder_id_number=resident_id("11010119850101123"))
    handover, items = _results_handover(world, app)
    assert items[0].licence_id == licence.pk
    items[0].verified = True
    with pytest.raises(ValidationError) as refused:
        save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
    message = " ".join(refused.value.messages)
    assert app.number in message and "张卫" in message and app.applicant_name in message
    assert "证件号码" in message or "ID" in message
    assert not HandoverItem.objects.get(pk=items[0].pk).verified
    # The clerk sends it back instead (核验不符退回).
    assert engine.apply_transition(
        app, "reject_result", world["users"]["issuing"], comment="持证人姓名有误"
    ).status == ("licence_issued")


def test_a_matching_result_is_verified_and_an_expired_licence_is_not(world) -> None:
    app, _ = _licensed(world)
    handover, items = _results_handover(world, app)
    items[0].verified = True
    save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
    assert HandoverItem.objects.get(pk=items[0].pk).verified

    today = timezone.localdate()
    stale, _ = _licensed(world, valid_from=today - timedelta(days=800), valid_to=today - timedelta(days=1))
    handover, items = _results_handover(world, stale)
    items[0].verified = True
    with pytest.raises(ValidationError) as refused:
        save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
    assert stale.number in " ".join(refused.value.messages)


def test_the_desk_refuses_the_tick_on_the_handover_form_with_the_differences(world) -> None:
    app, _ = _licensed(world, holder_name="张卫")
    handover, items = _results_handover(world, app)
    client = Client()
    assert client.login(username="issuing", password=PASSWORD)
    item = items[0]
    page = client.post(
        reverse("admin:gov_services_handover_change", args=[handover.pk]),
        {
            "kind": handover.kind,
            "department": handover.department_id,
            "reject_reason": "",
            "delivery_method": "",
            "waybill_no": "",
            "locker_code": "",
            "recipient_name": "",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "items-0-id": item.pk,
            "items-0-handover": handover.pk,
            "items-0-application": item.application_id,
            "items-0-licence": item.licence_id,
            "items-0-pieces": "1",
            "items-0-verified": "on",
            "items-0-note": "",
        },
    )
    body = page.content.decode()
    assert page.status_code == 200, page.status_code  # the form again, with the reason
    assert "张卫" in body and app.number in body
    assert not HandoverItem.objects.get(pk=item.pk).verified


def test_a_row_verified_before_its_licence_lapsed_does_not_lock_the_handover(world) -> None:
    app, licence = _licensed(world)
    handover, items = _results_handover(world, app)
    items[0].verified = True
    save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
    Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.REVOKED)  # revoked later, elsewhere
    items = list(handover.items.select_related("application", "licence"))
    items[0].note = "已核验原件"
    save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
    assert HandoverItem.objects.get(pk=items[0].pk).note == "已核验原件"
    # Ticking it afresh is checked against the licence as it is now.
    items[0].verified = False
    save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
    items[0].verified = True
    with pytest.raises(ValidationError):
        save_rows(handover, HandoverItem, changed=items, table=items, user=world["users"]["issuing"])
