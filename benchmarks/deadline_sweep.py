"""The minute sweep over many open deadlines, next to a plain indexed UPDATE of the same rows.

    ./bench new-site bench-maria --db-type mariadb --admin-password …
    ./bench --site bench-maria make-benchmark-data --applications 1000000 --open-fraction 1
    ./bench --site bench-maria benchmark deadline_sweep [--changing 10000] [--repeat 3]

Prints, for the open deadlines on the site (the data generator's promised-limit clocks):
1. `changing` of them turning yellow: the sweep (SELECT … FOR UPDATE SKIP LOCKED in batches, the lights)
   next to one plain UPDATE … WHERE status = 'running' AND next_check_at <= now of the same rows;
2. the same rows turning red: the sweep with its supervision notices and notifications, next to the
   plain UPDATE of the lights alone;
3. a sweep with nothing due (the every-minute case) over all of them and over only `changing` of them, and
   the EXPLAIN of its query.
Each figure is the median of `repeat` runs; the rows are put back between runs. It changes the site's
deadlines — run it on a benchmark site only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from lowcode.core.models import NotificationLog
from lowcode.deadlines.models import Deadline, SupervisionNotice
from lowcode.deadlines.sweep import sweep


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark deadline_sweep")
    parser.add_argument("--changing", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    table = connection.ops.quote_name(Deadline._meta.db_table)
    running = Deadline.objects.filter(status=Deadline.Status.RUNNING)
    total = running.count()
    if total < args.changing:
        print(f"only {total} running deadlines; run make-benchmark-data first")
        return 1
    print(f"database: {connection.vendor} {connection.mysql_server_info if connection.vendor == 'mysql' else ''}")
    print(f"running deadlines: {total:,}; changing light: {args.changing:,}; runs per figure: {args.repeat}")
    ids = list(running.order_by("?").values_list("pk", flat=True)[: args.changing])

    def quiet_all() -> None:
        """Nothing due: every running clock is green and next looked at in 30 days."""
        later = timezone.now() + timedelta(days=30)
        with transaction.atomic():
            running.exclude(light=0, next_check_at__gt=timezone.now()).update(
                light=0, lit_at=None, next_check_at=later, yellow_at=later, due_at=later + timedelta(days=5)
            )

    def arm(red: bool) -> None:
        now = timezone.now()
        with transaction.atomic():
            SupervisionNotice.objects.filter(deadline_id__in=ids).delete()
            NotificationLog.objects.filter(doctype="Application").delete()
            Deadline.objects.filter(pk__in=ids).update(
                light=0,
                lit_at=None,
                yellow_at=now - timedelta(minutes=30),
                due_at=now - timedelta(minutes=1) if red else now + timedelta(days=1),
                next_check_at=now - timedelta(minutes=30),
            )

    def plain_update(red: bool) -> float:
        now = timezone.now()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if red:
                sql = f"UPDATE {table} SET light = 2, lit_at = %s, next_check_at = NULL"  # noqa: S608
            else:
                sql = f"UPDATE {table} SET light = 1, lit_at = %s, next_check_at = due_at"  # noqa: S608
            cursor.execute(sql + " WHERE status = 'running' AND next_check_at <= %s", [now, now])
            changed = cursor.rowcount
        elapsed = time.perf_counter() - started
        if changed != len(ids):
            raise SystemExit(f"the plain UPDATE changed {changed} rows, not {len(ids)}")
        return elapsed

    def swept(red: bool) -> float:
        started = time.perf_counter()
        counts = sweep()
        elapsed = time.perf_counter() - started
        if counts["red" if red else "yellow"] != len(ids):
            raise SystemExit(f"the sweep did not change the {len(ids)} rows: {counts}")
        return elapsed

    quiet_all()
    for red in (False, True):
        sweeps, plains = [], []
        for _ in range(args.repeat):
            arm(red)
            sweeps.append(swept(red))
            arm(red)
            plains.append(plain_update(red))
        s, p = statistics.median(sweeps), statistics.median(plains)
        kind = "red (with supervision notices and notifications)" if red else "yellow"
        print(f"{args.changing:,} turning {kind}:")
        print(f"  sweep        {s * 1000:9.1f} ms   ({len(ids) / s:,.0f} rows/s)")
        print(f"  plain UPDATE {p * 1000:9.1f} ms")
        print(f"  ratio        {s / p:9.2f} ×")
    quiet_all()
    SupervisionNotice.objects.filter(deadline_id__in=ids).delete()
    idle = []
    for _ in range(max(args.repeat, 20)):
        started = time.perf_counter()
        counts = sweep()
        idle.append(time.perf_counter() - started)
        if counts != {"yellow": 0, "red": 0, "notices": 0}:
            raise SystemExit(f"nothing was due, yet the sweep changed {counts}")
    print(f"nothing due, over {total:,} running deadlines: sweep median {statistics.median(idle) * 1000:.2f} ms")
    # The same with only `changing` rows running (the rest set aside for the moment, then put back).
    cutoff = running.order_by("pk").values_list("pk", flat=True)[args.changing]
    with transaction.atomic():
        set_aside = running.filter(pk__gte=cutoff).update(status="benchmark")
    small = []
    for _ in range(max(args.repeat, 20)):
        started = time.perf_counter()
        sweep()
        small.append(time.perf_counter() - started)
    with transaction.atomic():
        Deadline.objects.filter(status="benchmark").update(status=Deadline.Status.RUNNING)
    median = statistics.median(small) * 1000
    print(f"nothing due, over {total - set_aside:,} running deadlines: sweep median {median:.2f} ms")
    with connection.cursor() as cursor:
        query = (
            f"SELECT id, due_at, policy_id FROM {table} WHERE status = 'running' "  # noqa: S608
            "AND next_check_at <= %s ORDER BY next_check_at LIMIT 2000"
        )
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + query, [timezone.now()])
        else:
            cursor.execute("EXPLAIN " + query + " FOR UPDATE SKIP LOCKED", [timezone.now()])
        columns = [c[0] for c in cursor.description]
        for row in cursor.fetchall():
            print("  EXPLAIN " + ", ".join(f"{k}={v}" for k, v in zip(columns, row, strict=True)))
    return 0
