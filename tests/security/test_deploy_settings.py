"""A site configured for https passes Django's deployment checks; every page refuses to be framed."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from django.test import Client

from lowcode.sites import BENCH_ROOT

DEPLOY_CHECK = ["check", "--deploy", "--fail-level", "WARNING"]


def test_check_deploy_is_clean_for_an_https_site(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    (sites / "gov.example.cn").mkdir(parents=True)
    shutil.copy(BENCH_ROOT / "sites" / "apps.txt", sites / "apps.txt")
    (sites / "common_site_config.json").write_text("{}", encoding="utf-8")
    config = {
        "db_type": "sqlite",
        "secret_key": secrets.token_urlsafe(50),
        "https": True,
        "host_name": "https://gov.example.cn",
        "allowed_hosts": ["gov.example.cn"],
    }
    (sites / "gov.example.cn" / "site_config.json").write_text(json.dumps(config), encoding="utf-8")
    # as a deployment runs: no test-only settings from this run's environment
    skip = ("LOWCODE_SITE", "LOWCODE_DB_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["LOWCODE_SITES_PATH"] = str(sites)
    done = subprocess.run(
        [sys.executable, "-m", "lowcode.commands", "--site", "gov.example.cn", "manage", *DEPLOY_CHECK],
        env=env,
        cwd=BENCH_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_pages_are_not_framed(db) -> None:
    assert Client().get("/").headers["X-Frame-Options"] == "DENY"
    assert Client().get("/desk/login/").headers["X-Frame-Options"] == "DENY"
