"""The minute sweep: lights of deadlines whose yellow or due instant has passed, and what follows.

Only rows with status "running" and `next_check_at` ≤ now are read — through the (status, next_check_at)
index, so the sweep's cost follows the number of lights that change, not the number of open deadlines.
Rows are taken in batches with SELECT … FOR UPDATE SKIP LOCKED: two workers sweeping at once share the
work and never take the same row; each batch (lights, supervision notices, notifications, automatic
transitions) commits as one transaction, so a worker killed half-way loses nothing and doubles nothing —
its uncommitted batch is rolled back and swept again. An action that fails for one deadline is logged and
recorded (DeadlineActionFailure, shown in the supervisor's overview; counted as "failed") without holding up
the rest of the batch.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lowcode.deadlines.actions import Runner
from lowcode.deadlines.models import Deadline, DeadlinePolicy, WorkingCalendar

DEFAULT_BATCH = 2000


def batch_size() -> int:
    return int(os.environ.get("LOWCODE_SWEEP_BATCH", DEFAULT_BATCH))


def sweep(now: datetime | None = None, batch: int | None = None) -> dict[str, int]:
    now = now or timezone.now()
    batch = batch or batch_size()
    policies = {p.pk: p for p in DeadlinePolicy.objects.all()}
    with_actions = {pk: (bool(p.on_yellow), bool(p.on_red)) for pk, p in policies.items()}
    calendars = {c.pk: c for c in WorkingCalendar.objects.all()}
    runner = Runner(now)
    counts = {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
    while True:
        with transaction.atomic():
            rows = list(
                Deadline.objects.select_for_update(skip_locked=True)
                .filter(status=Deadline.Status.RUNNING, next_check_at__lte=now)
                .order_by("next_check_at")
                .values_list("pk", "due_at", "policy_id")[:batch]
            )
            if not rows:
                break
            red = [pk for pk, due, _ in rows if due <= now]
            yellow = [pk for pk, due, _ in rows if due > now]
            if yellow:
                Deadline.objects.filter(pk__in=yellow).update(
                    light=Deadline.Light.YELLOW, lit_at=now, next_check_at=F("due_at")
                )
            if red:
                Deadline.objects.filter(pk__in=red).update(light=Deadline.Light.RED, lit_at=now, next_check_at=None)
            for light, ids, flag in ((Deadline.Light.YELLOW, yellow, 0), (Deadline.Light.RED, red, 1)):
                acting = {pk for pk, _, policy in rows if with_actions.get(policy, (False, False))[flag]} & set(ids)
                if acting:
                    # No join: with one policy over a million rows the optimiser may pick a poor plan for it.
                    deadlines = list(Deadline.objects.filter(pk__in=acting))
                    for deadline in deadlines:
                        deadline.policy = policies[deadline.policy_id]
                        deadline.calendar = calendars[deadline.calendar_id]
                    counts["notices"] += runner.run(light, deadlines)
            counts["yellow"] += len(yellow)
            counts["red"] += len(red)
        if len(rows) < batch:
            break
    counts["failed"] = runner.failed
    return counts


def run(**_: Any) -> dict[str, int]:
    """The scheduler's entry (every minute)."""
    return sweep()
