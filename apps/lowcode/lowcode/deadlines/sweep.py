"""The minute sweep: lights of deadlines whose yellow or due instant has passed, and what follows.

Only rows with status "running" and `next_check_at` ≤ now are read — through the (status, next_check_at)
index, so the sweep's cost follows the number of lights that change, not the number of open deadlines.
Rows are taken in batches with SELECT … FOR UPDATE SKIP LOCKED: two workers sweeping at once share the
work and never take the same row; each batch (lights, supervision notices, notifications, automatic
transitions) commits as one transaction, so a worker killed half-way loses nothing and doubles nothing —
its uncommitted batch is rolled back and swept again. An action that fails for one deadline is logged and
recorded (DeadlineActionFailure, shown in the supervisor's overview; counted as "failed") without holding up
the rest of the batch.

The plan does not depend on the optimiser's estimates. The batch is read with the index named (FORCE INDEX on
MariaDB, INDEXED BY on SQLite): left to itself, MariaDB switched to reading every running row's index entry
(the red ones' NULLs first) as soon as many rows were due, the ORDER BY … LIMIT tipping it from the range to a
scan of the status alone. The batch's SELECT reads the columns the actions need, so no second read by a list
of ids follows (MariaDB turns a list of over 1,000 ids into a join whose plan it chooses by mood); the lights
are set by one UPDATE by primary key; each batch starts where the one before ended (see _take). With nothing
due, one indexed SELECT … LIMIT 1 answers, outside any transaction: the every-minute case costs one index probe
whatever the table size.

Per batch: the SELECT, the UPDATE of the lights, and for the actions two statements for the notices' numbers
and one multi-row INSERT each for the notices and the notifications — the same count for 5 rows as for 2,000
(tests/lowcode/deadlines/test_sweep_queries.py). Once per sweep: the probe, the policies, the calendars, the
users of each role notified and each calendar's days.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from lowcode.deadlines.actions import Due, Runner
from lowcode.deadlines.models import Deadline, DeadlinePolicy, WorkingCalendar

DEFAULT_BATCH = 2000
INDEX = "deadline_sweep"  # Deadline.Meta.indexes: (status, next_check_at)
# The columns the batch reads: Due's, then where the batch ends (its last row's next check).
COLUMNS = (
    *("id", "policy_id", "calendar_id", "doctype", "doc_id", "doc_title", "department_key", "department", "due_at"),
    "next_check_at",
)
DUE_AT, NEXT_CHECK = 8, 9


def batch_size() -> int:
    return int(os.environ.get("LOWCODE_SWEEP_BATCH", DEFAULT_BATCH))


def sweep(now: datetime | None = None, batch: int | None = None) -> dict[str, int]:
    now = now or timezone.now()
    batch = batch or batch_size()
    counts = {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
    if not _anything_due(now):
        return counts
    policies = {p.pk: p for p in DeadlinePolicy.objects.all()}
    acts = {pk: (bool(p.on_yellow), bool(p.on_red)) for pk, p in policies.items()}  # (on yellow, on red)
    calendars = {c.pk: c for c in WorkingCalendar.objects.all()}
    runner = Runner(now)
    after: tuple[datetime, int] | None = None  # where the last batch ended: (next check, id)
    while True:
        with transaction.atomic():
            rows = _take(now, batch, after)
            if not rows:
                break
            overdue = When(due_at__lte=now, then=Value(Deadline.Light.RED))
            Deadline.objects.filter(pk__in=[row[0] for row in rows]).update(
                light=Case(
                    overdue, default=Value(Deadline.Light.YELLOW), output_field=models.PositiveSmallIntegerField()
                ),
                lit_at=now,
                next_check_at=Case(
                    When(due_at__lte=now, then=Value(None)), default=F("due_at"), output_field=models.DateTimeField()
                ),
            )
            red = sum(1 for row in rows if row[DUE_AT] <= now)
            for light, is_red in ((Deadline.Light.YELLOW, False), (Deadline.Light.RED, True)):
                acting = [  # only the rows whose policy acts on this light are made into Due
                    Due(*row[:NEXT_CHECK], policy=policies[row[1]], calendar=calendars[row[2]])
                    for row in rows
                    if (row[DUE_AT] <= now) is is_red and acts[row[1]][is_red]
                ]
                if acting:
                    counts["notices"] += runner.run(light, acting)
            counts["yellow"] += len(rows) - red
            counts["red"] += red
        if len(rows) < batch:
            break
        after = (rows[-1][NEXT_CHECK], rows[-1][0])
    counts["failed"] = runner.failed
    return counts


def _from_clause() -> str:
    """The table, with the sweep's index named where the database lets us name it."""
    table = connection.ops.quote_name(Deadline._meta.db_table)
    if connection.vendor == "mysql":
        return f"{table} FORCE INDEX ({INDEX})"
    if connection.vendor == "sqlite":
        return f"{table} INDEXED BY {INDEX}"
    return table


_DUE = "status = %s AND next_check_at <= %s"  # the index's two columns, in its order


def _due_params(now: datetime) -> list[Any]:
    return [Deadline.Status.RUNNING, Deadline._meta.get_field("next_check_at").get_db_prep_value(now, connection)]


def _anything_due(now: datetime) -> bool:
    """One probe of the index, without locks: is any running deadline due?"""
    sql = f"SELECT 1 FROM {_from_clause()} WHERE {_DUE} LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, _due_params(now))
        return cursor.fetchone() is not None


def _take(now: datetime, batch: int, after: tuple[datetime, int] | None) -> list[tuple[Any, ...]]:
    """Lock and read the next `batch` due rows (oldest check first), skipping rows another worker holds: the
    COLUMNS, converted as the ORM would.

    A batch starts where the one before ended, (next check, id) `after` it, rather than at the start of the
    range: the rows just swept have left the range, but their old index entries stay until InnoDB purges them,
    and a locking read from the start would step over every one of them again — batch after batch."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in COLUMNS)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    params = _due_params(now)
    where = _DUE
    if after is not None:
        last = Deadline._meta.get_field("next_check_at").get_db_prep_value(after[0], connection)
        where += " AND next_check_at >= %s AND (next_check_at > %s OR id > %s)"
        params += [last, last, after[1]]
    sql = (
        f"SELECT {columns} FROM {_from_clause()} WHERE {where} "  # noqa: S608
        f"ORDER BY {qn('next_check_at')}, {qn('id')} LIMIT %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, batch])
        rows = cursor.fetchall()
    if not rows:
        return []
    table = Deadline._meta.db_table
    fields = {f.column: f for f in Deadline._meta.concrete_fields}
    converters = []
    for i, name in enumerate(COLUMNS):
        field = fields[name]
        col = field.get_col(table)
        found = [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)]
        if found:
            converters.append((i, col, found))
    if not converters:
        return list(rows)
    converted = []
    for row in rows:
        values = list(row)
        for i, col, functions in converters:
            for convert in functions:
                values[i] = convert(values[i], col, connection)
        converted.append(tuple(values))
    return converted


def run(**_: Any) -> dict[str, int]:
    """The scheduler's entry (every minute)."""
    return sweep()
