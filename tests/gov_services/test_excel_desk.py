"""Excel import and export of the catalogue from the desk, as an administrator does it."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gov_services.models import Matter
from tests.gov_services.factories import PASSWORD, catalogue, make_user

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture()
def admin_client():
    departments, _ = catalogue()
    make_user("sysmgr", "System Manager", departments["centre"])
    client = Client()
    client.login(username="sysmgr", password=PASSWORD)
    return client


def test_template_and_export_from_the_desk(admin_client) -> None:
    template = admin_client.get(reverse("admin:gov_services_matter_download_template"))
    assert template.status_code == 200
    assert template.headers["Content-Type"] == XLSX
    wb = load_workbook(BytesIO(template.content))
    assert wb.sheetnames == ["部门", "证照类型", "事项", "办事指南", "申请材料", "收费项目", "填写说明"]
    assert [c.value for c in wb["事项"][1]][:3] == ["实施编码*", "事项名称*", "基本编码*"]
    assert wb["事项"].max_row == 1

    ids = list(Matter.objects.values_list("pk", flat=True)[:3])
    exported = admin_client.post(
        reverse("admin:gov_services_matter_changelist"), {"action": "export_catalogue", "_selected_action": ids}
    )
    assert exported.headers["Content-Type"] == XLSX
    assert load_workbook(BytesIO(exported.content))["事项"].max_row == 4


def test_import_page_reports_errors_and_imports_nothing(admin_client) -> None:
    url = reverse("admin:gov_services_matter_import_catalogue")
    assert admin_client.get(url).status_code == 200
    exported = admin_client.post(
        reverse("admin:gov_services_matter_changelist"),
        {"action": "export_catalogue", "_selected_action": list(Matter.objects.values_list("pk", flat=True))},
    ).content
    wb = load_workbook(BytesIO(exported))
    wb["事项"]["B2"] = None  # a required 事项名称
    wb["事项"]["B3"] = "食品经营许可（新办，已改名）"
    buffer = BytesIO()
    wb.save(buffer)
    names_before = sorted(Matter.objects.values_list("name", flat=True))

    response = admin_client.post(url, {"file": SimpleUploadedFile("matters.xlsx", buffer.getvalue(), XLSX)})

    body = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据：发现 1 个问题。" in body
    assert "事项 第2行「事项名称」：必填" in body
    assert sorted(Matter.objects.values_list("name", flat=True)) == names_before


def test_a_renamed_executable_is_refused(admin_client) -> None:
    url = reverse("admin:gov_services_matter_import_catalogue")
    response = admin_client.post(url, {"file": SimpleUploadedFile("matters.xlsx", b"MZ\x90\x00\x03", XLSX)})
    assert "该文件不是Excel工作簿。" in response.content.decode()


def test_a_reviewer_may_not_import(admin_client) -> None:
    departments, _ = catalogue()
    make_user("reviewer", "Department Reviewer", departments["market"])
    client = Client()
    client.login(username="reviewer", password=PASSWORD)
    response = client.get(reverse("admin:gov_services_matter_import_catalogue"))
    assert response.status_code == 403
