"""Delivery to the applicant as S001 三(六)2 writes it (issue 17): the signed service receipt (送达回证) is uploaded
before an EMS delivery or a pickup is signed for and kept after; a locker delivery's pickup code is generated,
expires, reaches the applicant's portal account, is masked for staff other than the issuing window, and an
expired one does not mark the pickup done until the clerk issues a new one; the originals lent for inspection
(原件核验后退还) are listed on the delivery and its 送达回证 and must be ticked returned — through the engine and
controller, the REST API and the desk alike."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.gov_services.doctype.handover import delivery
from gov_services.gov_services.doctype.handover.models import HandoverReturn
from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.models import Application, ApplicationMaterial, Handover, HandoverItem
from lowcode.api.models import credential_generate
from lowcode.core.documents import delete_doc, insert_doc, save_doc, save_rows
from lowcode.core.models import NotificationLog
from lowcode.printing.services import body_html, format_for
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user, resident_id
from tests.gov_services.portal_support import EXE, PDF, citizen

pytestmark = pytest.mark.django_db


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "issuing": make_user("issuing", "Issuing Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
    }
    matter = next(m for m in matters if not m.issues_licence and m.department_id == market.pk)
    with translation.override("zh-hans"):
        yield {"users": users, "matter": matter, "market": market}


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def action(client: Client, doctype: str, name: str, verb: str) -> Any:
    return client.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": doctype, "name": name, "action": verb}),
        content_type="application/json",
    )


def message(response: Any) -> str:
    return json.loads(json.loads(response.json()["_server_messages"])[0])["message"]


def upload(client: Client, handover: Handover, content: bytes, name: str = "回证.pdf") -> Any:
    return client.post(
        "/api/method/upload_file",
        {
            "file": SimpleUploadedFile(name, content),
            "doctype": "Handover",
            "docname": handover.number,
            "fieldname": "service_receipt",
        },
    )


def _ready(world, **applicant: Any) -> Application:
    """An approved application whose result the department handed over to the issuing window."""
    users = world["users"]
    app = make_application(world["matter"], user=users["clerk"], **applicant)
    app = engine.apply_transition(app, "accept", users["clerk"])
    app = engine.apply_transition(app, "start_review", users["reviewer"])
    app = engine.apply_transition(app, "approve", users["reviewer"], values={"decision_reason": "符合条件"})
    return engine.apply_transition(app, "hand_over_result", users["reviewer"])


def _delivery(world, apps: list[Application], method: str, **fields: Any) -> Handover:
    return handover_create(
        kind=Handover.Kind.DELIVERY,
        department=apps[0].department,
        applications=apps,
        user=world["users"]["issuing"],
        delivery_method=method,
        **fields,
    )


def _sent(world, apps: list[Application], method: str, **fields: Any) -> Handover:
    handover = _delivery(world, apps, method, **fields)
    return engine.apply_transition(handover, "send", world["users"]["issuing"])


def _with_applicant(world, first17: str = "11010519491231002", name: str = "李四") -> tuple[Application, Any]:
    account = citizen(first17, name, "13800000001", clerk=world["users"]["clerk"])
    applicant = {"applicant_name": account.name, "id_number": account.id_number, "phone": account.phone}
    app = _ready(world, applicant_user=account.user, **applicant)
    return app, account


def _expire(handover: Handover) -> None:
    """Time passes beyond the code's validity (moved on the stored rows, as a clock would)."""
    past = timezone.now() - timedelta(minutes=1)
    Handover.objects.filter(pk=handover.pk).update(locker_code_expires_at=past)
    Application.objects.filter(handover_items__handover=handover).update(locker_code_expires_at=past)


# -- the signed service receipt --------------------------------------------------------------------------------


def test_an_ems_delivery_is_signed_for_only_with_the_signed_receipt_in_the_engine_and_the_api(world) -> None:
    issuing = world["users"]["issuing"]
    handover = _sent(world, [_ready(world)], "ems", waybill_no="1123456789012")

    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(handover, "confirm_delivery", issuing)
    assert refused.value.code == delivery.RECEIPT_REQUIRED
    assert "EMS" in str(refused.value)
    client = api(issuing)
    response = action(client, "Handover", handover.number, "confirm_delivery")
    assert response.status_code == 417, response.content.decode()[:300]
    assert "送达回证" in message(response)
    stored = Handover.objects.get(pk=handover.pk)
    assert (stored.status, stored.signed_at, stored.service_receipt.name) == ("sent", None, "")

    # A file that is not a PDF or an image is refused by its content, whatever its name.
    refused_upload = upload(client, handover, EXE, name="回证.pdf")
    assert refused_upload.status_code == 417, refused_upload.content.decode()[:300]
    assert Handover.objects.get(pk=handover.pk).service_receipt.name == ""
    uploaded = upload(client, handover, PDF)
    assert uploaded.status_code == 200, uploaded.content.decode()[:300]
    kept = Handover.objects.get(pk=handover.pk).service_receipt.name
    assert kept.startswith("handovers/receipts/") and kept.endswith(".pdf")

    response = action(client, "Handover", handover.number, "confirm_delivery")
    assert response.status_code == 200, response.content.decode()[:300]
    signed = Handover.objects.get(pk=handover.pk)
    assert (signed.status, signed.signed_by_id) == ("signed", issuing.pk)


def test_the_signed_receipt_is_kept_once_the_delivery_is_signed(world) -> None:
    issuing = world["users"]["issuing"]
    handover = _sent(world, [_ready(world)], "ems", waybill_no="EA123456785CN")
    handover.service_receipt = ContentFile(PDF, name="签收的邮件详情单.pdf")
    save_doc(handover, update_fields=["service_receipt"], user=issuing)
    signed = engine.apply_transition(handover, "confirm_delivery", issuing)
    kept = signed.service_receipt.name
    with signed.service_receipt.open("rb") as f:
        assert f.read() == PDF

    # Replaced or cleared by the controller's writer: refused, for the clerk and the system alike.
    signed.service_receipt = ContentFile(PDF + b"%again", name="另一张.pdf")
    with pytest.raises(ValidationError) as refused:
        save_doc(signed, update_fields=["service_receipt"], user=issuing)
    assert "service_receipt" in refused.value.error_dict
    signed = Handover.objects.get(pk=handover.pk)
    signed.service_receipt = ""
    with pytest.raises(ValidationError):
        save_doc(signed, update_fields=["service_receipt"])
    # … through the API's upload, and by deleting the handover.
    assert upload(api(issuing), signed, PDF).status_code in (403, 417)
    with pytest.raises(ValidationError):
        delete_doc(Handover.objects.get(pk=handover.pk), user=issuing)
    stored = Handover.objects.get(pk=handover.pk)
    assert stored.service_receipt.name == kept
    with stored.service_receipt.open("rb") as f:
        assert f.read() == PDF


def test_a_pickup_needs_the_signed_receipt_and_a_locker_pickup_does_not(world) -> None:
    issuing = world["users"]["issuing"]
    pickup = _sent(world, [_ready(world)], "pickup", recipient_name="张伟")
    with pytest.raises(engine.WorkflowError, match="办理结果签收表") as refused:
        engine.apply_transition(pickup, "confirm_delivery", issuing)
    assert refused.value.code == delivery.RECEIPT_REQUIRED
    pickup.service_receipt = ContentFile(PDF, name="签收表.pdf")
    save_doc(pickup, update_fields=["service_receipt"], user=issuing)
    assert engine.apply_transition(pickup, "confirm_delivery", issuing).status == "signed"

    locker = _sent(world, [_ready(world)], "locker")
    assert engine.apply_transition(locker, "confirm_delivery", issuing).status == "signed"


def test_the_desk_uploads_the_receipt_and_signs_the_delivery(world) -> None:
    issuing = world["users"]["issuing"]
    handover = _sent(world, [_ready(world)], "ems", waybill_no="1123456789012")
    client = Client()
    assert client.login(username="issuing", password=PASSWORD)
    apply_url = reverse("desk_workflow_apply", args=["gov_services", "handover", handover.pk])
    page = client.post(apply_url, {"action": "confirm_delivery", "state_seen": "sent"}, follow=True)
    assert "送达回证" in page.content.decode()
    assert Handover.objects.get(pk=handover.pk).status == "sent"

    item = handover.items.get()
    form = {
        "kind": handover.kind,
        "department": handover.department_id,
        "reject_reason": "",
        "delivery_method": "ems",
        "waybill_no": "1123456789012",
        "recipient_name": "",
        "service_receipt": SimpleUploadedFile("回证.pdf", PDF, content_type="application/pdf"),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-0-id": item.pk,
        "items-0-handover": handover.pk,
        "items-0-application": item.application_id,
        "items-0-licence": "",
        "items-0-pieces": "1",
        "items-0-note": "",
        "returns-TOTAL_FORMS": "0",
        "returns-INITIAL_FORMS": "0",
    }
    saved = client.post(reverse("admin:gov_services_handover_change", args=[handover.pk]), form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert Handover.objects.get(pk=handover.pk).service_receipt.name.endswith(".pdf")
    client.post(apply_url, {"action": "confirm_delivery", "state_seen": "sent"})
    assert Handover.objects.get(pk=handover.pk).status == "signed"
    assert issuing.pk == Handover.objects.get(pk=handover.pk).signed_by_id


# -- the locker pickup code ------------------------------------------------------------------------------------


def test_sending_a_locker_delivery_generates_a_code_that_expires_and_reaches_the_applicant(world) -> None:
    app, account = _with_applicant(world)
    before = timezone.now()
    handover = _sent(world, [app], "locker")
    after = timezone.now()

    code = handover.locker_code
    assert len(code) == 6 and code.isdigit()
    assert before + timedelta(hours=72) <= handover.locker_code_expires_at <= after + timedelta(hours=72)
    stored = Application.objects.get(pk=app.pk)
    assert (stored.locker_code, stored.locker_code_expires_at) == (code, handover.locker_code_expires_at)
    assert stored.locker_code_valid
    notes = list(NotificationLog.objects.filter(user=account.user, doctype="Application", doc_id=str(app.pk)))
    assert len(notes) == 1
    assert app.number in notes[0].subject and code in notes[0].body
    until = timezone.localtime(handover.locker_code_expires_at).strftime("%Y-%m-%d %H:%M")
    assert until in notes[0].body

    # The applicant's portal page shows the code and until when.
    portal = Client()
    assert portal.login(username=account.id_number, password=PASSWORD)
    page = portal.get(f"/my/applications/{app.number}/").content.decode()
    assert f"<strong data-locker-code>{code}</strong>" in page
    assert until in page and "data-locker-expired" not in page


def test_the_validity_is_the_sites_setting(world, settings) -> None:
    settings.CONFIG = {**settings.CONFIG, "locker_code_hours": 24}
    before = timezone.now()
    handover = _sent(world, [_ready(world)], "locker")
    assert before + timedelta(hours=24) <= handover.locker_code_expires_at <= timezone.now() + timedelta(hours=24)


def test_codes_come_from_a_cryptographic_source_and_are_not_repeated() -> None:
    codes = {delivery.new_locker_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 190  # six random digits: a repeat among 200 is rare


def test_a_typed_locker_code_is_refused_or_ignored_on_every_surface(world) -> None:
    issuing = world["users"]["issuing"]
    app = _ready(world)
    # A person's value: refused, from the service and the API, on the handover and on the application.
    with pytest.raises(ValidationError) as refused:
        _delivery(world, [app], "locker", locker_code="123456")
    assert "locker_code" in refused.value.error_dict
    handover = _delivery(world, [app], "locker")
    client = api(issuing)
    for doctype, name in (("Handover", handover.number), ("Application", app.number)):
        response = client.put(
            f"/api/resource/{doctype}/{name}",
            data=json.dumps({"locker_code": "123456"}),
            content_type="application/json",
        )
        assert response.status_code == 417, response.content.decode()[:300]
    assert Handover.objects.get(pk=handover.pk).locker_code == ""
    assert Application.objects.get(pk=app.pk).locker_code == ""

    # The system's own writers (fixtures, imports, jobs) are refused as well: the code is the workflow's.
    typed = Handover(
        kind=Handover.Kind.DELIVERY, department=app.department, delivery_method="locker", locker_code="654321"
    )
    with pytest.raises(ValidationError):
        insert_doc(typed)
    assert not Handover.objects.filter(locker_code="654321").exists()
    # A workflow action's values: ignored; the system generates its own.
    sent = engine.apply_transition(handover, "send", issuing, values={"locker_code": "123456"})
    assert sent.locker_code != "123456" and len(sent.locker_code) == 6
    assert Handover.objects.get(pk=handover.pk).locker_code == sent.locker_code
    other = _ready(world)
    delivered = engine.apply_transition(
        other, "deliver", issuing, values={"delivery_method": "locker", "locker_code": "111111"}
    )
    stored = Application.objects.get(pk=delivered.pk)
    assert stored.locker_code != "111111" and len(stored.locker_code) == 6 and stored.locker_code_valid


def test_an_expired_code_does_not_mark_the_pickup_done_until_a_new_one_replaces_it(world) -> None:
    issuing = world["users"]["issuing"]
    app, account = _with_applicant(world)
    handover = _sent(world, [app], "locker")
    old = handover.locker_code
    _expire(handover)

    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(Handover.objects.get(pk=handover.pk), "confirm_delivery", issuing)
    assert refused.value.code == delivery.LOCKER_CODE_EXPIRED
    client = api(issuing)
    response = action(client, "Handover", handover.number, "confirm_delivery")
    assert response.status_code == 417 and "取件码" in message(response)
    assert Handover.objects.get(pk=handover.pk).status == "sent"
    # The portal says it expired, and shows the code no more.
    portal = Client()
    assert portal.login(username=account.id_number, password=PASSWORD)
    page = portal.get(f"/my/applications/{app.number}/").content.decode()
    assert "data-locker-expired" in page and old not in page

    # The clerk issues a new code (engine), which replaces the old on the handover and the application.
    renewed = engine.apply_transition(Handover.objects.get(pk=handover.pk), "reissue_locker_code", issuing)
    assert renewed.status == "sent" and renewed.locker_code not in ("", old)
    assert renewed.locker_code_expires_at > timezone.now() + timedelta(hours=71)
    stored = Application.objects.get(pk=app.pk)
    assert (stored.locker_code, stored.locker_code_valid) == (renewed.locker_code, True)
    assert NotificationLog.objects.filter(user=account.user, body__contains=renewed.locker_code).count() == 1
    # … and again through the API: the previous one stops at once.
    response = action(client, "Handover", handover.number, "reissue_locker_code")
    assert response.status_code == 200, response.content.decode()[:300]
    third = Handover.objects.get(pk=handover.pk)
    assert third.locker_code not in ("", old, renewed.locker_code)
    assert Application.objects.get(pk=app.pk).locker_code == third.locker_code
    assert NotificationLog.objects.filter(user=account.user, doc_id=str(app.pk)).count() == 3
    page = portal.get(f"/my/applications/{app.number}/").content.decode()
    assert f"<strong data-locker-code>{third.locker_code}</strong>" in page

    # Picked up with the current code: the delivery keeps it as its record, the applicant's copy is used up.
    assert engine.apply_transition(third, "confirm_delivery", issuing).status == "signed"
    assert Handover.objects.get(pk=handover.pk).locker_code == third.locker_code
    assert Application.objects.get(pk=app.pk).locker_code == ""
    assert "data-locker" not in portal.get(f"/my/applications/{app.number}/").content.decode()


def test_a_rejected_locker_delivery_takes_its_code_back(world) -> None:
    app = _ready(world)
    handover = _sent(world, [app], "locker")
    assert Application.objects.get(pk=app.pk).locker_code == handover.locker_code != ""
    rejected = engine.apply_transition(
        handover, "reject", world["users"]["clerk"], values={"reject_reason": "柜格故障，改为窗口自取"}
    )
    assert (rejected.status, rejected.locker_code, rejected.locker_code_expires_at) == ("rejected", "", None)
    assert Application.objects.get(pk=app.pk).locker_code == ""


def test_only_the_issuing_window_sees_the_code_in_full(world) -> None:
    app = _ready(world)
    handover = _sent(world, [app], "locker")
    code = handover.locker_code
    issuing, clerk = world["users"]["issuing"], world["users"]["clerk"]
    for doctype, name in (("Handover", handover.number), ("Application", app.number)):
        full = api(issuing).get(f"/api/resource/{doctype}/{name}").json()["data"]
        masked = api(clerk).get(f"/api/resource/{doctype}/{name}").json()["data"]
        assert (full["locker_code"], masked["locker_code"]) == (code, "******"), doctype
    listed = api(clerk).get(
        "/api/resource/Handover", {"fields": json.dumps(["name", "locker_code"]), "limit_page_length": 100}
    )
    assert {"name": handover.number, "locker_code": "******"} in listed.json()["data"]
    desk = Client()
    assert desk.login(username="clerk", password=PASSWORD)
    page = desk.get(reverse("admin:gov_services_handover_change", args=[handover.pk])).content.decode()
    assert "******" in page and code not in page
    desk = Client()
    assert desk.login(username="issuing", password=PASSWORD)
    assert code in desk.get(reverse("admin:gov_services_handover_change", args=[handover.pk])).content.decode()


def test_a_locker_compartment_holds_one_applicants_results(world) -> None:
    first = _ready(world)
    second = _ready(world, applicant_name="王芳", id_number=resident_id("11010519491231002"))
    handover = _delivery(world, [first, second], "locker")
    with pytest.raises(engine.WorkflowError) as refused:
        engine.apply_transition(handover, "send", world["users"]["issuing"])
    assert refused.value.code == delivery.LOCKER_ONE_APPLICANT
    stored = Handover.objects.get(pk=handover.pk)
    assert (stored.status, stored.locker_code) == ("created", "")

    # Nor once sent: an EMS delivery of both results turned into a locker one, or another applicant's result added
    # to a compartment in use.
    sent = _sent(world, [first, second], "ems", waybill_no="1123456789012")
    sent.delivery_method = "locker"
    with pytest.raises(ValidationError) as refused:
        save_doc(sent, update_fields=["delivery_method"], user=world["users"]["issuing"])
    assert [e.code for e in refused.value.error_list] == [delivery.LOCKER_ONE_APPLICANT]
    third = _ready(world)
    in_use = _sent(world, [third], "locker")
    table = list(in_use.items.all())
    other = _ready(world, applicant_name="王芳", id_number=resident_id("11010519491231002"))
    added = HandoverItem(handover=in_use, application=other)
    with pytest.raises(ValidationError) as refused:
        save_rows(in_use, HandoverItem, changed=[added], table=[*table, added], user=world["users"]["issuing"])
    assert [e.code for e in refused.value.error_list] == [delivery.LOCKER_ONE_APPLICANT]
    assert in_use.items.count() == 1


# -- originals to return ---------------------------------------------------------------------------------------


def _lend_original(app: Application, clerk: Any) -> ApplicationMaterial:
    """The clerk records at the window that an original was only inspected and is to be handed back."""
    table = list(app.materials.order_by("pk"))
    lent = table[0]
    lent.return_original = True
    save_rows(app, ApplicationMaterial, changed=[lent], table=table, user=clerk)
    return lent


def test_a_pickup_is_not_signed_while_an_original_is_not_returned(world) -> None:
    issuing = world["users"]["issuing"]
    app = _ready(world)
    lent = _lend_original(app, world["users"]["clerk"])
    handover = _delivery(world, [app], "pickup", recipient_name="张伟")
    rows = list(handover.returns.all())
    assert [(r.application_id, r.material_id, r.returned) for r in rows] == [(app.pk, lent.pk, False)]
    handover = engine.apply_transition(handover, "send", issuing)
    handover.service_receipt = ContentFile(PDF, name="签收表.pdf")
    save_doc(handover, update_fields=["service_receipt"], user=issuing)

    with pytest.raises(engine.WorkflowError, match=lent.name) as refused:
        engine.apply_transition(handover, "confirm_delivery", issuing)
    assert refused.value.code == delivery.ORIGINALS_NOT_RETURNED
    response = action(api(issuing), "Handover", handover.number, "confirm_delivery")
    assert response.status_code == 417 and lent.name in message(response)
    assert Handover.objects.get(pk=handover.pk).status == "sent"
    # The API lists them with the handover; the 送达回证 lists them for the applicant to sign.
    shown = api(issuing).get(f"/api/resource/Handover/{handover.number}").json()["data"]["returns"]
    assert [(r["material"], r["returned"]) for r in shown] == [(lent.pk, 0)]
    html = body_html(format_for(Application, "送达回证"), Application.objects.get(pk=app.pk), issuing)
    assert "退还原件" in html and lent.name in html
    html = body_html(format_for(Handover, "办理结果交接表"), Handover.objects.get(pk=handover.pk), issuing)
    assert "办理结果送达交接表" in html and lent.name in html and "未退还" in html

    # A clerk cannot list another original, only tick those listed.
    other = app.materials.exclude(pk=lent.pk).first()
    with pytest.raises(ValidationError):
        save_rows(
            handover,
            HandoverReturn,
            changed=[HandoverReturn(handover=handover, application=app, material=other, returned=True)],
            table=[*rows, HandoverReturn(handover=handover, application=app, material=other)],
            user=issuing,
        )
    rows[0].returned = True
    save_rows(handover, HandoverReturn, changed=rows, table=rows, user=issuing)
    signed = engine.apply_transition(Handover.objects.get(pk=handover.pk), "confirm_delivery", issuing)
    assert signed.status == "signed"
    # Signed: the ticks are the record too.
    rows[0].returned = False
    with pytest.raises(ValidationError):
        save_rows(signed, HandoverReturn, changed=rows, table=rows, user=issuing)
    assert HandoverReturn.objects.get(pk=rows[0].pk).returned


def test_the_desk_ticks_the_originals_returned_on_the_delivery_form(world) -> None:
    app = _ready(world)
    lent = _lend_original(app, world["users"]["clerk"])
    handover = _sent(world, [app], "locker")
    row = handover.returns.get()
    client = Client()
    assert client.login(username="issuing", password=PASSWORD)
    url = reverse("admin:gov_services_handover_change", args=[handover.pk])
    page = client.get(url).content.decode()
    assert lent.name in page and "returns-0-returned" in page
    item = handover.items.get()
    form = {
        "kind": handover.kind,
        "department": handover.department_id,
        "reject_reason": "",
        "delivery_method": "locker",
        "waybill_no": "",
        "recipient_name": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-0-id": item.pk,
        "items-0-handover": handover.pk,
        "items-0-application": item.application_id,
        "items-0-licence": "",
        "items-0-pieces": "1",
        "items-0-note": "",
        "returns-TOTAL_FORMS": "1",
        "returns-INITIAL_FORMS": "1",
        "returns-0-id": row.pk,
        "returns-0-handover": handover.pk,
        "returns-0-returned": "on",
    }
    saved = client.post(url, form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert HandoverReturn.objects.get(pk=row.pk).returned
    apply_url = reverse("desk_workflow_apply", args=["gov_services", "handover", handover.pk])
    client.post(apply_url, {"action": "confirm_delivery", "state_seen": "sent"})
    assert Handover.objects.get(pk=handover.pk).status == "signed"
