"""Helpers shared by the bench commands: output, Django set-up for one site, translations, ports."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from lowcode.sites import BENCH_ROOT, installed_apps


class CommandError(Exception):
    """Ends a bench command with a message and exit code 1 (no traceback: the message says it all)."""


def info(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def setup_django(site: str) -> None:
    """Make this process serve `site` and set Django up. Can happen once per process."""
    os.environ["LOWCODE_SITE"] = site
    os.environ["DJANGO_SETTINGS_MODULE"] = "lowcode.settings"
    build_translations()
    import django

    django.setup()


def locale_dirs() -> list[Path]:
    dirs = [BENCH_ROOT / "apps" / "lowcode" / "lowcode" / "locale"]
    dirs += [BENCH_ROOT / "apps" / app / "locale" for app in installed_apps() if app != "lowcode"]
    return [d for d in dirs if d.exists()]


def build_translations() -> None:
    """Compile every .po file whose .mo is missing or older (Babel, so no GNU gettext is needed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for folder in locale_dirs():
        for po in folder.glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as f:
                catalog = read_po(f)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            tmp.replace(mo)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(start: int, host: str = "127.0.0.1") -> int:
    for port in range(start, start + 100):
        if port_is_free(port, host):
            return port
    raise CommandError(f"no free port between {start} and {start + 99}")


def redis_answers(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=2).ping())
    except RedisError:
        return False
