"""A supervisor in Debian's chromium: the red-light overview by department, then the red applications."""

from pathlib import Path

import pytest

from gov_services.demo import load_demo
from lowcode.core.fixtures import sync_fixtures
from lowcode.deadlines.models import Deadline, SupervisionNotice
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_sees_red_lights_by_department_and_filters_the_list(
    live_server, browser, artifacts: Path, django_user_model
) -> None:
    sync_fixtures()
    load_demo()
    supervisor = django_user_model.objects.get(username="supervisor")
    supervisor.set_password("Supervisor-test-password-1")
    supervisor.save()
    red_apps = Deadline.objects.filter(doctype="Application", light=2, status__in=["running", "paused"])
    assert red_apps.exists() and SupervisionNotice.objects.exists(), "the demo has overdue applications"

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(page, live_server.url, "supervisor", "Supervisor-test-password-1")
    page.wait_for_url("**/desk/")
    assert page.locator('a[href="/desk/supervision/"]').count() >= 1  # in the sidebar, under 效能监察
    page.goto(f"{live_server.url}/desk/supervision/")
    assert page.get_by_role("heading", name="按部门").is_visible()
    first = red_apps.order_by("due_at").first()
    assert page.get_by_role("link", name=first.doc_title).first.is_visible()
    page.screenshot(path=str(artifacts / "supervisor-1-overview.png"), full_page=True)

    page.goto(f"{live_server.url}/desk/gov_services/application/?deadline=red")
    rows = page.locator("#result_list tbody tr")
    expected = set(red_apps.values_list("doc_title", flat=True))
    shown = {rows.nth(i).locator("th a").first.inner_text().strip() for i in range(rows.count())}
    assert shown == expected
    assert page.locator("td.field-deadline_light", has_text="超期").count() == len(expected)
    page.screenshot(path=str(artifacts / "supervisor-2-red-applications.png"), full_page=True)

    page.get_by_role("link", name=first.doc_title, exact=True).click()
    page.wait_for_url("**/change/**")
    panel = page.locator(".deadline-panel")
    assert panel.get_by_role("heading").is_visible()
    assert panel.get_by_text(first.policy.label_zh).first.is_visible()
    assert panel.get_by_text("已超期").first.is_visible()
    page.screenshot(path=str(artifacts / "supervisor-3-application-deadlines.png"), full_page=True)
    page.close()
