"""A citizen's whole journey on a phone-size Debian chromium, with the clerk's steps in the desk beside it:
sign up → real-name level raised in the desk → find a guide → apply with uploads → 一次性告知单 → supplement →
accepted → approved → licence issued → download the licence → evaluate 不满意 → read the rectification reply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.models import Application, Department, Evaluation, PortalAccount, RealNameCheck, Staff
from lowcode.printing.models import PrintedDocument
from lowcode.workflow.engine import apply_transition
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_user, resident_id
from tests.gov_services.portal_support import PDF, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36",
}
ID_NUMBER = resident_id("32011119850615002")


def test_citizen_journey_on_a_phone(live_server, browser, artifacts: Path, tmp_path: Path) -> None:
    departments, _ = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    reviewer = make_user("reviewer", "Department Reviewer", departments["market"])
    liaison = make_user("liaison", "Department Liaison", departments["market"])
    shots = artifacts / "citizen-journey"
    shots.mkdir(exist_ok=True)
    files = {}
    for i, content in enumerate([PDF, PNG, PDF, PDF, PDF, PDF]):
        path = tmp_path / (f"材料{i}.pdf" if content == PDF else f"材料{i}.png")
        path.write_bytes(content)
        files[i] = path
    url = live_server.url

    phone = browser.new_context(**PHONE, locale="zh-CN")
    citizen = phone.new_page()

    # 1. Sign up.
    citizen.goto(f"{url}/")
    citizen.get_by_role("link", name="注册").first.click()
    citizen.get_by_label("居民身份证号码，或单位的统一社会信用代码").fill(ID_NUMBER)
    citizen.get_by_label("姓名（与身份证一致）或单位名称").fill("陈小梅")
    citizen.get_by_label("手机号码").fill("13952811234")
    citizen.locator("#id_password").fill(PASSWORD)
    citizen.locator("#id_password2").fill(PASSWORD)
    citizen.screenshot(path=str(shots / "01-sign-up.png"), full_page=True)
    citizen.get_by_role("button", name="创建账户").click()
    citizen.wait_for_url("**/my/")
    assert citizen.locator("[data-level]").inner_text() == "未实名"
    citizen.screenshot(path=str(shots / "02-my-page-no-real-name.png"), full_page=True)

    # 2. The clerk checks her identity card at the window and raises the level in the desk.
    desk = browser.new_page(viewport={"width": 1400, "height": 900})
    desk_login(desk, url, "clerk", PASSWORD)
    desk.goto(f"{url}/desk/gov_services/portalaccount/")
    desk.get_by_role("link", name="陈小梅").click()
    desk.select_option("select[name=new_level]", label="高级实名")
    desk.fill("input[name=check_method]", "窗口核验居民身份证原件并人脸比对")
    desk.get_by_role("button", name="保存并继续编辑").click()
    desk.get_by_text("成功", exact=False).first.wait_for()
    desk.screenshot(path=str(shots / "03-desk-clerk-raises-level.png"), full_page=True)
    account = PortalAccount.objects.get(id_number=ID_NUMBER)
    assert account.realname_level == 2
    assert RealNameCheck.objects.get(account=account).checked_by_id == clerk.pk

    # 3. Find the guide.
    citizen.goto(f"{url}/")
    citizen.get_by_label("搜索办事指南").fill("食品经营许可")
    citizen.get_by_role("button", name="搜索").click()
    citizen.get_by_role("link", name="食品经营许可（新办）").click()
    citizen.get_by_role("heading", name="申请材料").wait_for()
    citizen.screenshot(path=str(shots / "04-guide.png"), full_page=True)

    # 4. Apply: applicant data prefilled, one upload per material, review, submit.
    citizen.get_by_role("link", name="网上申请").first.click()
    assert citizen.locator("#id_applicant_name").input_value() == "陈小梅"
    assert citizen.locator("#id_phone").input_value() == "13952811234"
    citizen.screenshot(path=str(shots / "05-apply-step-1.png"), full_page=True)
    citizen.get_by_role("button", name="下一步").click()
    citizen.get_by_label("结果领取方式").select_option(label="窗口自取")
    citizen.get_by_role("button", name="下一步").click()
    uploads = citizen.locator("input[type=file]")
    citizen.get_by_role("button", name="下一步").click()  # nothing uploaded yet: stays, says what is missing
    assert citizen.get_by_text("请填写此项。").first.is_visible()
    for i in range(uploads.count()):
        uploads.nth(i).set_input_files(str(files[i]))
    citizen.screenshot(path=str(shots / "06-apply-materials.png"), full_page=True)
    citizen.get_by_role("button", name="下一步").click()
    citizen.get_by_role("heading", name="核对并提交").wait_for()
    assert citizen.get_by_text("材料1.png").is_visible()
    citizen.screenshot(path=str(shots / "07-apply-review.png"), full_page=True)
    citizen.get_by_role("button", name="提交").click()
    citizen.wait_for_url("**/receipt")
    number = citizen.locator("[data-number]").inner_text()
    application = Application.objects.get(number=number)
    assert (application.applicant_user_id, application.channel) == (account.user_id, "online")
    citizen.screenshot(path=str(shots / "08-receipt.png"), full_page=True)

    # 5. The clerk finds the business licence copy unreadable: one-time notice (一次性告知单).
    desk.goto(f"{url}/desk/gov_services/application/{application.pk}/change/")
    licence_row = next(i for i, m in enumerate(application.materials.order_by("id")) if m.name == "营业执照")
    desk.select_option(f"select[name='materials-{licence_row}-status']", value="defective")
    desk.fill(f"input[name='materials-{licence_row}-note']", "营业执照复印件不清晰，请上传清晰的扫描件。")
    desk.get_by_role("button", name="保存并继续编辑").click()
    desk.get_by_text("成功", exact=False).first.wait_for()
    desk.get_by_text("一次性告知", exact=True).click()
    desk.locator("#comment-notify_incomplete").fill("营业执照复印件不清晰，请补正。")
    desk.get_by_role("button", name="确认：一次性告知").click()
    desk.get_by_text("已办理。").wait_for()
    desk.screenshot(path=str(shots / "09-desk-one-time-notice.png"), full_page=True)
    assert PrintedDocument.objects.filter(doc_id=str(application.pk), print_format__name="一次性告知单").exists()

    # 6. The citizen reads the notice and supplements.
    citizen.goto(f"{url}/my/applications/{number}/")
    assert citizen.locator("[data-state]").inner_text() == "已一次性告知"
    assert citizen.get_by_text("营业执照复印件不清晰，请上传清晰的扫描件。").first.is_visible()
    assert citizen.get_by_role("link", name="一次性告知单").is_visible()
    citizen.screenshot(path=str(shots / "10-supplement-asked.png"), full_page=True)
    citizen.locator("input[type=file]").first.set_input_files(str(files[2]))
    citizen.get_by_role("button", name="提交补正材料").click()
    citizen.get_by_text("补正材料已提交，办理时限恢复计时。").wait_for()
    assert citizen.locator("[data-state]").inner_text() == "已提交"
    citizen.screenshot(path=str(shots / "11-supplemented.png"), full_page=True)

    # 7. Accepted at the window (desk), then the department reviews, approves and issues the licence.
    desk.goto(f"{url}/desk/gov_services/application/{application.pk}/change/")
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.get_by_text("已办理。").wait_for()
    desk.screenshot(path=str(shots / "12-desk-accepted.png"), full_page=True)
    application.refresh_from_db()
    assert application.status == "accepted"
    apply_transition(application, "deem_accepted", clerk, comment="受理后3个工作日内未发出补正通知。")
    application.refresh_from_db()
    apply_transition(application, "approve", reviewer, comment="经审查，符合条件。")
    application.refresh_from_db()
    market = Department.objects.get(pk=Staff.objects.get(user=reviewer).department_id)
    licence = licence_issue(
        licence_type=application.matter.licence_type,
        issuer=market,
        holder_name=application.applicant_name,
        holder_id_type=application.id_type,
        holder_id_number=application.id_number,
        issued_on=timezone.localdate(),
        user=reviewer,
        application=application,
    )
    apply_transition(application, "issue_licence", reviewer)

    # 8. The citizen downloads the licence.
    citizen.goto(f"{url}/my/applications/{number}/")
    assert citizen.locator("[data-state]").inner_text() == "已制证"
    citizen.screenshot(path=str(shots / "13-licence-issued.png"), full_page=True)
    with citizen.expect_download() as download:
        citizen.locator("[data-licence]").click()
    saved = tmp_path / "licence.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    assert licence.number in download.value.suggested_filename

    # 9. Evaluates 不满意: the reason is required.
    citizen.get_by_label("不满意", exact=True).check()
    citizen.get_by_role("button", name="提交评价").click()
    citizen.get_by_text("评价为不满意时须说明理由。").first.wait_for()
    citizen.get_by_label("理由（不满意时必填）").fill("补正时窗口未说明需要彩色扫描件，多跑了一次。")
    citizen.screenshot(path=str(shots / "14-evaluate.png"), full_page=True)
    citizen.get_by_role("button", name="提交评价").click()
    citizen.get_by_text("感谢您的评价。").wait_for()
    evaluation = Evaluation.objects.get(application=application)
    assert (evaluation.level, evaluation.status, evaluation.channel) == (2, "poor", "mobile")

    # 10. The department calls back and rectifies; the citizen reads the reply.
    apply_transition(evaluation, "call_back", liaison, values={"callback_note": "已电话回访申请人。"})
    evaluation.refresh_from_db()
    apply_transition(evaluation, "start_rectifying", liaison)
    evaluation.refresh_from_db()
    reply = "已在窗口和办事指南中写明须提交彩色扫描件，并对窗口人员进行了一次性告知培训。"
    apply_transition(evaluation, "rectified", liaison, values={"rectification": reply})
    citizen.reload()
    assert citizen.locator("[data-rectification]").get_by_text(reply).is_visible()
    citizen.screenshot(path=str(shots / "15-rectification-reply.png"), full_page=True)

    assert re.fullmatch(r"BJ\d{14}", number)
    phone.close()
    desk.close()
