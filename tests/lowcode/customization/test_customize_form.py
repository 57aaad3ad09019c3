"""Customize Form refuses overrides that would break the model and resets to standard; Attach fields keep
their files private; matters' custom fields travel in the Excel workbook; another running web process sees a
new field at its next request, with no restart."""

from __future__ import annotations

import urllib.request
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from gov_services.gov_services.doctype.matter.excel import export_workbook, import_workbook
from gov_services.models import Application, Matter
from lowcode.api.models import credential_generate
from lowcode.core.models import Version
from lowcode.customization import services
from lowcode.customization.models import CustomField, PropertySetter
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.gov_services.portal_support import EXE, PDF
from tests.lowcode.customization.test_custom_fields import _form_data
from tests.support.server import bench_serve, first_answer


@pytest.fixture()
def world(db, django_user_model):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    admin = make_user("sysmgr", "System Manager", departments["centre"])
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    desk = Client()
    desk.login(username="root", password=PASSWORD)
    app = make_application(next(m for m in matters if m.name == "食品经营许可（新办）"), user=clerk)
    with translation.override("zh-hans"):
        yield {"clerk": clerk, "admin": admin, "app": app, "desk": desk, "departments": departments}


def test_overrides_that_break_the_model_are_refused_with_reasons_and_nothing_is_saved(world) -> None:
    desk = world["desk"]
    url = "/desk/customize-form/?doctype=Application"
    page = desk.get(url)
    assert page.status_code == 200 and 'name="applicant_name-label"' in page.content.decode()
    standard = _form_data(page.content.decode())  # what the page sends untouched: the standard definition
    form = {
        **standard,
        "applicant_name-hidden": "on",
        "status-options": "submitted\nnonsense",
        "channel-default": "carrier pigeon",
    }
    del form["phone-required"]
    refused = desk.post(url, form)
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "“申请人”为必填且没有默认值，不能隐藏。" in text
    assert "“联系电话”在数据模型中为必填，不能改为选填。" in text
    assert "没有选项 nonsense" in text
    assert "“申请渠道”的默认值无效" in text
    assert not PropertySetter.objects.exists()

    ok = {
        **standard,
        "remarks-label": "补充说明",
        "remarks-hidden": "on",
        "address-section": "送达",
        "channel-options": "online\nwindow",
        "delivery_method-in_standard_filter": "on",
    }
    assert desk.post(url, ok).status_code == 302
    stored = {(p.fieldname, p.property): p.value for p in PropertySetter.objects.all()}
    assert stored[("remarks", "label")] == "补充说明" and stored[("remarks", "hidden")] == "1"
    assert stored[("channel", "options")] == "online\nwindow"
    change = desk.get(f"/desk/gov_services/application/{world['app'].pk}/change/").content.decode()
    assert 'name="remarks"' not in change
    assert '<option value="mail"' not in change and '<option value="window"' in change
    assert "送达" in change
    listing = desk.get("/desk/gov_services/application/").content.decode()
    assert "delivery_method__exact" in listing

    assert desk.post(url, {"doctype": "Application", "reset": "1"}).status_code == 302
    assert not PropertySetter.objects.exists()
    assert 'name="remarks"' in desk.get(f"/desk/gov_services/application/{world['app'].pk}/change/").content.decode()


def test_an_attach_field_keeps_its_file_private_and_checks_its_content(world) -> None:
    services.custom_field_insert(
        cf=CustomField(doctype="Application", fieldname="site_photo", label_zh="经营场所照片", fieldtype="Attach"),
        user=world["admin"],
    )
    desk, app = world["desk"], world["app"]
    url = f"/desk/gov_services/application/{app.pk}/change/"
    form = _form_data(desk.get(url).content.decode())
    form["site_photo"] = SimpleUploadedFile("photo.pdf", EXE)
    refused = desk.post(url, form)
    assert "不是 PDF / PNG / JPG 文件" in refused.content.decode()
    assert Application.objects.get(pk=app.pk).custom == {}
    form["site_photo"] = SimpleUploadedFile("photo.pdf", PDF)
    assert desk.post(url, form).status_code == 302
    path = Application.objects.get(pk=app.pk).custom["site_photo"]
    assert path.startswith("custom/Application/") and path.endswith(".pdf")
    clerk = Client()
    clerk.login(username="clerk", password=PASSWORD)
    got = clerk.get(f"/private/{path}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    stranger = make_user("stranger", "Applicant")
    other = Client()
    other.login(username=stranger.username, password=PASSWORD)
    assert other.get(f"/private/{path}").status_code == 404
    assert Client().get(f"/private/{path}").status_code == 302


def test_matter_custom_fields_travel_in_the_excel_workbook(world) -> None:
    services.custom_field_insert(
        cf=CustomField(doctype="Matter", fieldname="hall_window", label_zh="受理窗口号", fieldtype="Int"),
        user=world["admin"],
    )
    matter = Matter.objects.get(name="食品经营许可（新办）")
    matter.custom = {"hall_window": 12}
    matter.save(update_fields=["custom"])
    book = load_workbook(BytesIO(export_workbook(Matter.objects.filter(pk=matter.pk))))
    sheet = book["事项"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "受理窗口号" and sheet.cell(2, len(header)).value == 12

    sheet.cell(2, len(header)).value = "十二"
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(Exception) as refused:
        import_workbook(buffer.getvalue(), user=world["admin"])
    assert any("受理窗口号" in line and "输入整数" in line for line in refused.value.lines())
    assert Matter.objects.get(pk=matter.pk).custom == {"hall_window": 12}
    sheet.cell(2, len(header)).value = 15
    buffer = BytesIO()
    book.save(buffer)
    import_workbook(buffer.getvalue(), user=world["admin"])
    assert Matter.objects.get(pk=matter.pk).custom == {"hall_window": 15}
    assert Version.objects.filter(doctype="Matter", doc_id=str(matter.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_another_running_web_process_sees_a_new_field_without_restart() -> None:
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    admin = make_user("sysmgr", "System Manager", departments["centre"])
    app = make_application(matters[0], user=clerk)
    credential, secret = credential_generate(user=clerk)

    def read() -> dict:
        request = urllib.request.Request(  # noqa: S310  our own server on loopback
            f"{base}/api/resource/Application/{app.number}",
            headers={"Authorization": f"token {credential.api_key}:{secret}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  our own server
            import json

            return json.loads(response.read())["data"]

    with bench_serve(8700) as (base, _server):
        before = first_answer(read)
        assert "permit_no" not in before
        services.custom_field_insert(
            cf=CustomField(
                doctype="Application", fieldname="permit_no", label_zh="许可证号", fieldtype="Data", default="待定"
            ),
            user=admin,
        )
        app.custom = {"permit_no": "JY13211000001"}
        app.save(update_fields=["custom"])
        assert read()["permit_no"] == "JY13211000001"  # the same running process, no restart
        CustomField.objects.filter(fieldname="permit_no").delete()
        assert "permit_no" not in read()
