"""scheduler_events from hooks.py, through real Redis and a real rq worker process."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from redis import Redis
from rq import Queue

from lowcode.core.hooks import override_hooks
from lowcode.core.models import ScheduledJobLog
from lowcode.scheduler.cron import build_scheduler
from lowcode.sites import get_site
from tests.conftest import run_bench

pytestmark = pytest.mark.django_db(transaction=True)

COUNT_RUN = "tests.support.jobs.count_run"
FAIL = "tests.support.jobs.fail"


@pytest.fixture()
def clean_queues(redis: Redis, settings) -> Redis:
    site = get_site(settings.SITE_NAME)
    for q in ("short", "default", "long"):
        Queue(site.queue_name(q), connection=redis).empty()
    redis.delete(f"{site.name}:test:count_run", f"{site.name}:scheduler:lease")
    return redis


def _jobs_by_method(scheduler) -> dict[str, object]:
    return {job.args[0]: job for job in scheduler.get_jobs()}


def test_all_event_runs_once_through_redis_and_a_real_worker(clean_queues: Redis, settings) -> None:
    with override_hooks(scheduler_events={"all": [COUNT_RUN], "cron": {"*/5 * * * *": [FAIL]}}):
        scheduler = build_scheduler(clean_queues)
    jobs = _jobs_by_method(scheduler)
    every_minute, every_five = jobs[COUNT_RUN], jobs[FAIL]
    assert every_minute.cron == "* * * * *"
    assert every_five.cron == "*/5 * * * *"
    # Cron strings are read in the site's time zone: the next "*/5" is on a five-minute mark in Shanghai.
    shanghai = every_five.next_enqueue_time.astimezone(ZoneInfo("Asia/Shanghai"))
    assert shanghai.minute % 5 == 0 and shanghai.second == 0

    # The minute comes for the "all" job (the "*/5" one stays in the future).
    every_minute.next_enqueue_time = timezone.now() - timedelta(seconds=1)
    every_five.next_enqueue_time = timezone.now() + timedelta(minutes=5)
    enqueued = scheduler.enqueue_jobs()
    assert [job.args[0] for job in enqueued] == [COUNT_RUN]
    assert scheduler.enqueue_jobs() == []  # not due again until the next minute

    result = run_bench("--site", settings.SITE_NAME, "worker", "--burst")
    assert result.returncode == 0, result.stderr

    assert int(clean_queues.get(f"{settings.SITE_NAME}:test:count_run")) == 1
    log = ScheduledJobLog.objects.get()
    assert (log.method, log.event, log.status, log.error) == (COUNT_RUN, "all", "complete", "")
    assert log.ended_at >= log.started_at


def test_a_failing_method_is_logged_with_its_traceback(clean_queues: Redis, settings) -> None:
    with override_hooks(scheduler_events={"daily": [FAIL]}):
        scheduler = build_scheduler(clean_queues)
    job = _jobs_by_method(scheduler)[FAIL]
    assert job.cron == "0 0 * * *"
    job.next_enqueue_time = timezone.now() - timedelta(seconds=1)
    assert len(scheduler.enqueue_jobs()) == 1

    result = run_bench("--site", settings.SITE_NAME, "worker", "--burst")
    assert result.returncode == 0, result.stderr

    log = ScheduledJobLog.objects.get()
    assert (log.method, log.event, log.status) == (FAIL, "daily", "failed")
    assert "this scheduled method fails on purpose" in log.error


def test_a_second_scheduler_for_the_same_site_stays_idle(clean_queues: Redis, settings) -> None:
    with override_hooks(scheduler_events={"all": [COUNT_RUN]}):
        first, second = build_scheduler(clean_queues), build_scheduler(clean_queues)
    for scheduler in (first, second):
        _jobs_by_method(scheduler)[COUNT_RUN].next_enqueue_time = timezone.now() - timedelta(seconds=1)

    assert len(first.enqueue_jobs()) == 1
    assert second.enqueue_jobs() == []
    queue = Queue(get_site(settings.SITE_NAME).queue_name("short"), connection=clean_queues)
    assert queue.count == 1

    first.release_lease()  # as when it stops: the other scheduler takes over
    assert len(second.enqueue_jobs()) == 1
