"""The sweep's queries follow its batches, not its rows: sweeping 50 due deadlines costs the same statements as
sweeping 5, a batch more costs the same few statements again, and with nothing due one probe of the index
answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lowcode.core.models import NotificationLog, Role
from lowcode.deadlines.models import Deadline, DeadlinePolicy, SupervisionNotice, WorkingCalendar
from lowcode.deadlines.sweep import sweep

pytestmark = pytest.mark.django_db

# Once per sweep: the probe, the policies, the calendars, the users of the roles notified, the calendar's days.
PER_SWEEP = 5
# Per batch: its savepoint (2), the SELECT … FOR UPDATE, the UPDATE of the lights, the yellow notifications'
# INSERT; for the red: the notice numbers (savepoint 2, UPDATE, SELECT), the notices' and notifications' INSERTs.
PER_BATCH = 11


@pytest.fixture()
def world():
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
        on_yellow=[{"type": "notify", "roles": ["Supervisor"]}],
        on_red=[{"type": "supervise", "working_days": 3, "notify_roles": ["Supervisor"]}],
    )
    supervisors = [get_user_model().objects.create_user(f"sup{i}") for i in range(2)]
    Role.objects.create(name="Supervisor", label_zh="效能监察", label_en="Supervisor").user_set.set(supervisors)
    return {"policy": policy, "calendar": calendar, "supervisors": supervisors, "next": 0}


def _due(world, red: int, yellow: int) -> None:
    """`red` overdue and `yellow` nearly due clocks, new ones each time."""
    now = timezone.now()
    rows = []
    for n in range(red + yellow):
        world["next"] += 1
        overdue = n < red
        rows.append(
            Deadline(
                policy=world["policy"],
                calendar=world["calendar"],
                doctype="Role",
                doc_id=world["next"],
                doc_title=f"BJ{world['next']:06d}",
                department_key=str(n % 3),
                department=f"部门{n % 3}",
                started_at=now - timedelta(days=10),
                due_at=now - timedelta(minutes=5) if overdue else now + timedelta(days=1),
                yellow_at=now - timedelta(minutes=30),
                next_check_at=now - timedelta(minutes=5 if overdue else 30),
                total=timedelta(hours=21),
            )
        )
    Deadline.objects.bulk_create(rows)


def _swept(**options) -> tuple[dict[str, int], int]:
    with CaptureQueriesContext(connection) as queries:
        counts = sweep(**options)
    return counts, len(queries)


def test_sweeping_50_due_deadlines_costs_the_same_queries_as_sweeping_5(world) -> None:
    _due(world, red=1, yellow=0)
    sweep()  # the day's notice series now exists (its first use inserts the counter row)

    _due(world, red=5, yellow=5)
    few, few_queries = _swept()
    _due(world, red=50, yellow=50)
    many, many_queries = _swept()

    assert few == {"yellow": 5, "red": 5, "notices": 5, "failed": 0}
    assert many == {"yellow": 50, "red": 50, "notices": 50, "failed": 0}
    assert few_queries == many_queries == PER_SWEEP + PER_BATCH
    supervisors = len(world["supervisors"])
    assert SupervisionNotice.objects.count() == 1 + 5 + 50
    assert NotificationLog.objects.count() == (1 + 5 + 5 + 50 + 50) * supervisors
    assert set(Deadline.objects.values_list("light", flat=True)) == {Deadline.Light.YELLOW, Deadline.Light.RED}


def test_each_further_batch_costs_the_same_few_queries_again(world) -> None:
    _due(world, red=1, yellow=0)
    sweep()

    _due(world, red=25, yellow=25)
    counts, queries = _swept(batch=20)  # 50 rows: batches of 20, 20 and 10

    assert counts == {"yellow": 25, "red": 25, "notices": 25, "failed": 0}
    # The batches take the oldest check first: the yellow (checked 30 minutes ago), then the red. So the first
    # batch is 20 yellow (no notice statements: 6 fewer), the second 5 yellow and 15 red (all 11), the third
    # 10 red (no yellow notifications: 1 fewer).
    assert queries == PER_SWEEP + (PER_BATCH - 6) + PER_BATCH + (PER_BATCH - 1)


def test_with_nothing_due_one_probe_of_the_index_answers(world) -> None:
    _due(world, red=3, yellow=3)
    sweep()
    before = list(Deadline.objects.order_by("pk").values_list("pk", "light", "lit_at", "next_check_at"))

    counts, queries = _swept()

    assert counts == {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
    assert queries == 1
    assert list(Deadline.objects.order_by("pk").values_list("pk", "light", "lit_at", "next_check_at")) == before
