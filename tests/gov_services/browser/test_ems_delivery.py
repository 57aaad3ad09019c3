"""An issuing clerk delivers a result by EMS in Debian's chromium (S001 三(六)2): creates the delivery handover for
an approved application in the desk, is refused without a waybill number, enters a valid one, is refused signing
without the signed receipt, uploads the signed 送达回证 and signs for the delivery."""

from pathlib import Path

import pytest
from django.utils import translation

from gov_services.models import Application, Handover
from lowcode.workflow import engine
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.gov_services.portal_support import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ready_for_delivery(users: dict, matter) -> Application:
    app = make_application(matter, user=users["clerk"])
    app = engine.apply_transition(app, "accept", users["clerk"])
    app = engine.apply_transition(app, "start_review", users["reviewer"])
    app = engine.apply_transition(app, "approve", users["reviewer"], values={"decision_reason": "符合条件"})
    return engine.apply_transition(app, "hand_over_result", users["reviewer"])


def test_issuing_clerk_delivers_a_result_by_ems_with_the_signed_receipt(
    live_server, browser, artifacts: Path, tmp_path: Path
) -> None:
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "issuing": make_user("issuing", "Issuing Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
    }
    matter = next(m for m in matters if not m.issues_licence and m.department_id == market.pk)
    with translation.override("zh-hans"):
        app = _ready_for_delivery(users, matter)
    receipt = tmp_path / "送达回证.pdf"
    receipt.write_bytes(PDF)

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    desk_login(page, live_server.url, "issuing", PASSWORD)
    page.goto(f"{live_server.url}/desk/gov_services/handover/add/")
    page.select_option("select[name=kind]", value="delivery")
    page.select_option("select[name=department]", value=str(market.pk))
    page.select_option("select[name=delivery_method]", value="ems")
    page.locator("#items-group").get_by_text("添加另一个", exact=False).click()
    page.locator("#items-group .select2-selection").first.click()
    page.locator(".select2-search__field").fill(app.number)
    page.locator(".select2-results__option", has_text=app.number).first.click()
    page.screenshot(path=str(artifacts / "ems-1-new-delivery.png"), full_page=True)
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("成功", exact=False).first.wait_for()
    handover = Handover.objects.get(kind="delivery", items__application=app)
    assert (handover.status, handover.delivery_method, handover.waybill_no) == ("created", "ems", "")

    # Sending without the EMS waybill number: refused, the state unchanged.
    page.get_by_role("button", name="移交", exact=True).click()
    refusal = page.get_by_text("EMS", exact=False).filter(has_text="邮件号").first
    refusal.wait_for()
    assert page.locator(".workflow-state[data-state]").inner_text() == "已创建"
    page.screenshot(path=str(artifacts / "ems-2-refused-without-waybill.png"), full_page=True)

    page.fill("input[name=waybill_no]", "EA123456785CN")
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("成功", exact=False).first.wait_for()
    page.get_by_role("button", name="移交", exact=True).click()
    page.get_by_text("已办理。").wait_for()
    assert page.locator(".workflow-state[data-state]").inner_text() == "已移交"

    # Signing for it without the signed receipt: refused.
    page.get_by_role("button", name="送达签收", exact=True).click()
    page.get_by_text("送达回证", exact=False).filter(has_text="上传").first.wait_for()
    assert page.locator(".workflow-state[data-state]").inner_text() == "已移交"
    page.screenshot(path=str(artifacts / "ems-3-refused-without-receipt.png"), full_page=True)

    page.locator("input[name=service_receipt]").set_input_files(str(receipt))
    page.get_by_role("button", name="保存并继续编辑").click()
    page.get_by_text("成功", exact=False).first.wait_for()
    page.get_by_role("button", name="送达签收", exact=True).click()
    page.get_by_text("已办理。").wait_for()
    assert page.locator(".workflow-state[data-state]").inner_text() == "已签收"
    page.screenshot(path=str(artifacts / "ems-4-signed.png"), full_page=True)
    page.close()

    handover.refresh_from_db()
    assert (handover.status, handover.waybill_no, handover.signed_by_id) == (
        "signed",
        "EA123456785CN",
        users["issuing"].pk,
    )
    assert handover.service_receipt.name.startswith("handovers/receipts/")
    with handover.service_receipt.open("rb") as f:
        assert f.read() == PDF
