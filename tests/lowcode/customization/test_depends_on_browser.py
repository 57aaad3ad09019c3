"""depends_on shows and hides a custom field as the form is filled — in the desk and in the portal — and the
server asks for a required one only while it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from gov_services.models import WorkOrder
from lowcode.customization import services
from lowcode.customization.models import CustomField
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_user
from tests.gov_services.portal_support import citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_depends_on_toggles_in_desk_and_portal(live_server, browser, artifacts: Path, django_user_model) -> None:
    departments, _ = catalogue()
    admin = make_user("sysmgr", "System Manager", departments["centre"])
    django_user_model.objects.create_superuser("Administrator", password=PASSWORD)
    services.custom_field_insert(
        cf=CustomField(
            doctype="Application",
            fieldname="agent_letter_no",
            label_zh="授权委托书编号",
            fieldtype="Data",
            depends_on="doc.applicant_type == 'company'",
            insert_after="contact_name",
        ),
        user=admin,
    )
    services.custom_field_insert(
        cf=CustomField(
            doctype="Work Order",
            fieldname="window_no",
            label_zh="被投诉的窗口号",
            fieldtype="Int",
            required=True,
            in_web_form=True,
            insert_after="content",
            depends_on="doc.order_type in ['complaint', 'report']",
        ),
        user=admin,
    )
    url = live_server.url

    desk = browser.new_page(viewport={"width": 1400, "height": 1000})
    desk_login(desk, url, "Administrator", PASSWORD)
    desk.goto(f"{url}/desk/gov_services/application/add/")
    letter = desk.locator("input[name=agent_letter_no]")
    desk.select_option("select[name=applicant_type]", value="person")
    assert not letter.is_visible()
    desk.select_option("select[name=applicant_type]", value="company")
    letter.wait_for(state="visible")
    desk.screenshot(path=str(artifacts / "depends-on-desk.png"), full_page=True)
    desk.close()

    account = citizen("11010519491231002", "李四", "13800000001", level=0)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", account.id_number)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{url}/consult/new")
    window = page.locator("input[name=window_no]")
    page.select_option("select[name=order_type]", value="consultation")
    assert not window.is_visible()
    page.fill("input[name=subject]", "办理时间")
    page.fill("textarea[name=content]", "周六上午是否办理？")
    page.get_by_role("button", name="下一步").click()  # not asked while hidden
    page.locator("legend", has_text="联系方式").wait_for()
    page.get_by_role("button", name="上一步").click()
    page.select_option("select[name=order_type]", value="complaint")
    window.wait_for(state="visible")
    page.get_by_role("button", name="下一步").click()
    assert page.get_by_text("请填写此项。").first.is_visible()  # required while shown
    window.fill("3")
    page.screenshot(path=str(artifacts / "depends-on-portal.png"), full_page=True)
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/receipt")
    assert WorkOrder.objects.get().custom == {"window_no": 3}
    phone.close()
