"""An administrator extends the Application workflow in the desk; a clerk uses the new action at once."""

from pathlib import Path

import pytest

from gov_services.models import Application, Department
from lowcode.workflow.models import WorkflowAction
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_state_and_a_transition_and_a_clerk_uses_it(
    live_server, browser, artifacts: Path, django_user_model
) -> None:
    _, matters = catalogue()
    django_user_model.objects.create_superuser("Administrator", password=PASSWORD)
    clerk = make_user("clerk", "Window Clerk", Department.objects.get(name="镇江市政务服务管理办公室"))
    app = make_application(next(m for m in matters if m.name == "食品经营许可（新办）"), user=clerk)

    admin = browser.new_page(viewport={"width": 1600, "height": 1000})
    desk_login(admin, live_server.url, "Administrator", PASSWORD)
    admin.goto(f"{live_server.url}/desk/lowcode_workflow/workflow/")
    admin.get_by_role("link", name="办件审批流程").click()
    admin.wait_for_url("**/change/")

    # A new state, not yet reachable and not final: refused, with the reasons.
    admin.locator("#states-group").get_by_text("添加另一个", exact=False).click()
    prefix = _new_row_prefix(admin, "states")
    admin.fill(f"input[name='{prefix}-name']", "transferred_out")
    admin.fill(f"input[name='{prefix}-label_zh']", "已转外地办理")
    admin.get_by_role("button", name="保存并继续编辑").click()
    admin.get_by_text("无法从初始状态到达的状态", exact=False).first.wait_for()
    errors = admin.locator(".errorlist, .errornote, [role=alert]")
    assert "无法从初始状态到达的状态：transferred_out" in admin.content()
    assert "没有出路且未标记为终态的状态：transferred_out" in admin.content()
    admin.screenshot(path=str(artifacts / "workflow-1-refused.png"), full_page=False)
    assert errors.count() >= 1

    # Mark it final and give it a way in: a transition from 已提交, for window clerks.
    state_prefix = admin.locator("input[value='transferred_out']").get_attribute("name").removesuffix("-name")
    admin.check(f"input[name='{state_prefix}-is_final']")
    admin.locator("#transitions-group").get_by_text("添加另一个", exact=False).click()
    prefix = _new_row_prefix(admin, "transitions")
    admin.fill(f"input[name='{prefix}-from_state']", "submitted")
    admin.fill(f"input[name='{prefix}-action']", "transfer_out")
    admin.fill(f"input[name='{prefix}-label_zh']", "转外地办理")
    admin.fill(f"input[name='{prefix}-to_state']", "transferred_out")
    admin.locator(f"[name='{prefix}-roles']").locator("xpath=..").filter(has_text="综合受理窗口").locator(
        "input"
    ).check()
    admin.check(f"input[name='{prefix}-require_comment']")
    admin.get_by_role("button", name="保存并继续编辑").click()
    admin.get_by_text("成功", exact=False).first.wait_for()
    admin.screenshot(path=str(artifacts / "workflow-2-saved.png"), full_page=False)
    admin.close()

    # The clerk, with no restart: the new action is on the application's form.
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(page, live_server.url, "clerk", PASSWORD)
    page.goto(f"{live_server.url}/desk/gov_services/application/{app.pk}/change/")
    page.get_by_text("转外地办理", exact=True).click()  # opens the comment box
    page.locator("#comment-transfer_out").fill("申请人要求转至南京市政务服务中心办理。")
    page.get_by_role("button", name="确认：转外地办理").click()
    page.get_by_text("已办理。").wait_for()
    assert page.locator(".workflow-state").inner_text() == "已转外地办理"
    assert page.get_by_text("申请人要求转至南京市政务服务中心办理。").is_visible()
    page.screenshot(path=str(artifacts / "workflow-3-clerk-used-it.png"), full_page=True)
    page.close()

    app.refresh_from_db()
    assert app.status == "transferred_out"
    entry = WorkflowAction.objects.get(doctype="Application", doc_id=str(app.pk))
    assert (entry.action, entry.user_id, entry.from_state) == ("transfer_out", clerk.pk, "submitted")
    assert Application.objects.get(pk=app.pk).status == "transferred_out"


def _new_row_prefix(page, prefix: str) -> str:
    """The form prefix of the row just added to an inline (the highest index, not the template)."""
    total = int(page.locator(f"input[name='{prefix}-TOTAL_FORMS']").input_value())
    return f"{prefix}-{total - 1}"
