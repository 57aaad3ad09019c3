"""A serial joint review across two departments in the desk (issue 17): the lead department starts it, the
second department finds no action while the first reviews, the first agrees, then the second, and the lead
finishes it — each department in its own session, the application's form showing every opinion and clock."""

from pathlib import Path

import pytest

from gov_services.gov_services.doctype.matter.services import matter_set_co_departments
from gov_services.models import Application, JointReviewOpinion
from lowcode.core.documents import save_doc
from lowcode.workflow import engine
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer(browser, base: str, username: str, opinion: JointReviewOpinion, text: str, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(page, base, username, PASSWORD)
    page.goto(f"{base}/desk/gov_services/jointreviewopinion/")
    page.get_by_role("link", name=opinion.application.number).first.click()
    page.wait_for_url("**/change/")
    assert page.locator(".workflow-panel .workflow-state").inner_text() == "审查中"
    page.fill("textarea[name='opinion']", text)
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("成功", exact=False).first.wait_for()
    page.locator(".workflow-action").get_by_role("button", name="同意", exact=True).click()
    page.get_by_text("已办理。").wait_for()
    assert page.locator(".workflow-panel .workflow-state").inner_text() == "同意"
    page.screenshot(path=str(artifacts / f"joint-review-{username}-agreed.png"), full_page=True)
    page.close()


def test_a_serial_joint_review_across_two_departments(live_server, browser, artifacts: Path) -> None:
    departments, matters = catalogue()
    planning, housing, market = departments["planning"], departments["housing"], departments["market"]
    matter = next(m for m in matters if m.department_id == planning.pk)
    matter.joint_mode = "serial"
    save_doc(matter, update_fields=["joint_mode"])
    matter_set_co_departments(matter=matter, departments=[housing, market], user=None)
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    make_user("lead", "Department Reviewer", planning)
    make_user("housing", "Department Reviewer", housing)
    make_user("market", "Department Reviewer", market)
    app = make_application(matter, user=clerk)
    app = engine.apply_transition(app, "accept", clerk)
    base = live_server.url

    # The lead department starts the joint review from the application's form.
    lead = browser.new_page(viewport={"width": 1500, "height": 1000})
    desk_login(lead, base, "lead", PASSWORD)
    lead.goto(f"{base}/desk/gov_services/application/{app.pk}/change/")
    lead.locator(".workflow-action").get_by_role("button", name="开始审查", exact=True).click()
    lead.get_by_text("已办理。").wait_for()
    lead.locator(".workflow-action").get_by_role("button", name="发起联合审查", exact=True).click()
    lead.get_by_text("已办理。").wait_for()
    assert lead.locator(".workflow-panel .workflow-state").inner_text() == "联合审查中"
    table = lead.locator("#joint_opinions-group")
    table.scroll_into_view_if_needed()
    rows = table.locator("tbody tr.form-row, tbody tr.has_original")
    assert housing.name in table.inner_text() and market.name in table.inner_text()
    assert "审查中" in table.inner_text() and "等待前序部门" in table.inner_text()
    lead.screenshot(path=str(artifacts / "joint-review-1-started.png"), full_page=True)
    assert rows.count() == 2
    first, second = JointReviewOpinion.objects.filter(application=app).select_related("application").order_by("step")

    # The second department sees its opinion waiting, with nothing to act on.
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(page, base, "market", PASSWORD)
    page.goto(f"{base}/desk/gov_services/jointreviewopinion/{second.pk}/change/")
    assert page.locator(".workflow-panel .workflow-state").inner_text() == "等待前序部门"
    assert page.locator(".workflow-action").count() == 0
    page.screenshot(path=str(artifacts / "joint-review-2-second-waits.png"), full_page=True)
    page.close()

    # In order: the first department agrees, then the second.
    _answer(browser, base, "housing", first, "符合住房保障要求，同意。", artifacts)
    _answer(browser, base, "market", second, "经营范围符合规定，同意。", artifacts)

    # The lead finishes the joint review; the form keeps each department's answer.
    lead.reload()
    table = lead.locator("#joint_opinions-group")
    assert table.inner_text().count("同意") >= 2 and "符合住房保障要求" in table.inner_text()
    lead.locator(".workflow-action").get_by_role("button", name="会签完成", exact=True).click()
    lead.get_by_text("已办理。").wait_for()
    assert lead.locator(".workflow-panel .workflow-state").inner_text() == "审查中"
    lead.screenshot(path=str(artifacts / "joint-review-3-finished.png"), full_page=True)
    lead.close()
    assert Application.objects.get(pk=app.pk).status == Application.Status.UNDER_REVIEW
    assert list(JointReviewOpinion.objects.filter(application=app).values_list("status", flat=True)) == [
        "agreed",
        "agreed",
    ]
