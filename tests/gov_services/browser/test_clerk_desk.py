"""A window clerk works the Application list in Debian's chromium: filter, open, read; and accepts an
application once its materials are received or owed (容缺后补)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gov_services.demo import load_demo
from gov_services.models import Application, ApplicationMaterial, Department
from lowcode.core.fixtures import sync_fixtures
from lowcode.core.roles import user_set_roles
from lowcode.printing.models import PrintedDocument
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

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
    assert page.get_by_text("共 48 条").is_visible()
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


def test_clerk_accepts_once_the_materials_are_marked_received_or_owed(live_server, browser, artifacts: Path) -> None:
    """S003 art. 7 容缺受理: refused while materials are missing; the clerk marks them received in the form's
    materials table, records the 容缺后补 one with its due date, saves, and accepts."""
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    app = make_application(
        next(m for m in matters if m.name == "食品经营许可（新办）"), user=clerk, materials_received=False
    )
    rows = list(app.materials.select_related("guide_material").order_by("id"))
    owed = next(r for r in rows if r.guide_material.necessity == "later")
    due = timezone.localdate() + timedelta(days=10)

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(page, live_server.url, "clerk", PASSWORD)
    page.goto(f"{live_server.url}/desk/gov_services/application/{app.pk}/change/")
    page.get_by_role("button", name="受理", exact=True).click()
    refusal = page.get_by_text("不能受理", exact=False).first
    refusal.wait_for()
    assert owed.name in refusal.inner_text() and rows[0].name in refusal.inner_text()
    assert page.locator(".workflow-state[data-state]").inner_text() == "已提交"
    page.screenshot(path=str(artifacts / "clerk-4-acceptance-refused.png"), full_page=True)

    for i, row in enumerate(rows):
        necessity = row.guide_material.necessity
        if row.pk == owed.pk:
            page.select_option(f"select[name='materials-{i}-status']", value="deferred")
            page.fill(f"input[name='materials-{i}-due_date']", due.isoformat())
            page.fill(f"input[name='materials-{i}-note']", "申请人承诺十日内补交")
        elif necessity == "required":
            page.select_option(f"select[name='materials-{i}-status']", value="submitted")
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("成功", exact=False).first.wait_for()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已办理。").wait_for()
    assert page.locator(".workflow-state[data-state]").inner_text() == "已受理"
    page.screenshot(path=str(artifacts / "clerk-5-accepted-with-owed-material.png"), full_page=True)
    page.close()

    app.refresh_from_db()
    assert app.status == "accepted" and app.accepted_at is not None
    stored = ApplicationMaterial.objects.get(pk=owed.pk)
    assert (stored.status, stored.due_date, stored.note) == ("deferred", due, "申请人承诺十日内补交")
    assert PrintedDocument.objects.filter(doctype="Application", doc_id=str(app.pk), action="accept").exists()
