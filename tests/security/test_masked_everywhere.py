"""A masked value stays masked on every way it can leave: portal user names are not ID numbers, phone numbers
and addresses are masked for roles that should not see them, and the change history, the depends_on values,
issued notices and workflow actions mask what the record masks — for the reader, not for whoever wrote it."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.test import Client

from gov_services.gov_services.identifiers import mask_address, mask_id_number, mask_phone
from gov_services.models import Application
from lowcode.api.models import credential_generate
from lowcode.core.documents import save_doc
from lowcode.core.models import Version
from lowcode.customization import services as custom_services
from lowcode.customization.models import CustomField
from lowcode.printing.models import PrintFormat
from lowcode.printing.services import printed_document_issue
from lowcode.workflow.models import Workflow, WorkflowAction
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user, resident_id
from tests.gov_services.portal_support import citizen

ID = resident_id("32110219880101001")
PHONE = "13952811111"
ADDRESS = "镇江市京口区正东路188号3单元"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    app = make_application(matters[0], user=clerk, id_number=ID, phone=PHONE, address=ADDRESS)
    return {
        "departments": departments,
        "matters": matters,
        "clerk": clerk,
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "supervisor": make_user("supervisor", "Supervisor", departments["centre"]),
        "app": app,
    }


def api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


# -- portal user names ---------------------------------------------------------------------------------------


def test_a_portal_account_signs_in_with_its_id_number_but_is_not_named_by_it(world) -> None:
    account = citizen("32110219900202002", "李四", "13800000002", clerk=world["clerk"])
    user = account.user
    assert user.username != account.id_number and account.id_number not in user.username
    for login in (account.id_number, account.id_number.lower(), f" {account.id_number} "):
        portal = Client()
        answer = portal.post("/login/", {"username": login, "password": PASSWORD})
        assert answer.status_code == 302, login
        assert portal.get("/my/").status_code == 200
    answer = Client().post("/api/method/login", {"usr": account.id_number, "pwd": PASSWORD})
    assert answer.status_code == 200 and answer.json()["message"] == "Logged In"
    assert Client().post("/api/method/login", {"usr": account.id_number, "pwd": "wrong-password"}).status_code == 401


def test_the_api_and_prints_name_a_citizen_by_the_opaque_user_name(world) -> None:
    account = citizen("32110219900202002", "李四", "13800000002", clerk=world["clerk"])
    app = make_application(world["matters"][0], user=world["clerk"], applicant_user=account.user, id_number=ID)
    row = api(world["hotline"]).get(f"/api/resource/Application/{app.number}").json()["data"]
    assert row["applicant_user"] == account.user.username
    assert account.id_number not in json.dumps(row, ensure_ascii=False)


def test_the_migration_renames_user_names_that_are_id_numbers_and_keeps_the_login(world) -> None:
    account = citizen("32110219900202002", "李四", "13800000002", clerk=world["clerk"])
    get_user_model().objects.filter(pk=account.user_id).update(username=account.id_number)  # as sign-up used to
    importlib.import_module("gov_services.migrations.0007_portal_usernames").opaque_usernames(django_apps, None)
    renamed = get_user_model().objects.get(pk=account.user_id)
    assert renamed.username != account.id_number and renamed.username.startswith("u")
    assert get_user_model().objects.get(username="clerk")  # staff keep theirs
    assert Client().login(username=account.id_number, password=PASSWORD)


# -- phone numbers and addresses ------------------------------------------------------------------------------


def test_phone_and_address_are_masked_for_the_supervisor_on_every_surface(world) -> None:
    number = world["app"].number
    supervisor_api = api(world["supervisor"])
    row = supervisor_api.get(f"/api/resource/Application/{number}").json()["data"]
    assert row["phone"] == mask_phone(PHONE) and row["address"] == mask_address(ADDRESS)
    assert row["id_number"] == mask_id_number(ID)
    listed = supervisor_api.get("/api/resource/Application", {"fields": '["phone","address"]'})
    assert PHONE not in listed.content.decode() and ADDRESS not in listed.content.decode()
    for probe in ([["phone", "like", "1395%"]], [["address", "like", "%正东路%"]]):
        answer = supervisor_api.get("/api/resource/Application", {"filters": json.dumps(probe, ensure_ascii=False)})
        assert answer.status_code == 403, probe
    assert supervisor_api.get("/api/resource/Application", {"order_by": "phone asc"}).status_code == 403
    page = desk(world["supervisor"]).get(f"/desk/gov_services/application/{world['app'].pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert PHONE not in html and ADDRESS not in html and mask_phone(PHONE) in html
    searched = desk(world["supervisor"]).get("/desk/gov_services/application/", {"q": PHONE}).content.decode()
    assert number not in searched
    assert (
        desk(world["supervisor"]).get("/desk/gov_services/application/", {"phone__startswith": "139"}).status_code
        == 400
    )


def test_those_who_call_the_applicant_see_the_phone(world) -> None:
    for user in (world["clerk"], world["hotline"]):
        row = api(user).get(f"/api/resource/Application/{world['app'].number}").json()["data"]
        assert row["phone"] == PHONE, user.username
    assert api(world["hotline"]).get(f"/api/resource/Application/{world['app'].number}").json()["data"][
        "id_number"
    ] == mask_id_number(ID)


# -- change history, depends_on values, issued notices, workflow actions ---------------------------------------


def test_the_change_history_masks_old_and_new_values_for_the_reader(world) -> None:
    app = world["app"]
    app.phone = "13952822222"
    save_doc(app, update_fields=["phone"], user=world["clerk"])
    Version.objects.create(  # an ID number corrected by the system is history too
        doctype="Application",
        doc_id=str(app.pk),
        at=app.modified_at,
        changed=[["id_number", "证件号码", ID, ID[:-1] + "1"]],
    )
    url = f"/desk/gov_services/application/{app.pk}/change/"
    supervisor_page = desk(world["supervisor"]).get(url).content.decode()
    assert "version-panel" in supervisor_page
    for secret in (PHONE, "13952822222", ID, ID[:-1] + "1"):
        assert secret not in supervisor_page, secret
    assert mask_phone("13952822222") in supervisor_page and mask_id_number(ID) in supervisor_page
    hotline_page = desk(world["hotline"]).get(url).content.decode()
    assert "13952822222" in hotline_page and ID not in hotline_page
    clerk_page = desk(world["clerk"]).get(url).content.decode()
    assert ID in clerk_page and ID[:-1] + "1" in clerk_page


def test_depends_on_values_go_to_the_page_masked(world) -> None:
    admin = make_user("sysmgr", "System Manager", world["departments"]["centre"])
    custom_services.custom_field_insert(
        cf=CustomField(
            doctype="Application",
            fieldname="local_resident",
            label_zh="本地户籍说明",
            fieldtype="Data",
            depends_on="doc.id_number != ''",
        ),
        user=admin,
    )
    url = f"/desk/gov_services/application/{world['app'].pk}/change/"
    page = desk(world["supervisor"]).get(url)
    assert page.status_code == 200
    values = page.context["depends_on_values"]
    assert values["id_number"] == mask_id_number(ID)
    assert ID not in page.content.decode()
    assert desk(world["clerk"]).get(url).context["depends_on_values"]["id_number"] == ID


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_an_issued_notice_is_masked_whoever_issued_it(world) -> None:
    print_format = next(
        f for f in PrintFormat.objects.filter(doctype="Application", disabled=False) if "doc.id_number" in f.template
    )
    issued = printed_document_issue(print_format=print_format, doc=world["app"], user=world["clerk"])
    text = _pdf_text(Path(issued.file.path))
    assert ID not in text and mask_id_number(ID) in text


def test_a_workflow_actions_changed_values_are_masked_as_their_record_masks_them(world) -> None:
    app = world["app"]
    WorkflowAction.objects.create(
        doctype="Application",
        doc_id=str(app.pk),
        workflow=Workflow.objects.get(doctype="Application", is_active=True),
        action="correct",
        action_label="更正",
        from_state=app.status,
        to_state=app.status,
        user=world["clerk"],
        at=app.modified_at,
        changed={"id_number": ID, "phone": PHONE, "remarks": "更正证件号"},
    )
    rows = api(world["supervisor"]).get("/api/resource/Workflow Action", {"fields": '["changed"]'})
    assert rows.status_code == 200
    body = rows.content.decode()
    assert ID not in body and PHONE not in body and "更正证件号" in body
    assert mask_id_number(ID) in body
    assert Application.objects.get(pk=app.pk).id_number == ID
