"""The minute sweep through real rq workers: two at once, one killed half-way — every overdue clock ends
with exactly one red light and one supervision notice, and sweeping again changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from redis import Redis
from rq import Queue

from lowcode.core.models import NotificationLog, Role
from lowcode.deadlines.models import Deadline, DeadlinePolicy, SupervisionNotice, WorkingCalendar
from lowcode.deadlines.sweep import sweep
from lowcode.sites import BENCH_ROOT, get_site
from tests.conftest import subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)

OVERDUE, NEARLY, LATER = 1200, 300, 200


@pytest.fixture()
def clocks(settings, redis: Redis):
    for q in ("short", "default", "long"):
        Queue(get_site(settings.SITE_NAME).queue_name(q), connection=redis).empty()
    calendar = WorkingCalendar.objects.create(
        name="测试日历", weekdays=[0, 1, 2, 3, 4], windows=[["09:00", "12:00"], ["13:30", "17:30"]], is_default=True
    )
    policy = DeadlinePolicy.objects.create(
        name="test_limit",
        label_zh="测试时限",
        doctype="Role",
        start_states=["open"],
        rule="working_days",
        amount=3,
        on_red=[{"type": "supervise", "working_days": 3, "notify_roles": ["Supervisor"]}],
    )
    supervisors = [get_user_model().objects.create_user(f"sup{i}") for i in range(2)]
    Role.objects.create(name="Supervisor", label_zh="效能监察", label_en="Supervisor").user_set.set(supervisors)
    now = timezone.now()

    def clock(n: int, due, yellow) -> Deadline:
        return Deadline(
            policy=policy,
            calendar=calendar,
            doctype="Role",
            doc_id=n,
            doc_title=f"BJ{n:06d}",
            department_key=str(n % 7),
            department=f"部门{n % 7}",
            started_at=now - timedelta(days=10),
            due_at=due,
            yellow_at=yellow,
            next_check_at=min(due, yellow),
            total=timedelta(hours=21),
        )

    rows = [clock(n, now - timedelta(minutes=n % 50 + 1), now - timedelta(days=1)) for n in range(OVERDUE)]
    rows += [clock(OVERDUE + n, now + timedelta(days=1), now - timedelta(minutes=1)) for n in range(NEARLY)]
    rows += [clock(10_000 + n, now + timedelta(days=2), now + timedelta(days=1)) for n in range(LATER)]
    Deadline.objects.bulk_create(rows)
    return {"policy": policy, "supervisors": supervisors}


def _worker(settings) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lowcode.commands", "--site", settings.SITE_NAME, "worker", "--burst"],
        env=subprocess_env(LOWCODE_SWEEP_BATCH="20"),
        cwd=BENCH_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes the work horse too
    )


def test_two_workers_one_killed_half_way_every_overdue_clock_gets_exactly_one_red_light(
    clocks, settings, redis: Redis
) -> None:
    queue = Queue(get_site(settings.SITE_NAME).queue_name("default"), connection=redis)
    for _ in range(2):  # two minutes' runs of the sweep, as the scheduler enqueues them
        queue.enqueue("lowcode.scheduler.jobs.run_scheduled_method", args=("lowcode.deadlines.sweep.run", "all"))
    killed, survivor = _worker(settings), _worker(settings)
    try:
        deadline = time.monotonic() + 120
        while SupervisionNotice.objects.count() < 100:
            assert time.monotonic() < deadline, "the workers made no progress"
            assert killed.poll() is None, "the first worker finished before it could be killed"
            time.sleep(0.05)
        at_kill = SupervisionNotice.objects.count()
        os.killpg(killed.pid, signal.SIGKILL)
        assert killed.wait(timeout=30) == -signal.SIGKILL
        assert at_kill < OVERDUE  # it was killed half-way, with work left
        assert survivor.wait(timeout=180) == 0, survivor.stderr.read().decode()[-2000:]
    finally:
        for process in (killed, survivor):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    # The killed worker's batch was rolled back; the next minute's sweep takes whatever is left.
    for _ in range(50):
        if not Deadline.objects.filter(status="running", next_check_at__lte=timezone.now()).exists():
            break
        sweep()
        time.sleep(0.1)

    overdue = Deadline.objects.filter(doc_id__lt=OVERDUE)
    assert overdue.count() == OVERDUE
    assert set(overdue.values_list("light", flat=True)) == {Deadline.Light.RED}
    assert SupervisionNotice.objects.count() == OVERDUE
    assert set(SupervisionNotice.objects.values_list("deadline__doc_id", flat=True)) == set(range(OVERDUE))
    assert len(set(SupervisionNotice.objects.values_list("number", flat=True))) == OVERDUE
    assert NotificationLog.objects.count() == OVERDUE * len(clocks["supervisors"])
    nearly = Deadline.objects.filter(doc_id__gte=OVERDUE, doc_id__lt=10_000)
    assert set(nearly.values_list("light", flat=True)) == {Deadline.Light.YELLOW}
    assert set(Deadline.objects.filter(doc_id__gte=10_000).values_list("light", flat=True)) == {Deadline.Light.GREEN}
    # Idempotent: another sweep finds nothing to do.
    assert sweep() == {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
    assert SupervisionNotice.objects.count() == OVERDUE
