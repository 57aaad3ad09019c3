"""`bench scheduler`: scheduler_events from every app's hooks.py, registered with rq's cron scheduler.

    scheduler_events = {
        "all": [...],                      # every minute (the scheduler's tick)
        "hourly": [...], "daily": [...], "weekly": [...], "monthly": [...],
        "cron": {"*/5 * * * *": [...]},    # cron strings, in the site's time zone
    }

Only one scheduler per site enqueues at a time: each enqueuing pass first takes (or renews) a short
lease in Redis, so a second `bench scheduler` started by mistake, or on a second machine, stays idle
until the first one stops.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from django.conf import settings
from redis import Redis
from rq.cron import CronJob, CronScheduler

from lowcode.core.hooks import get_hooks
from lowcode.scheduler.jobs import run_scheduled_method
from lowcode.sites import get_site

EVENT_CRON = {
    "all": "* * * * *",
    "hourly": "0 * * * *",
    "daily": "0 0 * * *",
    "weekly": "0 0 * * 1",
    "monthly": "0 0 1 * *",
}
LEASE_SECONDS = 90


def scheduled_entries() -> list[tuple[str, str, str]]:
    """(event, cron string, method) for every scheduler_events entry of the installed apps."""
    entries: list[tuple[str, str, str]] = []
    for event, value in (get_hooks("scheduler_events", {}) or {}).items():
        if event == "cron":
            for cron, methods in value.items():
                entries.extend((cron, cron, m) for m in methods)
        else:
            entries.extend((event, EVENT_CRON[event], m) for m in value)
    return entries


class SiteCronScheduler(CronScheduler):
    def __init__(self, connection: Redis, site_name: str, **kwargs: object) -> None:
        super().__init__(connection, **kwargs)  # type: ignore[arg-type]
        self.lease_key = f"{site_name}:scheduler:lease"

    def holds_lease(self) -> bool:
        """Take the site's lease if free, renew it if ours; False if another scheduler holds it."""
        if self.connection.set(self.lease_key, self.name, nx=True, ex=LEASE_SECONDS):
            return True
        owner = self.connection.get(self.lease_key)
        if owner is not None and owner.decode() == self.name:
            self.connection.expire(self.lease_key, LEASE_SECONDS)
            return True
        return False

    def enqueue_jobs(self) -> list[CronJob]:
        if not self.holds_lease():
            return []
        return super().enqueue_jobs()

    def release_lease(self) -> None:
        owner = self.connection.get(self.lease_key)
        if owner is not None and owner.decode() == self.name:
            self.connection.delete(self.lease_key)

    def register_death(self, pipeline: object = None) -> None:
        super().register_death(pipeline)  # type: ignore[arg-type]
        self.release_lease()


def build_scheduler(connection: Redis | None = None) -> SiteCronScheduler:
    # Cron strings are read in the process's local time; make that the site's time zone.
    os.environ["TZ"] = settings.TIME_ZONE
    time.tzset()
    site = get_site(settings.SITE_NAME)
    connection = connection or Redis.from_url(settings.REDIS_URL)
    scheduler = SiteCronScheduler(
        connection, site.name, name=f"{site.name}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )
    for event, cron, method in scheduled_entries():
        scheduler.register(
            run_scheduled_method,
            queue_name=site.queue_name("default" if event != "all" else "short"),
            args=(method, event),
            cron=cron,
            name=f"{site.name}:{event}:{method}",
        )
    return scheduler
