"""Process commands: serve (gunicorn), worker (rq), scheduler (rq cron), start (all of them), console."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from lowcode.commands.util import CommandError, free_port, info, redis_answers, setup_django
from lowcode.sites import current_site_name, get_site, installed_apps, list_sites

DEFAULT_SITE = "gov.localhost"


def serve(site: str, port: int, host: str = "127.0.0.1", workers: int = 2) -> None:
    os.environ["LOWCODE_SITE"] = site
    os.environ["DJANGO_SETTINGS_MODULE"] = "lowcode.settings"
    from lowcode.commands.util import build_translations

    build_translations()
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "lowcode.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
    ]
    os.execv(sys.executable, args)


def worker(site: str, *, burst: bool = False, queues: list[str] | None = None) -> None:
    setup_django(site)
    from rq import Worker

    from lowcode.scheduler.queues import QUEUES, get_queue, redis_connection

    names = queues or list(QUEUES)
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise CommandError(f"unknown queue(s) {sorted(unknown)}; choose from {QUEUES}")
    w = Worker([get_queue(q) for q in names], connection=redis_connection())
    w.work(burst=burst, with_scheduler=False, logging_level="INFO")


def scheduler(site: str) -> None:
    setup_django(site)
    from lowcode.scheduler.cron import build_scheduler

    build_scheduler().start()


def console(site: str) -> None:
    setup_django(site)
    from django.core.management import call_command

    call_command("shell")


def manage(site: str, argv: list[str]) -> None:
    setup_django(site)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bench manage", *argv])


def _wait_for_port(port: int, timeout: float, procs: list[subprocess.Popen]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.3)
    return False


def start(site_name: str | None, port: int | None) -> int:
    """Set up (a default site if none), then run web, worker, scheduler and if needed Redis; Ctrl-C stops all."""
    from lowcode.commands import site as site_commands

    name = site_name or current_site_name()
    if name is None:
        existing = list_sites()
        name = existing[0] if existing else DEFAULT_SITE
        created = not existing
        if created:
            info(f"no site yet: creating {name!r} (SQLite) with demo data")
            site_commands.new_site(name, db_type="sqlite")
        site_commands.use(name)
    else:
        created = False
    setup_django(name)
    site_commands.migrate(quiet=True)
    if created:
        site_commands.load_demo()
    site = get_site(name)

    children: list[subprocess.Popen] = []
    env = {**os.environ, "LOWCODE_SITE": name, "PYTHONUNBUFFERED": "1"}

    def spawn(args: list[str]) -> subprocess.Popen:
        p = subprocess.Popen(args, env=env, start_new_session=True)
        children.append(p)
        return p

    if not redis_answers(site.redis_url):
        url = urlparse(site.redis_url)
        if url.hostname not in ("127.0.0.1", "localhost"):
            raise CommandError(f"Redis at {site.redis_url} does not answer")
        info(f"no Redis answers at {site.redis_url}: starting redis-server on port {url.port or 6379}")
        spawn(
            ["redis-server", "--port", str(url.port or 6379), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        )
        for _ in range(50):
            if redis_answers(site.redis_url):
                break
            time.sleep(0.1)
        else:
            raise CommandError("redis-server did not start")

    port = free_port(port or int(site.config.get("webserver_port", 8000)))
    me = [sys.executable, "-m", "lowcode.commands", "--site", name]
    web = spawn([*me, "serve", "--port", str(port)])
    spawn([*me, "worker"])
    spawn([*me, "scheduler"])

    def stop_all(*_: object) -> None:
        for p in children:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for p in children:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    # Explicitly: a process started in the background inherits SIGINT ignored, and Ctrl-C must still stop all.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not _wait_for_port(port, 60, [web]):
            raise CommandError("the web server did not come up; see the messages above")
        base = f"http://127.0.0.1:{port}"
        print(
            f"\n  Site {name} is running ({site.db_type}; apps: {', '.join(installed_apps())}).\n"
            f"  Desk:    {base}/desk/\n"
            f"  Portal:  {base}/\n"
            f"  Administrator login: Administrator / {site.config.get('admin_password')}\n",
            flush=True,
        )
        for line in _extra_logins():
            print(f"  {line}", flush=True)
        print("  Press Ctrl-C to stop.\n", flush=True)
        while True:
            for p in children:
                if p.poll() is not None:
                    raise CommandError(f"a process stopped unexpectedly ({' '.join(p.args[-2:])}, exit {p.returncode})")
            time.sleep(1)
    except KeyboardInterrupt:
        info("stopping")
        return 0
    finally:
        stop_all()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run_hooks(name: str) -> list[object]:
    """Call every function an app names in the `name` hook (e.g. after_start_setup loads demo data)."""
    from django.utils.module_loading import import_string

    from lowcode.core.hooks import get_hooks

    return [import_string(path)() for path in get_hooks(name, []) or []]


def _extra_logins() -> list[str]:
    """Lines from apps' `start_logins` hook (e.g. demo users and their passwords)."""
    return [line for lines in _run_hooks("start_logins") for line in lines]  # type: ignore[attr-defined]
