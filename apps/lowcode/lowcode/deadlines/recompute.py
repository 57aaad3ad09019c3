"""Recompute the open deadlines of a calendar after an administrator changed it (a background job).

A running clock that was never paused is placed again from its start by its policy's rule; one that
resumed after a pause is placed from its resume instant with the time it had left; a paused clock keeps
what it had left. Lights already shown stay (a red light has opened its supervision notice), but the next
check follows the new instants. Progress is written every batch, for the administrator to watch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from lowcode.core import registry
from lowcode.deadlines.models import Deadline, DeadlinePolicy, DeadlineRecompute, WorkingCalendar
from lowcode.deadlines.selectors import snapshot_of
from lowcode.deadlines.services import OPEN, place, place_from_start, span
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
                documents = _documents(batch)
                for deadline in batch:
                    job.changed += _recompute(deadline, cal, documents.get((deadline.doctype, deadline.doc_id)))
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


def _recompute(deadline: Deadline, cal: Any, doc: Any) -> int:
    before = deadline.due_at
    policy = deadline.policy
    if deadline.status == Deadline.Status.PAUSED:
        return 0
    if deadline.resumed_at is None:
        place_from_start(deadline, policy, cal, span(policy, doc, deadline.started_at, cal))
    else:
        place(deadline, policy, cal, deadline.resumed_at, deadline.remaining or timedelta(0))
    deadline.save(update_fields=["due_at", "yellow_at", "next_check_at", "total"])
    return int(deadline.due_at != before)


def needs_document(policy: DeadlinePolicy) -> bool:
    """The policy's limit reads the document (its own limit, or the document's when sooner)."""
    return policy.rule == DeadlinePolicy.Rule.DOCUMENT_LIMIT or policy.or_document_limit


def _documents(batch: list[Deadline]) -> dict[tuple[str, int], Any]:
    """The documents whose own limit a batch's clocks read (the matter's promised limit), one query a DocType."""
    wanted: dict[str, set[int]] = defaultdict(set)
    related: dict[str, set[str]] = defaultdict(set)
    for deadline in batch:
        if needs_document(deadline.policy) and deadline.resumed_at is None:
            wanted[deadline.doctype].add(deadline.doc_id)
            for path in (deadline.policy.limit_amount_field, deadline.policy.limit_unit_field):
                if "." in path:
                    related[deadline.doctype].add(path.rsplit(".", 1)[0].replace(".", "__"))
    found = {}
    for doctype, ids in wanted.items():
        model = registry.get(doctype).model
        for doc in model._default_manager.filter(pk__in=ids).select_related(*related[doctype]):
            found[(doctype, doc.pk)] = doc
    return found
