"""Job functions that tests enqueue; a worker subprocess imports them from here."""

from django.conf import settings
from redis import Redis


def count_run() -> None:
    Redis.from_url(settings.REDIS_URL).incr(f"{settings.SITE_NAME}:test:count_run")


def fail() -> None:
    raise RuntimeError("this scheduled method fails on purpose")
