"""An administrator adds 营业执照有效期 to Application and relabels a standard field, in the desk, with no code and
no restart; a clerk sees, fills, filters and exports it; a citizen meets it in the apply form."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gov_services.models import Application, Matter
from lowcode.customization.models import CustomField, PropertySetter
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.gov_services.portal_support import citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_custom_field_a_clerk_uses_it_a_citizen_sees_it(
    live_server, browser, artifacts: Path, django_user_model
) -> None:
    departments, _ = catalogue()
    django_user_model.objects.create_superuser("Administrator", password=PASSWORD)
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    matter = Matter.objects.get(name="食品经营许可（新办）")
    first = make_application(matter, user=clerk, applicant_name="镇江市好味餐饮有限公司")
    second = make_application(matter, user=clerk, applicant_name="丹徒区老街小吃店")
    account = citizen("32011119850615002", "陈小梅", "13952811234", clerk=clerk)
    shots = artifacts / "custom-field"
    shots.mkdir(exist_ok=True)
    url = live_server.url

    # The administrator adds the field.
    admin = browser.new_page(viewport={"width": 1400, "height": 1000})
    desk_login(admin, url, "Administrator", PASSWORD)
    admin.goto(f"{url}/desk/lowcode_customization/customfield/add/?doctype=Application")
    admin.fill("input[name=fieldname]", "licence_valid_until")
    admin.fill("input[name=label_zh]", "营业执照有效期")
    admin.fill("input[name=label_en]", "Business licence valid until")
    admin.select_option("select[name=fieldtype]", value="Date")
    admin.fill("input[name=insert_after]", "phone")
    admin.fill("input[name=description]", "营业执照上载明的营业期限截止日")
    for flag in ("required", "in_list_view", "in_standard_filter", "in_web_form"):
        admin.check(f"input[name={flag}]")
    admin.screenshot(path=str(shots / "1-admin-adds-field.png"), full_page=True)
    admin.get_by_role("button", name="保存", exact=True).click()
    admin.get_by_text("成功", exact=False).first.wait_for()
    cf = CustomField.objects.get(doctype="Application", fieldname="licence_valid_until")
    assert (cf.fieldtype, cf.required, cf.in_standard_filter) == ("Date", True, True)

    # …and relabels a standard field in Customize Form.
    admin.goto(f"{url}/desk/customize-form/?doctype=Application")
    admin.fill("input[name='applicant_name-label']", "申请人（单位或个人）")
    admin.get_by_role("button", name="保存", exact=True).click()
    admin.get_by_text("已保存", exact=False).first.wait_for()
    admin.screenshot(path=str(shots / "2-admin-relabels.png"), full_page=True)
    assert PropertySetter.objects.get(doctype="Application", fieldname="applicant_name").value == "申请人（单位或个人）"
    admin.close()

    # The clerk: the field is on the form at its place, required; filled, it lists, filters and exports.
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    desk_login(page, url, "clerk", PASSWORD)
    page.goto(f"{url}/desk/gov_services/application/{first.pk}/change/")
    assert page.get_by_text("申请人（单位或个人）", exact=False).first.is_visible()
    date_input = page.locator("input[name=licence_valid_until]")
    assert date_input.is_visible()
    html = page.content()
    assert html.index('name="phone"') < html.index('name="licence_valid_until"') < html.index('name="address"')
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("这个字段是必填项", exact=False).first.wait_for()
    assert Application.objects.get(pk=first.pk).custom == {}
    page.locator("input[name=licence_valid_until]").fill("2027-06-30")
    page.screenshot(path=str(shots / "3-clerk-fills.png"), full_page=True)
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("成功", exact=False).first.wait_for()
    assert Application.objects.get(pk=first.pk).custom == {"licence_valid_until": "2027-06-30"}
    assert page.get_by_text("营业执照有效期：— → 2027-06-30").is_visible()  # the change history

    page.goto(f"{url}/desk/gov_services/application/")
    header = page.locator("#result_list thead")
    assert "营业执照有效期" in header.inner_text() and "申请人（单位或个人）" in header.inner_text()
    page.goto(f"{url}/desk/gov_services/application/?cf_licence_valid_until=1y")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and first.number in rows.first.inner_text() and "2027" in rows.first.inner_text()
    page.screenshot(path=str(shots / "4-clerk-filters.png"), full_page=True)
    page.goto(f"{url}/desk/gov_services/application/?cf_licence_valid_until=none")
    assert second.number in page.locator("#result_list tbody").inner_text()
    assert first.number not in page.locator("#result_list tbody").inner_text()

    page.goto(f"{url}/desk/gov_services/application/?cf_licence_valid_until=1y")
    page.locator("#result_list tbody input.action-select").first.check()
    page.select_option("select[name=action]", value="export_xlsx")
    with page.expect_download() as download:
        page.locator("button[name=index], button[type=submit][title]").filter(has_text="").first.click()
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    header_row = [c.value for c in sheet[1]]
    assert "营业执照有效期" in header_row
    row = [c.value for c in sheet[2]]
    assert str(row[header_row.index("营业执照有效期")])[:10] == "2027-06-30"
    page.close()

    # The citizen meets it in the apply form, required.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.goto(f"{url}/login/")
    mobile.fill("#id_username", account.id_number)
    mobile.fill("#id_password", PASSWORD)
    mobile.get_by_role("button", name="登录").click()
    mobile.goto(f"{url}/apply/new?matter={matter.implementation_code}")
    field = mobile.get_by_label("营业执照有效期")
    assert field.is_visible() and field.get_attribute("type") == "date" and field.get_attribute("required") is not None
    mobile.screenshot(path=str(shots / "5-citizen-apply-form.png"), full_page=True)
    phone.close()
