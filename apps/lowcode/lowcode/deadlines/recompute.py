"""Recompute the open deadlines of a calendar after an administrator changed it (a background job).

A running clock that was never paused is placed again from its start by its policy's rule; one that
resumed after a pause is placed from its resume instant with the time it had left; a paused clock keeps
what it had left. Lights already shown stay (a red light has opened its supervision notice), but the next
check follows the new instants. Progress is written every batch, for the administrator to watch.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from lowcode.deadlines.models import Deadline, DeadlineRecompute, WorkingCalendar
from lowcode.deadlines.selectors import snapshot_of
from lowcode.deadlines.services import OPEN, place, set_next_check, span
from lowcode.scheduler.queues import enqueue

BATCH = 500


def affected(calendar: WorkingCalendar) -> Any:
    return Deadline.objects.filter(calendar=calendar, status__in=OPEN)


def request(calendar: WorkingCalendar, user: Any = None) -> DeadlineRecompute | None:
    """Queue a recomputation when the calendar has open deadlines (after the current transaction commits)."""
    if not affected(calendar).exists():
        return None
    job = DeadlineRecompute.objects.create(
        calendar=calendar,
        requested_at=timezone.now(),
        requested_by=getattr(user, "username", "") or "",
        total=affected(calendar).count(),
    )
    enqueue("lowcode.deadlines.recompute.run", job.pk, queue="long")
    return job


def run(job_id: int) -> None:
    job = DeadlineRecompute.objects.select_related("calendar").get(pk=job_id)
    job.status = DeadlineRecompute.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        cal = snapshot_of(job.calendar)
        last = 0
        while True:
            with transaction.atomic():
                batch = list(
                    affected(job.calendar)
                    .filter(pk__gt=last)
                    .select_related("policy")
                    .select_for_update()
                    .order_by("pk")[:BATCH]
                )
                if not batch:
                    break
                for deadline in batch:
                    job.changed += _recompute(deadline, cal)
                last = batch[-1].pk
                job.done += len(batch)
                job.total = max(job.total, job.done)
                job.save(update_fields=["done", "changed", "total"])
    except Exception as exc:
        job.status = DeadlineRecompute.Status.FAILED
        job.error = repr(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.status = DeadlineRecompute.Status.COMPLETE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])


def _recompute(deadline: Deadline, cal: Any) -> int:
    before = deadline.due_at
    policy = deadline.policy
    if deadline.status == Deadline.Status.PAUSED:
        return 0
    if deadline.resumed_at is None:
        doc = _document(deadline)
        limit = span(policy, doc, deadline.started_at, cal)
        deadline.total = limit.total
        place(deadline, policy, cal, deadline.started_at, limit.total)
        deadline.due_at = limit.due  # the rule's own instant (e.g. the close of the N-th working day)
    else:
        place(deadline, policy, cal, deadline.resumed_at, deadline.remaining or timedelta(0))
    set_next_check(deadline)
    deadline.save(update_fields=["due_at", "yellow_at", "next_check_at", "total"])
    return int(deadline.due_at != before)


def _document(deadline: Deadline) -> Any:
    from lowcode.core import registry

    return registry.get(deadline.doctype).model._default_manager.filter(pk=deadline.doc_id).first()
