"""/api/method/upload_file attaches a file to a record's field through the write path: what a PUT of that field
would be refused — outside the user's scope, a state only others edit, a field the controller has frozen — is
refused in Frappe's error shape, and nothing is stored: no file on disk, no row changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import Guide, Matter, WorkOrder
from lowcode.api.models import credential_generate
from lowcode.workflow import engine
from tests.gov_services.factories import catalogue, make_user

PDF = b"%PDF-1.4 the scanned sample\n%%EOF\n"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    users = {
        "liaison": make_user("liaison", "Department Liaison", departments["market"]),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
    }
    with translation.override("zh-hans"):
        yield {"users": users, "matters": matters, "departments": departments}


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def upload(client: Client, doctype: str, docname: Any, fieldname: str, content: bytes = PDF) -> Any:
    return client.post(
        "/api/method/upload_file",
        {
            "file": SimpleUploadedFile("样表.pdf", content, content_type="application/pdf"),
            "doctype": doctype,
            "docname": str(docname),
            "fieldname": fieldname,
        },
    )


def files(root: Path) -> set[str]:
    """Every file under `root` (a storage's folder), by its path there."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def snapshot(doc: Any) -> dict:
    return type(doc)._default_manager.filter(pk=doc.pk).values().get()


def frappe_error(response: Any, status: int, exc_type: str) -> str:
    assert response.status_code == status, response.content.decode()[:400]
    body = response.json()
    assert body["exc_type"] == exc_type
    return json.loads(json.loads(body["_server_messages"])[0])["message"]


def market_guide(world: dict) -> Guide:
    matter: Matter = next(m for m in world["matters"] if m.department_id == world["departments"]["market"].pk)
    return Guide.objects.get(pk=matter.published_guide_id)


def test_a_published_guides_sample_is_not_replaced_by_an_upload(world) -> None:
    guide = market_guide(world)
    assert guide.status == Guide.Status.PUBLISHED
    public = Path(settings.MEDIA_ROOT)
    stored, before = files(public), snapshot(guide)

    answer = upload(api(world["users"]["liaison"]), "Guide", guide.pk, "result_sample")

    message = frappe_error(answer, 417, "ValidationError")
    assert "新建一个版本" in message, message  # the controller's reason: a published guide is frozen
    assert files(public) == stored
    assert snapshot(guide) == before


def test_a_closed_work_order_takes_no_attachment_from_the_hotline(world) -> None:
    hotline = world["users"]["hotline"]
    order = work_order_create(
        user=hotline,
        order_type=WorkOrder.Type.CONSULTATION,
        source=WorkOrder.Source.HOTLINE,
        subject="办理时限",
        content="营业执照多久能办好",
        applicant_name="王五",
        phone="13800000000",
    )
    engine.apply_transition(order, "reply", hotline, values={"reply": "一般三个工作日内办结。"})
    order = engine.apply_transition(WorkOrder.objects.get(pk=order.pk), "revisit_satisfied", hotline)
    assert order.status == "closed"  # only the System Manager edits a closed order
    private = Path(settings.PRIVATE_FILES_ROOT)
    stored, before = files(private), snapshot(order)

    answer = upload(api(hotline), "Work Order", order.number, "result_file")

    frappe_error(answer, 403, "PermissionError")
    assert files(private) == stored
    assert snapshot(order) == before


def test_a_record_outside_the_users_scope_is_not_found_and_nothing_is_stored(world) -> None:
    order = work_order_create(
        user=world["users"]["hotline"],
        order_type=WorkOrder.Type.COMPLAINT,
        source=WorkOrder.Source.HOTLINE,
        subject="规划许可",
        content="规划许可进度",
        applicant_name="赵六",
        phone="13800000001",
        department=world["departments"]["planning"],
    )
    private = Path(settings.PRIVATE_FILES_ROOT)
    stored, before = files(private), snapshot(order)

    answer = upload(api(world["users"]["liaison"]), "Work Order", order.number, "result_file")

    frappe_error(answer, 404, "DoesNotExistError")
    assert files(private) == stored
    assert snapshot(order) == before


def test_a_file_that_is_no_pdf_png_or_jpeg_is_refused_before_anything(world) -> None:
    guide = Guide.objects.create(matter=market_guide(world).matter, version=9, status=Guide.Status.DRAFT)
    public = Path(settings.MEDIA_ROOT)
    stored, before = files(public), snapshot(guide)

    answer = upload(api(world["users"]["liaison"]), "Guide", guide.pk, "result_sample", b"MZ\x90\x00 a program")

    assert "content" in frappe_error(answer, 417, "ValidationError")
    assert files(public) == stored
    assert snapshot(guide) == before


def test_a_draft_guides_sample_is_uploaded_through_the_same_path(world) -> None:
    guide = Guide.objects.create(matter=market_guide(world).matter, version=9, status=Guide.Status.DRAFT)
    public = Path(settings.MEDIA_ROOT)
    stored = files(public)

    answer = upload(api(world["users"]["liaison"]), "Guide", guide.pk, "result_sample")

    assert answer.status_code == 200, answer.content.decode()[:400]
    guide.refresh_from_db()
    assert guide.result_sample.name.startswith("guide/samples/") and guide.result_sample.name.endswith(".pdf")
    assert files(public) - stored == {guide.result_sample.name}
    with guide.result_sample.open("rb") as f:
        assert f.read() == PDF
    message = answer.json()["message"]
    assert message["file_url"] == guide.result_sample.url
    assert message["file_name"] == guide.result_sample.name.rsplit("/", 1)[-1]
