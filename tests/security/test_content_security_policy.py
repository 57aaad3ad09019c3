"""Every desk and portal page sends a Content-Security-Policy: scripts only from the site or carrying this
request's nonce, no inline event handlers; the print preview may be framed by its own desk only; views with
their own policy keep it; a site changes a directive in site_config.json."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from gov_services.models import Application, Department
from lowcode.core.csp import site_policies
from lowcode.printing.models import PrintFormat
from lowcode.sites import BENCH_ROOT, SiteError
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.gov_services.portal_support import apply_data, citizen, client_for, online_matter

PORTAL = (
    "default-src 'self'; script-src 'self' 'nonce-{n}'; style-src 'self' 'nonce-{n}'; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DESK = (
    "default-src 'self'; script-src 'self' 'unsafe-eval' {rq} 'nonce-{n}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=[^>]*>", re.I)


def nonce_of(response) -> str:
    found = re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert len(set(found)) == 1, response["Content-Security-Policy"]
    return found[0]


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def inline_code_problems(html: str, nonce: str, *, styles: bool) -> list[str]:
    """Inline code the policy would block: a script block without this nonce, an inline event handler, a
    javascript: URL; with `styles`, a style block without the nonce or a style attribute. JSON data blocks are
    not run and need none."""
    problems = []
    for tag, attrs, _body in INLINE_BLOCK.findall(html):
        if tag.lower() == "script" and ("src=" in attrs or 'type="application/json"' in attrs):
            continue
        if tag.lower() == "style" and not styles:
            continue
        if f'nonce="{nonce}"' not in attrs:
            problems.append(f"<{tag}{attrs}> without the nonce")
    problems += INLINE_HANDLER.findall(html)
    if styles:
        problems += INLINE_STYLE.findall(html)
    problems += re.findall(r"javascript:[^\"' ]*", html)
    return problems


@pytest.fixture()
def world(db, django_user_model):
    departments, _ = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    admin = django_user_model.objects.create_superuser("Administrator", password=PASSWORD)
    account = citizen("11010519491231002", "李四", "13800000001", clerk=clerk)
    application = make_application(online_matter(), user=clerk)
    desk = Client()
    assert desk.login(username=admin.username, password=PASSWORD)
    return {"clerk": clerk, "account": account, "application": application, "desk": desk}


def test_every_portal_page_sends_the_portal_policy_and_runs_no_code_without_the_nonce(world) -> None:
    matter = online_matter()
    anonymous = Client()
    guide = f"/guides/{matter.implementation_code}/"
    pages = [(anonymous, url) for url in ("/", "/guides/", guide, "/login/", "/signup/")]
    pages.append((anonymous, "/progress/"))
    citizen_client = client_for(world["account"])
    apply_url = f"/apply/new?matter={matter.implementation_code}"
    form = citizen_client.get(apply_url)
    submitted = citizen_client.post(apply_url, apply_data(form.content.decode()))
    assert submitted.status_code == 302
    number = Application.objects.get(applicant_user=world["account"].user).number
    for url in (apply_url, "/my/", submitted["Location"], f"/my/applications/{number}/", "/api/docs", "/consult/new"):
        pages.append((citizen_client, url))

    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        nonce = nonce_of(response)
        assert response["Content-Security-Policy"] == PORTAL.format(n=nonce), url
        assert inline_code_problems(response.content.decode(), nonce, styles=True) == [], url

    docs = citizen_client.get("/api/docs")
    assert f'<style nonce="{nonce_of(docs)}">' in docs.content.decode()  # its inline style runs


def test_every_desk_page_sends_the_desk_policy_and_the_inline_scripts_carry_the_nonce(world, redis) -> None:
    desk = world["desk"]
    application = world["application"]
    print_format = PrintFormat.objects.get(name="受理承诺单")
    department = Department.objects.order_by("pk").first()
    rq_url = reverse("django_rq:jobs", args=[0])
    rq_page = desk.get(rq_url)  # django-rq's dashboard, whose one fixed inline script the policy allows by hash
    assert rq_page.status_code == 200
    rq_scripts = [
        body
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", rq_page.content.decode(), re.S)
        if "src=" not in attrs
    ]
    assert len(rq_scripts) == 1
    rq = sha256_source(rq_scripts[0])
    pages = [
        "/desk/",
        "/desk/gov_services/application/",
        f"/desk/gov_services/application/{application.pk}/change/",
        "/desk/gov_services/application/add/",
        f"/desk/lowcode_printing/printformat/{print_format.pk}/change/",
        reverse("desk_print", args=["gov_services", "department", department.pk]),
        rq_url,
    ]
    for url in pages:
        response = desk.get(url)
        assert response.status_code == 200, url
        nonce = nonce_of(response)
        assert response["Content-Security-Policy"] == DESK.format(n=nonce, rq=rq), url
        assert response["X-Frame-Options"] == "DENY", url
        if url != rq_url:
            assert inline_code_problems(response.content.decode(), nonce, styles=False) == [], url
    login = Client().get("/desk/login/")
    assert login["Content-Security-Policy"] == DESK.format(n=nonce_of(login), rq=rq)

    editor = [desk.get(f"/desk/lowcode_printing/printformat/{print_format.pk}/change/") for _ in range(2)]
    nonces = [nonce_of(page) for page in editor]
    assert nonces[0] != nonces[1]  # a fresh nonce per request
    for page, nonce in zip(editor, nonces, strict=True):
        assert len(nonce) >= 22  # at least 128 random bits
        assert page.content.decode().count(f'<script nonce="{nonce}">') == 1  # the live-preview script
    printed = desk.get(reverse("desk_print", args=["gov_services", "department", department.pk]))
    assert f'<style nonce="{nonce_of(printed)}">' in printed.content.decode()

    preview = desk.post(
        reverse("desk_print_preview"),
        {"doctype": "Application", "template": "<h1>{{ doc.number }}</h1>", "record": str(application.pk)},
    )
    assert preview.status_code == 200 and application.number in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"  # the print preview is framed by the editor, its own desk
    assert preview["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )


def test_public_files_and_json_keep_what_they_had(db, django_user_model) -> None:
    folder = Path(settings.MEDIA_ROOT) / "csp-test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    try:
        served = Client().get("/files/csp-test/page.html")
        assert served.status_code == 200
        assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    finally:
        shutil.rmtree(folder)
    django_user_model.objects.create_superuser("Administrator", password=PASSWORD)
    desk = Client()
    assert desk.login(username="Administrator", password=PASSWORD)
    api = desk.get("/api/resource/Department")
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in api


def test_a_site_changes_directives_for_both_areas_or_for_one(db) -> None:
    policies = site_policies(
        {
            "img-src": ["'self'", "data:", "https://maps.example.org"],
            "desk": {"script-src": "'self'"},
            "portal": {"frame-ancestors": None, "upgrade-insecure-requests": []},
        }
    )
    with override_settings(CONTENT_SECURITY_POLICY=policies):
        portal = Client().get("/login/")
        desk = Client().get("/desk/login/")
    n = nonce_of(portal)
    assert portal["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{n}'; style-src 'self' 'nonce-{n}'; "
        "img-src 'self' data: https://maps.example.org; font-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; upgrade-insecure-requests"
    )
    directives = dict(part.split(" ", 1) for part in desk["Content-Security-Policy"].split("; "))
    assert directives["img-src"] == "'self' data: https://maps.example.org"
    assert re.fullmatch(r"'self' 'sha256-[^']+' 'nonce-[^']+'", directives["script-src"])  # no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "config",
    [
        ["default-src 'self'"],
        {"desk": "script-src 'self'"},
        {"Script Src": ["'self'"]},
        {"img-src": "'self'; script-src *"},
        {"img-src": ["'self'", 3]},
    ],
)
def test_a_malformed_policy_in_site_config_is_refused(config) -> None:
    with pytest.raises(SiteError, match="content_security_policy"):
        site_policies(config)


def test_site_config_json_reaches_the_header(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    (sites / "csp.example.cn").mkdir(parents=True)
    shutil.copy(BENCH_ROOT / "sites" / "apps.txt", sites / "apps.txt")
    (sites / "common_site_config.json").write_text("{}", encoding="utf-8")
    config = {
        "db_type": "sqlite",
        "secret_key": secrets.token_urlsafe(50),
        "content_security_policy": {"portal": {"script-src": ["'self'", "https://cdn.example.org"]}},
    }
    (sites / "csp.example.cn" / "site_config.json").write_text(json.dumps(config), encoding="utf-8")
    skip = ("LOWCODE_SITE", "LOWCODE_DB_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["LOWCODE_SITES_PATH"] = str(sites)
    code = (
        "from django.http import HttpResponse; from django.test import RequestFactory; "
        "from lowcode.core.csp import ContentSecurityPolicyMiddleware as M; "
        "print(M(lambda r: HttpResponse('<p>'))(RequestFactory().get('/guides/'))['Content-Security-Policy'])"
    )
    done = subprocess.run(
        [sys.executable, "-m", "lowcode.commands", "--site", "csp.example.cn", "manage", "shell", "-c", code],
        env=env,
        cwd=BENCH_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"; script-src 'self' https://cdn\.example\.org 'nonce-[\w-]+'; ", done.stdout), done.stdout
