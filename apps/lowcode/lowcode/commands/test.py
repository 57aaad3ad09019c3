"""`bench test`: lint, system checks, migrations check, then the whole suite on SQLite and on MariaDB.

Each backend gets a throw-away site in a temporary sites folder; pytest-django creates and drops the
test database. Redis is real. With --ci (CI=true), MariaDB and Redis must answer or the run fails;
without it, a missing Redis is started for the run, and a stopped MariaDB is started if installed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lowcode.commands.util import CommandError, build_translations, free_port, info, redis_answers
from lowcode.sites import BENCH_ROOT, sites_path

BACKENDS = ("sqlite", "mariadb")
LINT_PATHS = ("apps", "tests", "benchmarks", "tools")


def _mariadb_config() -> dict[str, Any]:
    return {
        "db_host": os.environ.get("BENCH_TEST_DB_HOST", "127.0.0.1"),
        "db_port": int(os.environ.get("BENCH_TEST_DB_PORT", "3306")),
        "db_user": os.environ.get("BENCH_TEST_DB_USER", "root"),
        "db_password": os.environ.get("BENCH_TEST_DB_PASSWORD", ""),
    }


def _mariadb_answers(config: dict[str, Any]) -> bool:
    from lowcode.commands.site import mariadb_connect

    try:
        mariadb_connect(config).close()
    except CommandError:
        return False
    return True


def _ensure_mariadb(config: dict[str, Any], ci: bool) -> None:
    if _mariadb_answers(config):
        return
    where = f"{config['db_host']}:{config['db_port']}"
    if ci or not Path("/usr/sbin/mariadbd").exists() or os.geteuid() != 0:
        raise CommandError(f"MariaDB does not answer at {where} (user {config['db_user']}); the suite needs it")
    info(f"MariaDB does not answer at {where}: starting it")
    subprocess.run(
        ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"], check=False
    )
    for _ in range(60):
        if _mariadb_answers(config):
            return
        time.sleep(0.5)
    raise CommandError(f"MariaDB did not come up at {where}")


def _ensure_redis(url: str, ci: bool, children: list[subprocess.Popen]) -> str:
    if redis_answers(url):
        return url
    if ci or not shutil.which("redis-server"):
        raise CommandError(f"Redis does not answer at {url}; the suite needs a real Redis")
    port = free_port(6390)
    info(f"Redis does not answer at {url}: starting redis-server on port {port} for this run")
    children.append(
        subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if redis_answers(url):
            return url
        time.sleep(0.1)
    raise CommandError("redis-server did not start")


def _write_sites(root: Path, redis_url: str, db: dict[str, Any]) -> dict[str, str]:
    """One throw-away site per backend; returns backend -> site name."""
    shutil.copy(sites_path() / "apps.txt", root / "apps.txt")
    (root / "common_site_config.json").write_text(json.dumps({"redis_url": redis_url}), encoding="utf-8")
    tag = f"t{os.getpid()}"
    names = {}
    for backend in BACKENDS:
        name = f"{tag}-{backend}"
        config: dict[str, Any] = {"db_type": backend, "secret_key": secrets.token_urlsafe(50)}
        if backend == "mariadb":
            config.update(db, db_name=f"gs_{tag}", test_db_name=f"test_gs_{tag}")
        (root / name).mkdir()
        (root / name / "site_config.json").write_text(json.dumps(config), encoding="utf-8")
        names[backend] = name
    return names


def _run(step: str, args: list[str], env: dict[str, str], results: list[tuple[str, int, float]]) -> int:
    info(f"— {step}: {' '.join(args)}")
    started = time.monotonic()
    rc = subprocess.run(args, env=env, cwd=BENCH_ROOT, check=False).returncode
    results.append((step, rc, time.monotonic() - started))
    return rc


def test(*, ci: bool, backends: list[str], pytest_args: list[str], lint: bool = True) -> int:
    children: list[subprocess.Popen] = []
    results: list[tuple[str, int, float]] = []
    db = _mariadb_config()
    redis_url = os.environ.get("BENCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    tmp = Path(tempfile.mkdtemp(prefix="bench-test-"))
    build_translations()
    try:
        redis_url = _ensure_redis(redis_url, ci, children)
        if "mariadb" in backends:
            _ensure_mariadb(db, ci)
            from lowcode.commands.site import ensure_mariadb_time_zones

            ensure_mariadb_time_zones(db)
        names = _write_sites(tmp, redis_url, db)
        py = sys.executable
        env = {
            **os.environ,
            "LOWCODE_SITES_PATH": str(tmp),
            "DJANGO_SETTINGS_MODULE": "lowcode.settings",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",  # Playwright's sync API runs an event loop in the test thread
            "BENCH_TEST_REDIS_URL": redis_url,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        if lint:
            _run("ruff", [py, "-m", "ruff", "check", *LINT_PATHS], env, results)
            _run("ruff format", [py, "-m", "ruff", "format", "--check", *LINT_PATHS], env, results)
            first = {**env, "LOWCODE_SITE": names[backends[0]]}
            manage = [py, "-m", "lowcode.commands", "manage"]
            _run("check", [*manage, "check", "--fail-level", "WARNING"], first, results)
            _run("makemigrations --check", [*manage, "makemigrations", "--check", "--dry-run"], first, results)
        for backend in backends:
            site_env = {**env, "LOWCODE_SITE": names[backend], "BENCH_TEST_BACKEND": backend}
            rc = _run(
                f"pytest on {backend}",
                [py, "-m", "pytest", "-p", "no:cacheprovider", *(pytest_args or ["tests"])],
                site_env,
                results,
            )
            if rc == 5:
                info(f"pytest on {backend} collected no tests: that is a failure")
    finally:
        for p in children:
            p.terminate()
            p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nbench test summary:", flush=True)
    for step, rc, seconds in results:
        print(f"  {'ok  ' if rc == 0 else 'FAIL'} {step} ({seconds:.0f} s)", flush=True)
    return 0 if results and all(rc == 0 for _, rc, _ in results) else 1
