"""An administrator edits a print format in Debian's chromium: the HTML preview follows the typing."""

from pathlib import Path

import pytest

from gov_services.demo import load_demo
from gov_services.models import Application
from lowcode.core.fixtures import sync_fixtures
from lowcode.printing.models import PrintFormat
from tests.conftest import desk_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_preview_follows_the_template_as_it_is_edited(live_server, browser, artifacts: Path, django_user_model):
    sync_fixtures()
    load_demo()
    admin = django_user_model.objects.get(username="sysmgr")
    admin.set_password("Sysmgr-test-password-1")
    admin.save()
    newest = Application.objects.order_by("-pk").first()
    print_format = PrintFormat.objects.get(name="受理承诺单")

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    desk_login(page, live_server.url, "sysmgr", "Sysmgr-test-password-1")
    page.goto(f"{live_server.url}/desk/lowcode_printing/printformat/{print_format.pk}/change/")
    frame = page.frame_locator("iframe[name=preview-frame]")
    frame.get_by_text("受理承诺单").first.wait_for()
    assert frame.get_by_text(f"办件编号：{newest.number}").is_visible()

    template = page.locator("textarea[name=template]")
    template.fill("<h1>试改的标题</h1>\n<p>{{ doc.applicant_name }}</p>")
    frame.get_by_text("试改的标题").wait_for()
    assert frame.get_by_text(newest.applicant_name).first.is_visible()
    page.screenshot(path=str(artifacts / "print-editor-preview.png"), full_page=True)

    template.fill("<h1>{% for %}</h1>")
    frame.get_by_text("第 1 行").first.wait_for()  # the template's error, with its line
    page.close()
    print_format.refresh_from_db()
    assert "试改的标题" not in print_format.template  # previewing saves nothing
