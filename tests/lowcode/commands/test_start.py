"""The README start command, from a sites folder with nothing in it, seen through Debian's chromium."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from lowcode.commands.util import free_port
from tests.lowcode.commands.helpers import BENCH, LineReader, bench, bench_env, make_sites_dir

pytestmark = pytest.mark.browser


def test_start_serves_desk_and_portal_and_the_printed_login_works(
    backend: str, tmp_path: Path, browser, artifacts: Path
) -> None:
    sites = make_sites_dir(tmp_path)
    env = bench_env(sites)
    if backend == "mariadb":  # start an existing MariaDB site; on SQLite, start creates the default site
        made = bench("new-site", "gov.mariadb", "--db-type", "mariadb", "--db-name", f"gs_start_{os.getpid()}", env=env)
        assert made.returncode == 0, made.stderr
        assert bench("use", "gov.mariadb", env=env).returncode == 0

    port = free_port(8300)
    proc = subprocess.Popen(
        [BENCH, "start", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out = LineReader(proc)
        desk_url = re.search(r"http://\S+/desk/", out.wait_for("Desk:", 300)).group(0)
        login_line = out.wait_for("Administrator login:", 10)
        password = login_line.split("Administrator /", 1)[1].strip()
        assert desk_url == f"http://127.0.0.1:{port}/desk/"

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as portal:
            assert portal.status == 200
            assert "网上政务服务" in portal.read().decode()

        page = browser.new_page(locale="en-US")  # the browser asks for English; the desk answers in Chinese
        page.goto(desk_url)
        page.fill("input[name=username]", "Administrator")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(desk_url)
        assert page.title() == "工作台首页 | 政务服务工作台"
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.get_by_role("heading", name="工作台首页").is_visible()
        content = page.locator("#content")
        assert content.get_by_text("用户与系统").is_visible()
        assert content.get_by_role("link", name="角色", exact=True).is_visible()
        page.screenshot(path=str(artifacts / "desk-home.png"), full_page=True)
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
        if backend == "mariadb":
            bench("drop-site", "gov.mariadb", env=env)
    assert proc.returncode == 0
