"""Under the Content-Security-Policy every kind of desk and portal page still works in Debian's chromium, and
the browser reports no violation and no console error on any of them: the desk (index, a list with its filter,
unfold's sidebar and user menu, a form whose custom field follows depends_on, the workflow panel, the print
format editor and its preview frame, the standard print view) and the portal (home with its language menu, a
guide, log-in and sign-up, a web form page by page with a depends_on field, the receipt, my applications)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gov_services.models import Department, WorkOrder
from lowcode.customization import services
from lowcode.customization.models import CustomField
from lowcode.printing.models import PrintFormat
from tests.conftest import desk_login
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.gov_services.portal_support import PDF, PNG, citizen, online_matter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed in every page and frame before the page's own scripts; reports to the test through a binding.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation({
  page: location.href, directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
  line: e.lineNumber, sample: e.sample,
}));
"""

# Console errors that are not the policy's: the browser asks for /favicon.ico, which the site does not have; and
# django-rq's own inline script (allowed by its hash, so it runs) calls `.actions()`, a jQuery plugin that
# Django's admin no longer has.
KNOWN = (
    lambda page, text, source: source.endswith("/favicon.ico") and "404" in text,
    lambda page, text, source: "/desk/rq/" in page and "$(...).actions is not a function" in text,
)


class Watch:
    """What the browser said while the walk went on: CSP violations, console errors and warnings, page errors."""

    def __init__(self) -> None:
        self.violations: list[dict[str, Any]] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.policies: dict[str, str] = {}

    def context(self, browser: Any, **options: Any) -> Any:
        context = browser.new_context(locale="zh-CN", **options)
        context.expose_function("__cspViolation", lambda violation: self.violations.append(violation))
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("page", self.page)
        return context

    def page(self, page: Any) -> None:
        page.on("console", lambda message: self.message(page, message))
        page.on("pageerror", lambda error: self.page_error(page, error))
        page.on("response", lambda response: self.response(response))

    def message(self, page: Any, message: Any) -> None:
        source = message.location.get("url", "")
        if message.type not in ("error", "warning") or any(known(page.url, message.text, source) for known in KNOWN):
            return
        self.console.append(f"{page.url} {message.type}: {message.text} ({source})")

    def page_error(self, page: Any, error: Any) -> None:
        if not any(known(page.url, str(error), "") for known in KNOWN):
            self.errors.append(f"{page.url}: {error}")

    def response(self, response: Any) -> None:
        policy = response.headers.get("content-security-policy")
        if policy and response.request.resource_type == "document":
            self.policies[response.url.split("?")[0]] = policy


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def test_every_kind_of_page_works_under_the_policy_with_no_violation(
    live_server, browser, artifacts: Path, tmp_path: Path, django_user_model
) -> None:
    departments, _ = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
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
    matter = online_matter()
    application = make_application(matter, user=clerk)
    account = citizen("11010519491231002", "李四", "13800000001", clerk=clerk)
    print_format = PrintFormat.objects.get(name="受理承诺单")
    department = Department.objects.get(name="镇江市政务服务管理办公室")
    url = live_server.url
    shots = artifacts / "content-security-policy"
    shots.mkdir(exist_ok=True)
    files = []
    for i, content in enumerate([PDF, PNG, PDF, PDF, PDF, PDF]):
        path = tmp_path / (f"材料{i}.pdf" if content == PDF else f"材料{i}.png")
        path.write_bytes(content)
        files.append(str(path))
    watch = Watch()

    # The desk, as the window clerk: list, filter, sidebar, user menu, a form with depends_on and its workflow.
    desk_context = watch.context(browser, viewport={"width": 1400, "height": 1000})
    desk = desk_context.new_page()
    desk_login(desk, url, "clerk", PASSWORD)
    desk.screenshot(path=str(shots / "desk-01-index.png"))
    desk.goto(f"{url}/desk/gov_services/application/")
    assert desk.get_by_text("共 1 条").is_visible()
    desk.locator('a[x-on\\:click="filterOpen = true"]', has_text="筛选").click()
    filters = desk.locator("#changelist-filter")
    filters.wait_for(state="visible")  # Alpine opened the filter sheet
    desk.screenshot(path=str(shots / "desk-02-list-filter.png"))
    desk.locator("#changelist-filter-close").click(position={"x": 10, "y": 10})
    filters.wait_for(state="hidden")
    sidebar = desk.locator("#nav-sidebar")
    assert sidebar.is_visible()
    desk.locator("span.material-symbols-outlined", has_text="dock_to_right").filter(visible=True).click()
    sidebar.wait_for(state="hidden")  # unfold's sidebar folds away, and comes back
    desk.locator("span.material-symbols-outlined", has_text="dock_to_right").filter(visible=True).click()
    sidebar.wait_for(state="visible")
    desk.get_by_text("clerk", exact=True).filter(visible=True).first.click()
    desk.get_by_role("link", name="修改密码").wait_for(state="visible")  # the user menu dropped down
    desk.screenshot(path=str(shots / "desk-03-user-menu.png"))

    desk.goto(f"{url}/desk/gov_services/application/add/")
    letter = desk.locator("input[name=agent_letter_no]")
    desk.select_option("select[name=applicant_type]", value="person")
    assert not letter.is_visible()  # depends_on: the custom field shows only for a company
    desk.select_option("select[name=applicant_type]", value="company")
    letter.wait_for(state="visible")
    desk.screenshot(path=str(shots / "desk-04-depends-on.png"), full_page=True)
    desk.select_option("select[name=applicant_type]", value="person")
    letter.wait_for(state="hidden")
    desk.goto(f"{url}/desk/gov_services/application/{application.pk}/change/")
    assert desk.locator(".workflow-panel [data-state]").inner_text().strip() == "已提交"
    desk.screenshot(path=str(shots / "desk-05-form-with-workflow.png"), full_page=True)
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.get_by_text("已办理。").wait_for()
    assert desk.locator(".workflow-panel [data-state]").inner_text().strip() == "已受理"
    desk.screenshot(path=str(shots / "desk-06-accepted.png"), full_page=True)
    desk_context.close()

    # The desk, as an administrator: the print format editor with its live preview frame, the standard print
    # view, and the other desk pages of our own.
    admin_context = watch.context(browser, viewport={"width": 1400, "height": 1000})
    editor = admin_context.new_page()
    desk_login(editor, url, "Administrator", PASSWORD)
    editor.goto(f"{url}/desk/lowcode_printing/printformat/{print_format.pk}/change/")
    frame = editor.frame_locator("iframe[name=preview-frame]")
    frame.get_by_text(application.number).first.wait_for()  # the preview, framed by its own desk
    editor.locator("textarea[name=template]").fill("<h1>试改的标题</h1>\n<p>{{ doc.applicant_name }}</p>")
    frame.get_by_text("试改的标题").wait_for()  # the nonce'd script follows the typing
    editor.screenshot(path=str(shots / "desk-07-print-format-editor.png"), full_page=True)
    editor.locator("iframe[name=preview-frame]").screenshot(path=str(shots / "desk-07-print-preview-frame.png"))
    editor.goto(f"{url}/desk/print/gov_services/department/{department.pk}/")
    header = editor.locator("th").first
    assert header.evaluate("th => getComputedStyle(th).backgroundColor") == "rgb(242, 242, 242)"  # nonce'd style
    editor.screenshot(path=str(shots / "desk-08-print-view.png"))
    for name, path in (
        ("supervision", "/desk/supervision/"),
        ("customize-form", "/desk/customize-form/?doctype=Application"),
        ("rq", "/desk/rq/queues/0/"),
    ):
        editor.goto(f"{url}{path}")
        editor.screenshot(path=str(shots / f"desk-09-{name}.png"))
    admin_context.close()

    # The portal, on a phone: home and its language menu, a guide, sign-up and log-in, a web form page by page
    # with uploads, the receipt, my applications, a web form whose field follows depends_on.
    phone = watch.context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{url}/")
    page.screenshot(path=str(shots / "portal-01-home.png"), full_page=True)
    page.select_option("#lang-select", value="en")  # switches at once, without an inline handler
    page.locator("html[lang=en]").wait_for(state="attached")
    page.select_option("#lang-select", value="zh-hans")
    page.locator("html[lang=zh-hans]").wait_for(state="attached")
    page.goto(f"{url}/guides/{matter.implementation_code}/")
    page.get_by_role("heading", name="申请材料").wait_for()
    page.screenshot(path=str(shots / "portal-02-guide.png"), full_page=True)
    page.goto(f"{url}/signup/")
    page.get_by_role("button", name="创建账户").wait_for()
    page.screenshot(path=str(shots / "portal-03-signup.png"), full_page=True)
    page.goto(f"{url}/login/")
    page.fill("#id_username", account.id_number)
    page.fill("#id_password", PASSWORD)
    page.screenshot(path=str(shots / "portal-04-login.png"), full_page=True)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/")

    page.goto(f"{url}/guides/{matter.implementation_code}/")
    page.get_by_role("link", name="网上申请").first.click()
    assert page.locator("#id_applicant_name").input_value() == "李四"
    page.get_by_label("结果领取方式").wait_for(state="hidden")  # steps.js (deferred) shows one page at a time
    assert page.get_by_label("手机号码").first.is_visible() or page.locator("#id_phone").is_visible()
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("结果领取方式").select_option(label="窗口自取")
    page.get_by_role("button", name="下一步").click()
    uploads = page.locator("input[type=file]")
    for i in range(uploads.count()):
        uploads.nth(i).set_input_files(files[i])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("heading", name="核对并提交").wait_for()
    assert page.get_by_text("材料1.png").is_visible()
    page.screenshot(path=str(shots / "portal-05-apply-review.png"), full_page=True)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/receipt")
    number = page.locator("[data-number]").inner_text()
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.locator("button[data-print]").click()  # wired by portal.js, not by onclick
    assert page.locator("body").get_attribute("data-printed") == "yes"
    page.screenshot(path=str(shots / "portal-06-receipt.png"), full_page=True)
    page.goto(f"{url}/my/")
    page.get_by_role("link", name=number).first.click()
    page.locator("[data-state]").wait_for()
    page.screenshot(path=str(shots / "portal-07-my-application.png"), full_page=True)

    page.goto(f"{url}/consult/new")
    window = page.locator("input[name=window_no]")
    page.select_option("select[name=order_type]", value="consultation")
    assert not window.is_visible()
    page.select_option("select[name=order_type]", value="complaint")
    window.wait_for(state="visible")  # depends_on in the web form
    page.fill("input[name=subject]", "窗口服务")
    page.fill("textarea[name=content]", "三号窗口午休提前。")
    window.fill("3")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/receipt")
    page.screenshot(path=str(shots / "portal-08-work-order-receipt.png"), full_page=True)
    assert WorkOrder.objects.get().custom == {"window_no": 3}
    phone.close()

    assert watch.violations == [], watch.violations
    assert watch.console == [], watch.console
    assert watch.errors == [], watch.errors

    # The policies as the browser received them.
    desk_policy = directives(watch.policies[f"{url}/desk/gov_services/application/"])
    portal_policy = directives(watch.policies[f"{url}/consult/new"])
    assert desk_policy["script-src"][:2] == ["'self'", "'unsafe-eval'"]  # unfold's Alpine.js
    assert desk_policy["style-src"] == ["'self'", "'unsafe-inline'"]  # unfold's style attributes and blocks
    assert portal_policy["script-src"][0] == "'self'" and portal_policy["script-src"][1].startswith("'nonce-")
    assert len(portal_policy["script-src"]) == 2 and portal_policy["style-src"][0] == "'self'"
    assert not any("unsafe" in source for sources in portal_policy.values() for source in sources)
    for policy in (desk_policy, portal_policy):
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
    preview = directives(watch.policies[f"{url}/desk/printing/preview/"])
    assert preview["frame-ancestors"] == ["'self'"] and "sandbox" in preview
