"""Issue 15, the High findings, each as the attack it was: ID numbers recovered by probing (the hotline's
scripts, on the API and the desk), notices across departments, mass assignment through the API, stored HTML
on the site's origin and the regex stall in the desk. Every test asserts the refusal and that nothing changed
or leaked (the stored rows re-read, the secret absent from every answer)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.utils import translation

from gov_services.gov_services.doctype.guide.services import guide_new_version
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import Application, Guide, GuideMaterial, Licence, Matter, WorkOrder
from lowcode.api.models import credential_generate
from lowcode.printing.models import PrintedDocument
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user, resident_id
from tests.gov_services.portal_support import citizen

APPLICANT_ID = resident_id("32110219750505123")
CANDIDATES = "0123456789X"
HTML = b"<html><script>fetch('/api/method/frappe.auth.get_logged_user')</script></html>"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market, planning = departments["market"], departments["planning"]
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    users = {
        "clerk": clerk,
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "reviewer.market": make_user("reviewer.market", "Department Reviewer", market),
        "reviewer.planning": make_user("reviewer.planning", "Department Reviewer", planning),
        "liaison": make_user("liaison", "Department Liaison", market),
    }
    alice = citizen("32110219880101001", "李四", "13800000001", clerk=clerk)
    mallory = citizen("11010519800101001", "王五", "13800000002", clerk=clerk)
    market_matter = next(m for m in matters if m.department_id == market.pk)
    app = make_application(market_matter, user=clerk, applicant_user=alice.user, id_number=APPLICANT_ID)
    with translation.override("zh-hans"):
        yield {
            "departments": departments,
            "matters": matters,
            "market": market,
            "planning": planning,
            "market_matter": market_matter,
            "users": users,
            "alice": alice,
            "mallory": mallory,
            "app": app,
        }


def api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def snapshot(doc: Any) -> dict:
    return type(doc)._default_manager.filter(pk=doc.pk).values().get()


def put(client: Client, doctype: str, name: Any, data: dict) -> Any:
    return client.put(f"/api/resource/{doctype}/{name}", data=json.dumps(data), content_type="application/json")


def set_value(client: Client, doctype: str, name: Any, field: str, value: Any) -> Any:
    return client.post(
        "/api/method/frappe.client.set_value",
        data=json.dumps({"doctype": doctype, "name": name, "fieldname": field, "value": value}),
        content_type="application/json",
    )


def frappe_save(client: Client, doctype: str, name: Any, data: dict) -> Any:
    return client.post(
        "/api/method/frappe.client.save",
        data=json.dumps({"doc": {"doctype": doctype, "name": name, **data}}),
        content_type="application/json",
    )


# -- Full ID numbers recovered by roles that see them masked: the hotline's scripts ---------------------------


def _portal_probes(prefix: str) -> list[tuple[str, dict]]:
    """Every request shape of the API that could tell whether a portal account's name (its ID number, masked
    for the hotline) starts with `prefix`."""
    like = prefix + "%"
    portal = "/api/resource/Portal Account"
    return [
        (portal, {"filters": json.dumps([["name", "like", like]])}),
        (portal, {"filters": json.dumps({"name": ["like", like]})}),
        (portal, {"filters": json.dumps([["Portal Account", "name", "like", like]])}),
        (portal, {"or_filters": json.dumps([["name", "like", like]])}),
        (portal, {"filters": json.dumps([["id_number", "like", like]])}),
        (portal, {"filters": json.dumps([["name", ">=", prefix]])}),
        (portal, {"filters": json.dumps([["name", "in", [prefix]]])}),
        (portal, {"order_by": "name asc", "fields": '["phone"]'}),
        (portal, {"order_by": "id_number desc", "fields": '["phone"]'}),
        (f"{portal}/{prefix}", {}),
        ("/api/method/frappe.client.get", {"doctype": "Portal Account", "name": prefix}),
        ("/api/method/frappe.client.get_value", {"doctype": "Portal Account", "filters": prefix}),
        (
            "/api/method/frappe.client.get_value",
            {"doctype": "Portal Account", "filters": json.dumps({"name": ["like", like]}), "fieldname": "phone"},
        ),
        (
            "/api/method/frappe.client.get_count",
            {"doctype": "Portal Account", "filters": json.dumps([["name", "like", like]])},
        ),
        (
            "/api/method/frappe.client.get_list",
            {"doctype": "Portal Account", "filters": json.dumps([["name", "like", like]])},
        ),
    ]


def _application_probes(prefix: str) -> list[tuple[str, dict]]:
    like = prefix + "%"
    apps = "/api/resource/Application"
    return [
        (apps, {"filters": json.dumps([["id_number", "like", like]])}),
        (apps, {"or_filters": json.dumps([["id_number", "like", like], ["number", "=", "none"]])}),
        (apps, {"filters": json.dumps({"id_number": ["between", [prefix, prefix + "Z"]]})}),
        (apps, {"order_by": "id_number asc"}),
        (
            "/api/method/frappe.client.get_count",
            {"doctype": "Application", "filters": json.dumps([["id_number", "like", like]])},
        ),
        (
            "/api/method/frappe.client.get_value",
            {"doctype": "Application", "filters": json.dumps({"id_number": ["like", like]}), "fieldname": "number"},
        ),
    ]


def _answers(client: Client, probes: list[tuple[str, dict]], guess: str) -> list[tuple[int, str]]:
    answers = []
    for url, params in probes:
        response = client.get(url, params)
        answers.append((response.status_code, response.content.decode().replace(guess, "<guess>")))
    return answers


def _wrong(full: str) -> str:
    return full[:-4] + ("0000" if full[-4:] != "0000" else "1111")


def _candidates(full: str, position: int) -> list[str]:
    """The right next character and two wrong ones: a script tells them apart, or recovers nothing."""
    right = full[position]
    return [right, *[c for c in CANDIDATES if c != right][:2]]


def test_the_hotlines_api_prefix_probing_recovers_no_id_number(world) -> None:
    hotline = desk(world["users"]["hotline"])  # a signed-in session: the API answers it as it answers a token
    for full, probes in ((world["alice"].id_number, _portal_probes), (APPLICANT_ID, _application_probes)):
        known = full[:6]  # the region code is public; the script tries the next character
        answers = [json.dumps(_answers(hotline, probes(known + c), known + c)) for c in _candidates(full, 6)]
        assert len(set(answers)) == 1, "one candidate answered differently"
        whole = _answers(hotline, probes(full), full)
        assert whole == _answers(hotline, probes(_wrong(full)), _wrong(full))
        for status, body in whole:
            assert status in (403, 404), body[:200]  # each shape refused (or absent), none answered row / no row
    assert (
        world["alice"].id_number
        not in hotline.get("/api/resource/Portal Account", {"fields": '["*"]'}).content.decode()
    )
    assert APPLICANT_ID not in hotline.get("/api/resource/Application", {"fields": '["*"]'}).content.decode()
    token = api(world["users"]["hotline"])  # and a token is no different
    assert (
        _answers(token, _portal_probes(world["alice"].id_number[:7]), "")[:5]
        == _answers(hotline, _portal_probes(world["alice"].id_number[:7]), "")[:5]
    )


DESK_LIST = "/desk/gov_services/application/"


def _desk_probes(number: str, prefix: str) -> list[tuple[str, dict]]:
    return [
        (DESK_LIST, {"number": number, "id_number__startswith": prefix}),
        (DESK_LIST, {"number": number, "id_number__istartswith": prefix}),
        (DESK_LIST, {"number": number, "id_number__gte": prefix}),
        (DESK_LIST, {"number": number, "id_number__contains": prefix}),
        (DESK_LIST, {"number": number, "id_number__in": prefix}),
        (DESK_LIST, {"number": number, "id_number__regex": f"^{prefix}"}),
        (DESK_LIST, {"number": number, "id_number__iregex": f"^{prefix}"}),
        (DESK_LIST, {"q": prefix}),
        ("/desk/gov_services/workorder/", {"application__id_number__startswith": prefix}),
        ("/desk/gov_services/portalaccount/", {"id_number__startswith": prefix}),
        ("/desk/gov_services/portalaccount/", {"q": prefix}),
        (
            "/desk/autocomplete/",
            {"app_label": "gov_services", "model_name": "workorder", "field_name": "application", "term": prefix},
        ),
    ]


def _desk_answer(client: Client, url: str, params: dict, number: str) -> tuple[int, bool]:
    response = client.get(url, params)
    return response.status_code, number in response.content.decode()


def test_the_hotlines_desk_prefix_probing_recovers_no_id_number(world) -> None:
    hotline = desk(world["users"]["hotline"])
    app = world["app"]
    assert _desk_answer(hotline, DESK_LIST, {"q": app.number}, app.number) == (200, True)  # the script's control
    known = APPLICANT_ID[:6]
    answers = {
        c: [_desk_answer(hotline, u, p, app.number) for u, p in _desk_probes(app.number, known + c)]
        for c in _candidates(APPLICANT_ID, 6)
    }
    assert len({json.dumps(a) for a in answers.values()}) == 1, answers
    full = [_desk_answer(hotline, u, p, app.number) for u, p in _desk_probes(app.number, APPLICANT_ID)]
    assert full == answers[APPLICANT_ID[6]]
    assert not any(found for _status, found in full)  # no probe ever shows the record
    for (url, params), (status, _found) in zip(_desk_probes(app.number, known), full, strict=True):
        if "q" not in params and "term" not in params:
            assert status in (400, 403), (url, params, status)  # the lookup itself is refused
    for url in (DESK_LIST, f"{DESK_LIST}{app.pk}/change/"):
        page = hotline.get(url).content.decode()
        assert APPLICANT_ID not in page and world["alice"].id_number not in page


# -- Issued notices cross department lines -------------------------------------------------------------------


@pytest.fixture()
def notice(world) -> PrintedDocument:
    engine.apply_transition(world["app"], "accept", world["users"]["clerk"])
    return PrintedDocument.objects.get(doctype="Application", doc_id=str(world["app"].pk))


def test_another_departments_notices_are_not_in_its_api_list_with_every_field(world, notice) -> None:
    planning = api(world["users"]["reviewer.planning"])
    for params in ({"fields": '["*"]'}, {"fields": '["*"]', "filters": json.dumps([["doctype", "=", "Application"]])}):
        listed = planning.get("/api/resource/Printed Document", params)
        assert listed.status_code == 200
        assert notice.pk not in {row["name"] for row in listed.json()["data"]}
        assert notice.file.name not in listed.content.decode()
    counted = planning.get("/api/method/frappe.client.get_count", {"doctype": "Printed Document"})
    assert counted.status_code == 200 and counted.json()["message"] == 0
    got = planning.get("/api/method/frappe.client.get", {"doctype": "Printed Document", "name": notice.pk})
    assert got.status_code == 404
    market = api(world["users"]["reviewer.market"]).get("/api/resource/Printed Document", {"fields": '["*"]'})
    assert notice.pk in {row["name"] for row in market.json()["data"]}  # its own department still sees it


def test_another_departments_notices_are_not_in_its_desk_list_nor_its_private_files(world, notice) -> None:
    planning_desk = desk(world["users"]["reviewer.planning"])
    url = "/desk/lowcode_printing/printeddocument/"
    page = planning_desk.get(url)
    assert page.status_code == 200
    assert notice.title not in page.content.decode() and f"/{notice.pk}/change/" not in page.content.decode()
    assert planning_desk.get(f"{url}{notice.pk}/change/").status_code in (302, 404)
    assert planning_desk.get(notice.file.url).status_code == 404
    planning_api = api(world["users"]["reviewer.planning"])
    by_token = planning_api.get(notice.file.url)  # a token is no way around the scope
    assert by_token.status_code in (302, 403, 404) and b"%PDF" not in by_token.content
    assert planning_api.get(f"/printed/{notice.pk}/").status_code in (302, 403, 404)
    market_page = desk(world["users"]["reviewer.market"]).get(url).content.decode()
    assert f"/{notice.pk}/change/" in market_page


# -- Mass assignment through the API --------------------------------------------------------------------------


CITIZEN_WRITES = [
    ("decided_at", "2026-01-01 10:00:00"),
    ("submitted_at", "2025-01-01 09:00:00"),
    ("department", "planning"),
    ("applicant_user", "mallory"),
    ("id_number", "110101199003077777"),
]


def _value(world: dict, value: str) -> str:
    return {"planning": world["planning"].name, "mallory": world["mallory"].user.username}.get(value, value)


def test_a_citizen_cannot_rewrite_its_applications_system_fields(world) -> None:
    app, citizen_api = world["app"], api(world["alice"].user)
    before = snapshot(app)
    for field, value in CITIZEN_WRITES:
        value = _value(world, value)
        for answer in (
            put(citizen_api, "Application", app.number, {field: value}),
            set_value(citizen_api, "Application", app.number, field, value),
            frappe_save(citizen_api, "Application", app.number, {field: value}),
            put(citizen_api, "Application", app.number, {"remarks": "x", field: value}),  # in a harmless edit
        ):
            assert answer.status_code in (403, 417), (field, answer.status_code, answer.content.decode()[:300])
            assert answer.json()["exc_type"] in ("ValidationError", "PermissionError"), field
        assert snapshot(app) == before, field
    assert not Application.objects.filter(applicant_user=world["mallory"].user).exists()
    # the control: the same request shape with a field the citizen may write goes through
    answer = put(citizen_api, "Application", app.number, {"phone": "13911112222"})
    assert answer.status_code == 200, answer.content.decode()[:300]
    assert Application.objects.get(pk=app.pk).phone == "13911112222"


def test_a_reviewer_cannot_move_an_application_to_another_department(world) -> None:
    app, reviewer = world["app"], api(world["users"]["reviewer.market"])
    engine.apply_transition(app, "accept", world["users"]["clerk"])
    before = snapshot(app)
    for answer in (
        put(reviewer, "Application", app.number, {"department": world["planning"].name}),
        set_value(reviewer, "Application", app.number, "department", world["planning"].name),
        frappe_save(reviewer, "Application", app.number, {"department": world["planning"].name}),
        put(reviewer, "Application", app.number, {"matter": _planning_matter(world).implementation_code}),
    ):
        assert answer.status_code in (403, 417), answer.content.decode()[:300]
    assert snapshot(app) == before
    assert api(world["users"]["reviewer.planning"]).get(f"/api/resource/Application/{app.number}").status_code == 404


def _planning_matter(world: dict) -> Matter:
    return next(m for m in world["matters"] if m.department_id == world["planning"].pk)


@pytest.fixture()
def licence(world) -> Licence:
    from django.core.cache import cache

    cache.clear()  # the verification page's per-minute counter
    matter = next(
        m for m in world["matters"] if m.issues_licence and m.licence_type_id and m.department_id == world["market"].pk
    )
    return licence_issue(
        licence_type=matter.licence_type,
        issuer=matter.department,
        holder_name="李四",
        holder_id_type="resident_id",
        holder_id_number=world["alice"].id_number,
        issued_on=date(2026, 3, 2),
        user=None,
    )


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


LICENCE_FORGERIES = [
    {"holder_name": "王二"},
    {"holder_id_number": "110101199003077777"},
    {"holder_id_type": "passport"},
    {"valid_to": "2099-12-31"},
    {"valid_from": "2020-01-01"},
    {"issued_on": "2020-01-01"},
]


def test_an_issued_licences_holder_and_validity_are_not_rewritten_and_verify_shows_the_original(world, licence) -> None:
    reviewer = api(world["users"]["reviewer.market"])
    before = snapshot(licence)
    for forged in LICENCE_FORGERIES:
        ((field, value),) = forged.items()
        for answer in (
            put(reviewer, "Licence", licence.identifier, forged),
            set_value(reviewer, "Licence", licence.identifier, field, value),
            frappe_save(reviewer, "Licence", licence.identifier, forged),
        ):
            assert answer.status_code == 417, (forged, answer.content.decode()[:300])
            assert answer.json()["exc_type"] == "ValidationError"
    assert snapshot(licence) == before
    page = Client(REMOTE_ADDR="198.51.100.77").get("/licence/verify", {"id": licence.identifier})
    body = page.content.decode()
    assert page.status_code == 200 and "此证照真实有效" in body
    assert "李四" in body and _cn(licence.valid_from) in body and _cn(licence.valid_to) in body
    assert "王二" not in body and "2099年" not in body and "2020年" not in body


def test_the_evaluated_department_cannot_rewrite_its_rating_through_frappe_client_save(world) -> None:
    from gov_services.gov_services.doctype.evaluation.services import evaluation_create
    from gov_services.models import Evaluation

    evaluation = evaluation_create(
        user=None,
        application=world["app"],
        level=Evaluation.Level.VERY_DISSATISFIED,
        reason="多跑了一趟",
        channel="pc",
        evaluator_name="张伟",
    )
    before = snapshot(evaluation)
    reviewer = api(world["users"]["reviewer.market"])
    for data in ({"level": 5}, {"reason": ""}, {"status": "satisfied"}, {"application": None}):
        answer = frappe_save(reviewer, "Evaluation", evaluation.pk, data)
        assert answer.status_code in (403, 417), (data, answer.content.decode()[:300])
    assert snapshot(evaluation) == before


# -- Stored HTML on the site's origin -------------------------------------------------------------------------


@pytest.fixture()
def draft_guide(world) -> Guide:
    matter = world["market_matter"]
    return guide_new_version(guide=Guide.objects.get(pk=matter.published_guide_id), user=world["users"]["liaison"])


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
                if not bound.field.disabled:
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


def _public_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_liaison_cannot_upload_html_as_a_guides_result_sample_in_the_desk(world, draft_guide) -> None:
    liaison = desk(world["users"]["liaison"])
    url = f"/desk/gov_services/guide/{draft_guide.pk}/change/"
    page = liaison.get(url)
    assert page.status_code == 200
    files_before = _public_files()
    before = snapshot(draft_guide)
    for name, content in (("evil.html", HTML), ("evil.pdf", HTML), ("evil.svg", b"<svg onload=alert(1)>")):
        data = change_form_data(page)
        data["result_sample"] = SimpleUploadedFile(name, content, content_type="text/html")
        answer = liaison.post(url, data)
        assert answer.status_code == 200, (name, answer.status_code)  # the form again, with the reason
        assert "result_sample" in answer.context["adminform"].form.errors, name
    assert snapshot(draft_guide) == before
    assert _public_files() == files_before
    assert Client().get("/files/guide/samples/evil.html").status_code == 404


def test_the_desk_inline_takes_no_materials_blank_form_or_sample(world, draft_guide) -> None:
    """The guide's inline carries no file fields: a file posted under their names is not stored (uploads go
    through upload_file, which checks content: tests/security/test_upload_file.py)."""
    liaison = desk(world["users"]["liaison"])
    url = f"/desk/gov_services/guide/{draft_guide.pk}/change/"
    page = liaison.get(url)
    prefix = next(i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is GuideMaterial)
    rows_before = list(GuideMaterial.objects.filter(guide=draft_guide).order_by("pk").values())
    files_before = _public_files()
    for field in ("blank_form", "sample"):
        data = change_form_data(page)
        data[f"{prefix}-0-{field}"] = SimpleUploadedFile("evil.html", HTML, content_type="text/html")
        liaison.post(url, data)
    assert list(GuideMaterial.objects.filter(guide=draft_guide).order_by("pk").values()) == rows_before
    assert _public_files() == files_before


def test_html_in_a_materials_blank_form_or_sample_is_refused_on_the_write_path(world, draft_guide) -> None:
    from django.core.exceptions import ValidationError

    from lowcode.core.documents import save_rows

    material = draft_guide.materials.order_by("idx", "id").first()
    before = snapshot(material)
    for field in ("blank_form", "sample"):
        setattr(material, field, SimpleUploadedFile("p0.pdf", HTML, content_type="application/pdf"))
        with pytest.raises(ValidationError):
            save_rows(draft_guide, GuideMaterial, changed=[material], table=[material], user=world["users"]["liaison"])
        material = GuideMaterial.objects.get(pk=material.pk)
    assert snapshot(material) == before


def test_an_html_file_already_in_public_storage_is_only_ever_a_download(db) -> None:
    folder = Path(settings.MEDIA_ROOT) / "guide" / "samples"
    folder.mkdir(parents=True, exist_ok=True)
    evil = folder / "evil-legacy.html"
    evil.write_bytes(HTML)
    try:
        served = Client().get("/files/guide/samples/evil-legacy.html")  # no login, as the attack was
        assert served.status_code == 200
        assert served["Content-Disposition"] == "attachment"
        assert served["X-Content-Type-Options"] == "nosniff"
        assert (
            "sandbox" in served["Content-Security-Policy"] and "default-src 'none'" in served["Content-Security-Policy"]
        )
    finally:
        evil.unlink()
        if not any(folder.iterdir()):
            shutil.rmtree(folder)


# -- One request stalls a worker: the desk's regular expressions ----------------------------------------------


def test_no_desk_list_takes_a_regular_expression_from_the_address_bar(world) -> None:
    hotline_user = world["users"]["hotline"]
    work_order_create(
        user=hotline_user,
        order_type=WorkOrder.Type.CONSULTATION,
        source=WorkOrder.Source.HOTLINE,
        subject="咨询",
        content="a" * 160 + "b",
        applicant_name="王五",
        phone="13800000000",
    )
    hotline = desk(hotline_user)
    stall = "(a|a)*(a|a)*(a|a)*c"
    for url, lookup in (
        ("/desk/gov_services/workorder/", "content__regex"),
        ("/desk/gov_services/workorder/", "content__iregex"),
        ("/desk/gov_services/workorder/", "subject__regex"),
        ("/desk/gov_services/application/", "applicant_name__iregex"),
        ("/desk/gov_services/workorder/", "application__applicant_name__regex"),
    ):
        answer = hotline.get(url, {lookup: stall})
        assert answer.status_code == 400, (url, lookup, answer.status_code)
    assert hotline.get("/desk/gov_services/workorder/", {"content__contains": "b"}).status_code == 200
    assert WorkOrder.objects.count() == 1
    api_list = api(hotline_user).get(
        "/api/method/frappe.client.get_list",
        {"doctype": "Work Order", "filters": json.dumps([["content", "like", "%a%a%a%a%b"]])},
    )
    assert api_list.status_code == 417 and "wildcards" in api_list.json()["exception"]
