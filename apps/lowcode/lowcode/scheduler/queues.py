"""Background jobs on the site's rq queues (names prefixed with the site; see lowcode.sites.Site)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from redis import Redis
from rq import Queue

from lowcode.sites import get_site

QUEUES = ("short", "default", "long")


@cache
def redis_connection() -> Redis:
    return Redis.from_url(settings.REDIS_URL)


def queue_names() -> list[str]:
    site = get_site(settings.SITE_NAME)
    return [site.queue_name(q) for q in QUEUES]


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; one of {QUEUES}")
    return Queue(get_site(settings.SITE_NAME).queue_name(name), connection=redis_connection())


def enqueue(method: str, *args: Any, queue: str = "default", job_id: str | None = None, **kwargs: Any) -> None:
    """Enqueue `method` (a dotted path) once the current transaction commits, never inside it."""

    def _send() -> None:
        get_queue(queue).enqueue(method, args=args, kwargs=kwargs, job_id=job_id)

    transaction.on_commit(_send)
