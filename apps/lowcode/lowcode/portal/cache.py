"""The parts of portal pages that are the same for everyone, cached as rendered HTML in the site's cache (Redis).

What is cached is never a response: it is the part of a page a view renders *without the request* — no
visitor, no session, no CSRF token, no CSP nonce can reach it, since the template it comes from is rendered
with none of them in its context. The view then renders the page's shell (the header with the visitor's name,
the forms with their CSRF token, messages, the nonce of this response) around it, for each response.

    public = portal_cache.cached("guide", code, render=lambda: {"title": ..., "body": render_to_string(...)})

An entry's key is made of the language, this process's code stamp, the page's name and what the page varies
on; its value carries the portal version it was rendered at. The version is one counter in the cache, bumped by
`invalidate()` whenever something a cached page shows changes: apps hook `changed` to the doc_events of the
DocTypes their pages show (gov_services' hooks.py), both inside the writing transaction and after its commit.
A page reads the counter and its entry in one round trip (MGET) and uses the entry only if it carries the
current version, else renders and stores it again. The version is read before the page's data, so a render that
raced a write carries the version that write's after-commit bump leaves behind, and is never served. TIMEOUT
bounds how long a change made around the write path (SQL, a restored backup) stays unseen.

The code stamp (templates and compiled translations of this process) keeps a process from serving what another
release rendered, during a rolling restart and after a deploy.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache as site_cache
from django.template import engines
from django.utils import translation
from redis.exceptions import RedisError

T = TypeVar("T")
logger = logging.getLogger(__name__)

VERSION_KEY = "portal:version"
TIMEOUT = 600  # seconds a cached part lives, whatever happens


def version() -> int:
    """The current portal version; started from the clock, so that a counter lost from the cache (evicted,
    Redis restarted) never comes back as a number whose entries could still be there."""
    current = site_cache.get(VERSION_KEY)
    if current is None:
        started = time.time_ns() // 1000
        site_cache.add(VERSION_KEY, started, timeout=None)
        current = site_cache.get(VERSION_KEY, started)
    return int(current)


def invalidate() -> None:
    """Every cached portal part is out of date from now on."""
    try:
        site_cache.incr(VERSION_KEY)
    except ValueError:  # no counter yet: any new one is past every entry
        version()


def changed(doc: Any, event: str) -> None:
    """doc_events handler: something a cached portal page shows was written (`doc`, `event` unused).

    A cache that does not answer does not stop the write: the pages it holds are not being served either, and
    whatever it kept expires within TIMEOUT."""
    try:
        invalidate()
    except RedisError:
        logger.warning("portal cache not renewed after %s of %s %s", event, type(doc).__name__, doc.pk, exc_info=True)


@cache
def code_stamp() -> str:
    """The templates and compiled translations this process renders with, as a short hash (once per process)."""
    digest = hashlib.sha256()
    folders = [*engines["django"].template_dirs, *(Path(p) for p in settings.LOCALE_PATHS)]
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".txt", ".mo") and path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:12]


def key(name: str, *vary: str) -> str:
    """The cache key of a page part: language, code stamp, name and what it varies on."""
    varies = hashlib.sha256("\x1f".join(vary).encode()).hexdigest()[:24] if vary else "-"
    return f"portal:{translation.get_language()}:{code_stamp()}:{name}:{varies}"


def cached(name: str, *vary: str, render: Callable[[], T]) -> T:
    """The cached part `name` for `vary` in the active language, rendered by `render()` when missing or older
    than the current version.

    `render` must not see the request (render templates with `render_to_string(name, context)`, no request):
    what it returns is served to every visitor. An exception it raises (a 404) is not cached.
    """
    entry = key(name, *vary)
    found = site_cache.get_many([VERSION_KEY, entry])
    current = found.get(VERSION_KEY)
    if current is None:
        current = version()
    stored = found.get(entry)
    if stored is not None and stored[0] == current:
        return stored[1]  # type: ignore[no-any-return]
    value = render()
    site_cache.set(entry, (current, value), TIMEOUT)
    return value
