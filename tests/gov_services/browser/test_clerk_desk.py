"""A window clerk works the Application list in Debian's chromium: filter, open, read."""

from pathlib import Path

import pytest

from gov_services.demo import load_demo
from gov_services.models import Application, Department
from lowcode.core.fixtures import sync_fixtures
from lowcode.core.roles import user_set_roles
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_filters_the_application_list_and_opens_one(
    live_server, browser, artifacts: Path, django_user_model
) -> None:
    sync_fixtures()
    load_demo()
    clerk = django_user_model.objects.get(username="clerk")
    clerk.set_password("Clerk-test-password-1")
    clerk.save()
    user_set_roles(user=clerk, roles=["Window Clerk"])
    market = Department.objects.get(name="镇江市市场监督管理局")
    expected = list(Application.objects.filter(status="accepted", department=market).values_list("number", flat=True))
    assert expected, "the demo data has accepted applications of the market regulator"

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(page, live_server.url, "clerk", "Clerk-test-password-1")
    page.get_by_role("link", name="办件", exact=True).filter(visible=True).first.click()
    page.wait_for_url("**/desk/gov_services/application/")
    assert page.get_by_text("48 办件").is_visible()
    page.screenshot(path=str(artifacts / "clerk-1-application-list.png"))

    page.locator('a[x-on\\:click="filterOpen = true"]', has_text="筛选").click()
    page.get_by_role("link", name="已受理", exact=True).click()
    page.wait_for_url("**workflow_state=accepted**")
    page.locator('a[x-on\\:click="filterOpen = true"]', has_text="筛选").click()
    page.get_by_role("link", name="镇江市市场监督管理局", exact=True).click()
    page.wait_for_url(f"**department__id__exact={market.pk}**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == len(expected)
    shown = [rows.nth(i).locator("th a, td a").first.inner_text().strip() for i in range(rows.count())]
    assert sorted(shown) == sorted(expected)
    page.screenshot(path=str(artifacts / "clerk-2-filtered.png"))

    page.get_by_role("link", name=expected[0], exact=True).click()
    page.wait_for_url("**/change/**")
    for section in ("办件信息", "申请人", "时间", "决定与送达"):
        assert page.get_by_role("heading", name=section).first.is_visible(), section
    application = Application.objects.get(number=expected[0])
    for material in application.materials.all():
        assert page.get_by_text(material.name, exact=True).first.is_visible(), material.name
    assert page.locator("input[name=id_number]").input_value() == application.id_number  # the clerk sees it in full
    page.screenshot(path=str(artifacts / "clerk-3-application-form.png"), full_page=True)
    page.close()
