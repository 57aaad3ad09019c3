"""The clocks of deadline policies on documents: start, pause, resume and stop as the workflow moves.

The workflow engine and insert_doc send signals inside their transaction; `on_transition` and `on_insert`
answer them, so a deadline is written or changed in the same transaction as the state it follows — a
rolled-back transition leaves no clock behind.

Timing rules (working time, working days, calendar days, cut-off) are those of lowcode.deadlines.worktime.
A deadline stores its total limit as working time (or wall-clock time for calendar-day limits); pausing
keeps what was left, and resuming places that remainder from the resume instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from lowcode.core import registry
from lowcode.deadlines.models import Deadline, DeadlinePolicy, WorkingCalendar
from lowcode.deadlines.selectors import NoCalendar, snapshot_of
from lowcode.deadlines.worktime import Calendar

OPEN = (Deadline.Status.RUNNING, Deadline.Status.PAUSED)
UNITS = {"working_hours", "working_days", "calendar_days"}


class PolicyError(ValueError):
    """A policy cannot be applied to a document (e.g. its limit field is empty)."""


@dataclass(frozen=True)
class Span:
    due: datetime
    total: timedelta
    wall_clock: bool


def resolve(doc: models.Model, path: str) -> Any:
    """The value at a dotted path of fields, e.g. "matter.promised_limit"."""
    value: Any = doc
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def policy_calendar(policy: DeadlinePolicy) -> WorkingCalendar:
    if policy.calendar_id:
        return policy.calendar
    found = WorkingCalendar.objects.filter(is_default=True).first()
    if found is None:
        raise NoCalendar("no default working calendar")
    return found


def document_limit(policy: DeadlinePolicy, doc: models.Model | None) -> tuple[Any, str]:
    """The amount and unit of the limit the document carries (e.g. its matter's promised limit)."""
    if doc is None:
        raise PolicyError("a document limit needs the document")
    amount, unit = resolve(doc, policy.limit_amount_field), resolve(doc, policy.limit_unit_field)
    if not amount or unit not in UNITS:
        raise PolicyError(f"{policy.name}: the document has no usable limit ({amount!r} {unit!r})")
    return amount, unit


def span(policy: DeadlinePolicy, doc: models.Model | None, start: datetime, cal: Calendar) -> Span:
    """When the policy's limit ends for a clock started at `start`, and how much working time that is: the
    rule's own end, or the document's limit when the policy says "or the document's limit, when it ends sooner"
    and that limit does (a supplement window of 3 working days within a promised limit of 2)."""
    rule, amount = policy.rule, policy.amount
    if rule == DeadlinePolicy.Rule.DOCUMENT_LIMIT:
        amount, rule = document_limit(policy, doc)
    wall = rule == DeadlinePolicy.Rule.CALENDAR_DAYS
    if rule == DeadlinePolicy.Rule.HANDOVER_CUTOFF:
        due = cal.handover_cutoff(start)
    elif rule == DeadlinePolicy.Rule.END_OF_DAY:
        due = cal.end_of_working_day(start)
    elif rule in UNITS:
        due = cal.add(start, float(Decimal(str(amount))), rule)
    else:
        raise PolicyError(f"{policy.name}: unknown rule {rule!r}")
    if policy.or_document_limit and policy.rule != DeadlinePolicy.Rule.DOCUMENT_LIMIT:
        amount, unit = document_limit(policy, doc)
        sooner = cal.add(start, float(Decimal(str(amount))), unit)
        if sooner < due:
            due, wall = sooner, unit == DeadlinePolicy.Rule.CALENDAR_DAYS
    total = due - start if wall else cal.remaining_working_time(start, due)
    return Span(due, total, wall)


def started_at(policy: DeadlinePolicy, doc: models.Model, now: datetime) -> datetime:
    """When a clock starting now runs from: the instant the policy's start field records (materials received at
    the window at 11:50 and handed over at 15:00 are due by 14:00), never later than now and never before an
    earlier clock of the policy on the document ended (a 即办件 sent back and resubmitted runs again from its
    resubmission, not from its first receipt); else now."""
    if not policy.start_field:
        return now
    recorded = resolve(doc, policy.start_field)
    if not isinstance(recorded, datetime) or recorded > now:
        return now
    doctype = registry.for_model(type(doc))
    ended = (
        Deadline.objects.filter(doctype=doctype.name if doctype else "", doc_id=doc.pk, policy=policy)
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return now if ended is not None and recorded < ended else recorded


def yellow_left(policy: DeadlinePolicy, total: timedelta) -> timedelta:
    """How much of the limit is left when the light turns yellow."""
    if policy.yellow_mode == DeadlinePolicy.YellowMode.HOURS:
        return min(total, timedelta(hours=float(policy.yellow_value)))
    return total * float(policy.yellow_value)


def _advance(cal: Calendar, wall: bool, start: datetime, amount: timedelta) -> datetime:
    if wall:
        return start + amount
    return cal.add_working_hours(start, amount.total_seconds() / 3600)


def place(deadline: Deadline, policy: DeadlinePolicy, cal: Calendar, origin: datetime, left: timedelta) -> None:
    """Set due and yellow instants for a clock that has `left` of its limit from `origin` on."""
    deadline.due_at = _advance(cal, deadline.wall_clock, origin, left)
    yellow = yellow_left(policy, deadline.total)
    deadline.yellow_at = _advance(cal, deadline.wall_clock, origin, max(left - yellow, timedelta(0)))
    set_next_check(deadline)


def set_next_check(deadline: Deadline) -> None:
    if deadline.status != Deadline.Status.RUNNING or deadline.light == Deadline.Light.RED:
        deadline.next_check_at = None
    elif deadline.light == Deadline.Light.YELLOW:
        deadline.next_check_at = deadline.due_at
    else:
        deadline.next_check_at = min(deadline.yellow_at, deadline.due_at)


def _department(policy: DeadlinePolicy, doc: models.Model) -> tuple[str, str]:
    if not policy.department_field:
        return "", ""
    value = resolve(doc, policy.department_field)
    if value is None:
        return "", ""
    key = value.pk if isinstance(value, models.Model) else value
    return str(key), str(value)[:140]


def place_from_start(deadline: Deadline, policy: DeadlinePolicy, cal: Calendar, limit: Span) -> None:
    """Due and yellow instants of a clock running since its start: the rule's own due instant (e.g. the close
    of the N-th working day), yellow when the policy's share of the limit is left."""
    deadline.total, deadline.wall_clock = limit.total, limit.wall_clock
    place(deadline, policy, cal, deadline.started_at, limit.total)
    deadline.due_at = limit.due
    set_next_check(deadline)


def build(
    policy: DeadlinePolicy, doc: models.Model, start: datetime, *, stored: WorkingCalendar, cal: Calendar
) -> Deadline:
    """A new running clock of `policy` on `doc` from `start`, not yet saved (bulk makers save many at once)."""
    key, department = _department(policy, doc)
    doctype = registry.for_model(type(doc))
    deadline = Deadline(
        policy=policy,
        calendar=stored,
        doctype=doctype.name if doctype else type(doc).__name__,
        doc_id=doc.pk,
        doc_title=str(doc)[:140],
        department_key=key,
        department=department,
        started_at=started_at(policy, doc, start),
    )
    place_from_start(deadline, policy, cal, span(policy, doc, deadline.started_at, cal))
    return deadline


def start_again_from_record(doc: models.Model) -> None:
    """The document's record of when the thing happened changed (a handover's receipt, known once its items are
    written): its running clocks that start from a record, never paused, run from it again."""
    doctype = registry.for_model(type(doc))
    if doctype is None or not doc.pk:
        return
    clocks = (
        Deadline.objects.filter(doctype=doctype.name, doc_id=doc.pk, status=Deadline.Status.RUNNING, resumed_at=None)
        .exclude(policy__start_field="")
        .select_related("policy", "calendar")
    )
    now = timezone.now()
    for deadline in clocks:
        policy = deadline.policy
        recorded = resolve(doc, policy.start_field)
        if not isinstance(recorded, datetime) or recorded > now or recorded == deadline.started_at:
            continue
        cal = snapshot_of(deadline.calendar)
        deadline.started_at = recorded
        place_from_start(deadline, policy, cal, span(policy, doc, recorded, cal))
        deadline.save(update_fields=["started_at", "due_at", "yellow_at", "next_check_at", "total", "wall_clock"])


def start(policy: DeadlinePolicy, doc: models.Model, now: datetime | None = None) -> Deadline:
    stored = policy_calendar(policy)
    deadline = build(policy, doc, now or timezone.now(), stored=stored, cal=snapshot_of(stored))
    deadline.save(force_insert=True)
    return deadline


def pause(deadline: Deadline, cal: Calendar, now: datetime) -> None:
    if deadline.status != Deadline.Status.RUNNING:
        return
    deadline.remaining = (
        deadline.due_at - now if deadline.wall_clock else cal.remaining_working_time(now, deadline.due_at)
    )
    deadline.remaining = max(deadline.remaining, timedelta(0))
    deadline.status = Deadline.Status.PAUSED
    deadline.paused_at = now
    set_next_check(deadline)
    deadline.save()


def resume(deadline: Deadline, cal: Calendar, now: datetime) -> None:
    if deadline.status != Deadline.Status.PAUSED:
        return
    deadline.status = Deadline.Status.RUNNING
    deadline.paused_total += now - (deadline.paused_at or now)
    deadline.paused_at = None
    deadline.resumed_at = now
    place(deadline, deadline.policy, cal, now, deadline.remaining or timedelta(0))
    deadline.save()


def finish(deadline: Deadline, now: datetime, *, cancelled: bool = False) -> None:
    deadline.status = Deadline.Status.CANCELLED if cancelled else Deadline.Status.DONE
    deadline.finished_at = now
    deadline.next_check_at = None
    deadline.save()


def policies_for(doctype: str) -> list[DeadlinePolicy]:
    return list(DeadlinePolicy.objects.filter(doctype=doctype, is_active=True).select_related("calendar"))


def _applies(policy: DeadlinePolicy, doc: models.Model, user: Any) -> bool:
    if not policy.condition.strip():
        return True
    from lowcode.workflow.expressions import ExpressionError, evaluate

    try:
        return evaluate(policy.condition, doc, user)
    except ExpressionError:
        return False


def charge(deadline: Deadline, policy: DeadlinePolicy, doc: models.Model) -> None:
    """A running clock answers to whoever the document now names (a complaint's clock runs from its receipt, and
    is the department's once the hotline transfers it)."""
    key, department = _department(policy, doc)
    if (key, department) != (deadline.department_key, deadline.department):
        deadline.department_key, deadline.department = key, department
        deadline.save(update_fields=["department_key", "department"])


def follow(doc: models.Model, *, user: Any, to_state: str, action: str, is_final: bool, now: datetime) -> None:
    """Move the document's clocks for a state change: stop, pause or resume the open ones, start new ones."""
    doctype = registry.for_model(type(doc))
    if doctype is None or not doc.pk:
        return
    policies = policies_for(doctype.name)
    if not policies:
        return
    snapshots: dict[int, Calendar] = {}

    def cal_of(calendar: WorkingCalendar) -> Calendar:
        if calendar.pk not in snapshots:
            snapshots[calendar.pk] = snapshot_of(calendar)
        return snapshots[calendar.pk]

    still_open = set()
    opened = Deadline.objects.filter(doctype=doctype.name, doc_id=doc.pk, status__in=OPEN).select_related(
        "policy", "calendar"
    )
    for deadline in opened:
        policy = deadline.policy
        if is_final or to_state in policy.stop_states:
            finish(deadline, now)
            continue
        still_open.add(policy.pk)
        charge(deadline, policy, doc)
        if to_state in policy.pause_states:
            pause(deadline, cal_of(deadline.calendar), now)
        elif deadline.status == Deadline.Status.PAUSED:
            resume(deadline, cal_of(deadline.calendar), now)
    if is_final:
        return
    for policy in policies:
        if policy.pk in still_open:
            continue
        if to_state not in policy.start_states and action not in policy.start_actions:
            continue
        if _applies(policy, doc, user):
            start(policy, doc, now)


def on_transition(
    sender: Any, *, doc: models.Model, user: Any, action: str, to_state: str, is_final: bool, **_: Any
) -> None:
    follow(doc, user=user, to_state=to_state, action=action, is_final=is_final, now=timezone.now())


def on_insert(sender: Any, *, doc: models.Model, user: Any, **_: Any) -> None:
    from lowcode.workflow.engine import workflow_for

    workflow = workflow_for(type(doc))
    if workflow is None:
        return
    follow(doc, user=user, to_state=getattr(doc, workflow.state_field), action="", is_final=False, now=timezone.now())


def open_deadlines(doc: models.Model) -> list[Deadline]:
    return [d for d in all_deadlines(doc) if d.status in OPEN]


def all_deadlines(doc: models.Model) -> list[Deadline]:
    """The document's deadlines, open ones first (nearest due first), then finished ones (latest first)."""
    doctype = registry.for_model(type(doc))
    if doctype is None or not doc.pk:
        return []
    rows = list(Deadline.objects.filter(doctype=doctype.name, doc_id=doc.pk).select_related("policy"))
    opened = sorted((d for d in rows if d.status in OPEN), key=lambda d: d.due_at)
    closed = sorted((d for d in rows if d.status not in OPEN), key=lambda d: d.finished_at or d.due_at, reverse=True)
    return opened + closed


def replay(doc: models.Model, *, since: datetime, path: list[str], user: Any = None) -> list[Deadline]:
    """Restart a document's clocks as if it had reached its current state at `since`, by way of `path` (the
    states it entered and actions it took) — for records made outside the workflow (demo data, imports)."""
    from lowcode.workflow.engine import workflow_for

    doctype = registry.for_model(type(doc))
    workflow = workflow_for(type(doc))
    if doctype is None or workflow is None or not doc.pk:
        return []
    state = getattr(doc, workflow.state_field)
    old = Deadline.objects.filter(doctype=doctype.name, doc_id=doc.pk)
    from lowcode.deadlines.models import SupervisionNotice

    SupervisionNotice.objects.filter(deadline__in=old).delete()
    old.delete()
    started = []
    for policy in policies_for(doctype.name):
        if state in policy.stop_states or set(path) & set(policy.stop_states):
            continue  # it stopped on the way, or stops here
        if not set(path) & {*policy.start_states, *policy.start_actions}:
            continue
        if not _applies(policy, doc, user):
            continue
        deadline = start(policy, doc, now=since)
        if state in policy.pause_states:
            pause(deadline, snapshot_of(deadline.calendar), since)
        started.append(deadline)
    return started
