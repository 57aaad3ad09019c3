"""Every shipped print format rendered to PDF for demo records, read back with pdftotext (PNG pages kept as
artifacts); notices issued by workflow steps, kept with their hash, downloaded only by those who may."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.demo import load_demo
from gov_services.models import Application, Handover, Licence
from gov_services.print_context import promised_due
from lowcode.core.fixtures import sync_fixtures
from lowcode.deadlines.models import SupervisionNotice
from lowcode.printing.models import PrintedDocument, PrintFormat
from lowcode.printing.services import document_pdf
from lowcode.printing.views import sandboxed_html
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, make_application, make_user


def pdf_text(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(path.with_suffix(""))], check=True)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # compared without white space: line breaks fall anywhere


def squeeze(value: object) -> str:
    return "".join(str(value).split())


@pytest.fixture()
def demo(db, django_user_model):
    sync_fixtures()
    load_demo()
    sysmgr = django_user_model.objects.get(username="sysmgr")
    with translation.override("zh-hans"):
        yield sysmgr


def _pick(model, **filters):
    found = model.objects.filter(**filters).order_by("pk").first()
    assert found is not None, filters
    return found


def test_every_shipped_format_renders_with_its_key_fields(demo, artifacts: Path) -> None:
    user = demo
    accepted = _pick(Application, status="accepted")
    incomplete = _pick(Application, status="one_time_notice")
    supplement = _pick(Application, status="supplement_requested")
    refused = _pick(Application, status="not_accepted")
    received = _pick(Application, status="submitted")
    delivered = _pick(Application, status="delivered")
    special = _pick(Application, status="special_procedure")
    materials = _pick(Handover, kind="materials")
    results = _pick(Handover, kind="results")
    notice = SupervisionNotice.objects.order_by("pk").first()
    licence = Licence.objects.order_by("pk").first()
    missing = incomplete.materials.filter(status__in=["missing", "defective"]).first()
    due = timezone.localtime(promised_due(accepted))
    cases = {
        "受理承诺单": (
            accepted,
            [
                "受理承诺单",
                accepted.number,
                accepted.applicant_name,
                accepted.matter.name,
                f"{due.year}年{due.month}月{due.day}日 {due:%H:%M}",
                accepted.department.name,
            ],
        ),
        "一次性告知单": (incomplete, ["一次性告知单", incomplete.number, missing.name, missing.note]),
        "补正通知书": (supplement, ["补齐补正通知书", supplement.number, supplement.matter.name]),
        "特别程序告知书": (special, ["特别程序告知书", special.number, "专家评审", "10个工作日", "不计算在办理时限内"]),
        "不予受理决定通知书": (
            refused,
            ["不予受理决定通知书", refused.number, refused.decision_reason[:20], "行政复议", "行政诉讼"],
        ),
        "材料接收凭证": (received, ["材料接收凭证", received.number, received.materials.first().name]),
        "送达回证": (delivered, ["送达回证", delivered.number, delivered.get_delivery_method_display()]),
        "材料交接表": (materials, ["材料交接表", materials.number, materials.items.first().application.number]),
        "办理结果交接表": (results, ["办理结果交接表", results.number, results.items.first().application.number]),
        "督办通知书": (notice, ["督办通知书", notice.number, notice.department, notice.doc_title]),
        "电子证照": (licence, [licence.name, licence.number, licence.holder_name, "扫码核验", "licence/verify?id="]),
    }
    assert set(cases) == set(PrintFormat.objects.values_list("name", flat=True))
    for name, (doc, expected) in cases.items():
        pdf = document_pdf(PrintFormat.objects.get(name=name), doc, user)
        assert pdf.startswith(b"%PDF")
        text = pdf_text(pdf, artifacts / f"print-{name}.pdf")
        for value in expected:
            assert squeeze(value) in text, (name, value)
    assert (artifacts / "print-受理承诺单-1.png").exists()


@pytest.fixture()
def world(db):
    from tests.gov_services.factories import catalogue

    departments, matters = catalogue()
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", departments["market"]),
        "other": make_user("other-reviewer", "Department Reviewer", departments["planning"]),
        "citizen": make_user("citizen", "Applicant"),
        "stranger": make_user("stranger", "Applicant"),
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
    }
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    with translation.override("zh-hans"):
        yield {"users": users, "matter": matter}


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_accepting_issues_the_acceptance_notice_kept_with_its_hash_for_the_applicant_only(world, tmp_path) -> None:
    users = world["users"]
    app = make_application(world["matter"], user=users["clerk"], applicant_user=users["citizen"])
    engine.apply_transition(app, "accept", users["clerk"])
    issued = PrintedDocument.objects.get(doctype="Application", doc_id=str(app.pk))
    assert issued.print_format.name == "受理承诺单" and issued.created_by == users["clerk"]
    assert issued.action == "accept" and issued.title == f"受理承诺单 {app.number}"
    with issued.file.open("rb") as f:
        stored = f.read()
    assert hashlib.sha256(stored).hexdigest() == issued.sha256 and len(stored) == issued.size
    app.refresh_from_db()
    due = timezone.localtime(promised_due(app))
    assert squeeze(f"{due.year}年{due.month}月{due.day}日 {due:%H:%M}") in pdf_text(stored, tmp_path / "issued.pdf")

    url = reverse("printed_document", args=[issued.pk])
    portal = _client("citizen").get("/my/").content.decode()  # the citizen's page lists their documents
    assert f'href="{url}"' in portal and "受理承诺单" in portal
    assert f'href="{url}"' not in _client("stranger").get("/my/").content.decode()
    mine = _client("citizen").get(url)
    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    assert b"".join(mine.streaming_content) == stored
    for outsider in ("stranger", "other-reviewer"):
        assert _client(outsider).get(url).status_code == 404
    assert _client("reviewer").get(url).status_code == 200
    assert Client().get(url).status_code == 302  # to the login
    assert _client("citizen").get(reverse("printed_document", args=[issued.pk + 1000])).status_code == 404


def test_a_transition_whose_notice_fails_is_refused_and_changes_nothing(world) -> None:
    users = world["users"]
    app = make_application(world["matter"], user=users["clerk"])
    PrintFormat.objects.filter(name="受理承诺单").update(template="{{ doc.number.nothing.deeper }}")
    with pytest.raises(engine.WorkflowError) as error:
        engine.apply_transition(app, "accept", users["clerk"])
    assert "受理承诺单" in str(error.value)
    app.refresh_from_db()
    assert app.status == "submitted" and app.accepted_at is None
    assert not PrintedDocument.objects.exists()


def test_desk_print_button_bulk_print_and_the_editor_preview(world, tmp_path) -> None:
    users = world["users"]
    apps = [make_application(world["matter"], user=users["clerk"]) for _ in range(3)]
    clerk = _client("clerk")
    one = clerk.get(reverse("desk_print", args=["gov_services", "application", apps[0].pk]))
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"
    assert apps[0].number in pdf_text(one.content, tmp_path / f"desk-print-{apps[0].pk}.pdf")
    other = clerk.get(
        reverse("desk_print", args=["gov_services", "application", apps[0].pk]), {"format": "材料接收凭证"}
    )
    assert "材料接收凭证" in pdf_text(other.content, tmp_path / f"desk-print-2-{apps[0].pk}.pdf")
    html = clerk.get(reverse("desk_print", args=["gov_services", "application", apps[0].pk]), {"as": "html"})
    assert "sandbox" in html["Content-Security-Policy"] and apps[0].number in html.content.decode()

    bulk = clerk.post(
        reverse("admin:gov_services_application_changelist"),
        {"action": "print_selected", "_selected_action": [a.pk for a in apps]},
    )
    assert bulk.status_code == 200 and bulk["Content-Type"] == "application/pdf"
    text = pdf_text(bulk.content, tmp_path / f"bulk-{apps[0].pk}.pdf")
    assert all(a.number in text for a in apps)
    path = tmp_path / f"bulk-{apps[0].pk}.pdf"
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+3$", pages, re.MULTILINE)

    preview = {"doctype": "Application", "template": "<h1>预览 {{ doc.number }}</h1>", "record": str(apps[1].pk)}
    shown = _client("sysmgr").post(reverse("desk_print_preview"), preview)
    assert shown.status_code == 200 and f"预览 {apps[1].number}" in shown.content.decode()
    assert "sandbox" in shown["Content-Security-Policy"]
    broken = _client("sysmgr").post(reverse("desk_print_preview"), {**preview, "template": "{% for %}"})
    assert "第 1 行" in broken.content.decode()
    as_pdf = _client("sysmgr").post(reverse("desk_print_preview"), {**preview, "output": "pdf"})
    assert as_pdf["Content-Type"] == "application/pdf"
    assert _client("clerk").post(reverse("desk_print_preview"), preview).status_code == 403
    assert sandboxed_html("<p></p>")["Content-Security-Policy"].startswith("sandbox")
