"""The minute sweep over many open deadlines, next to raw SQL that makes the same writes.

    ./bench new-site bench-maria --db-type mariadb --admin-password …
    ./bench --site bench-maria make-benchmark-data --applications 1000000 --open-fraction 0.3
    ./bench --site bench-maria benchmark deadline_sweep [--changing 10000] [--repeat 3] [--skip-few]

It arms `changing` green running deadlines picked at random among those of the policy with the most running
that takes no workflow action (on the benchmark data: the generator's promised-limit clocks), and prints each
figure next to its anchor and the ratio:
1. `changing` of them turning yellow: the sweep (SELECT … FOR UPDATE SKIP LOCKED in batches, the lights, the
   policy's yellow actions) next to the plain UPDATE … WHERE status = 'running' AND next_check_at <= now of the
   same rows (plus bulk INSERTs of whatever notices and notifications the sweep made);
2. the same rows turning red: the sweep with its supervision notices and notifications, next to one
   transaction of raw SQL making the same writes — the plain indexed UPDATE of the lights and multi-row INSERTs
   (executemany) of the very notices and notifications the sweep made, their values prepared beforehand;
3. a sweep with nothing due (the every-minute case) over all running deadlines and over only `changing` of
   them (the others set aside for the moment), next to the bare indexed SELECT of the due rows;
4. where the sweep's time went (database time per statement, queries per batch) and the EXPLAIN of its
   statements and of the anchor's UPDATE.
Each figure is the median of `repeat` runs after an untimed one (sweep and anchor alternate, each after the
same arming of the rows). The site, its mix (running deadlines per record of their DocType) and the buffer pool
are printed first.

It puts back what it changes: the rows it arms get their own light and times again (unless another session
stopped one meanwhile: that one is left as it was stopped), the notices,
notifications and action failures it made are deleted, the notice series' counter is reset, and deadlines
set aside (those due during the run, and for the "few running" figure all but `changing`) are running again
— also when it fails half-way. Other sessions see the rows set aside while it runs; use a benchmark site.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import Length
from django.utils import timezone

from lowcode.core import registry
from lowcode.core.models import NamingSeries, NotificationLog
from lowcode.deadlines.actions import NOTICE_SERIES
from lowcode.deadlines.models import Deadline, DeadlineActionFailure, DeadlinePolicy, SupervisionNotice
from lowcode.deadlines.sweep import sweep

RUNNING = Deadline.Status.RUNNING
ASIDE = "benchmark"  # the status of deadlines set aside while the benchmark runs
CHUNK = 50_000  # rows per UPDATE when setting deadlines aside or back (short transactions)


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


class Statements:
    """Every statement run inside `capture()`: its SQL, parameters and database time."""

    def __init__(self) -> None:
        self.log: list[tuple[str, Any, bool, float]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.log.append((sql, params, many, time.perf_counter() - started))

    @contextmanager
    def capture(self) -> Iterator[Statements]:
        self.log = []
        with connection.execute_wrapper(self):
            yield self

    @staticmethod
    def kind(sql: str) -> str:
        head = sql.split(None, 1)[0].upper()
        if head in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
            return "savepoint"
        found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+[`\"]?(\w+)", sql, re.IGNORECASE)
        return f"{head} {found.group(1) if found else ''}".strip()

    def by_kind(self) -> list[tuple[str, int, float]]:
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for sql, _, _, elapsed in self.log:
            entry = totals[self.kind(sql)]
            entry[0] += 1
            entry[1] += elapsed
        return sorted(((k, int(n), t) for k, (n, t) in totals.items()), key=lambda x: -x[2])

    def first(self, head: str, table: str, test: Callable[[str], bool] = lambda sql: True) -> tuple[str, Any] | None:
        for sql, params, many, _ in self.log:
            if not many and self.kind(sql) == f"{head} {table}" and test(sql):
                return sql, params
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark deadline_sweep")
    parser.add_argument("--changing", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-few", action="store_true", help="skip the 'few running' idle figure")
    args = parser.parse_args(argv)
    if Deadline.objects.filter(status=ASIDE).exists():
        print(f"deadlines with status {ASIDE!r} are left from an interrupted run; set them back to running first")
        return 1
    bench = Bench(args)
    if not bench.choose():
        return 1
    try:
        bench.run()
    finally:
        bench.restore()
    return 0


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.table = qn(Deadline._meta.db_table)
        self.running = Deadline.objects.filter(status=RUNNING)
        self.ids: list[int] = []
        self.docs: set[tuple[str, str]] = set()
        self.originals: list[Deadline] = []
        self.series: tuple[str, int | None] | None = None
        self.marks = {"notification": 0, "failure": 0}
        self.made: dict[bool, tuple[tuple[str, list], tuple[str, list]]] = {}

    # -- set-up and put-back -------------------------------------------------------------------------------
    def choose(self) -> bool:
        """Print the site and its mix; pick `changing` green running deadlines (without a notice) at random."""
        total = Deadline.objects.count()
        running = self.running.count()
        print(f"site: {settings.SITE_NAME}; database: {connection.vendor} {_server()}")
        mix = []
        for doctype, n in self.running.values_list("doctype").annotate(n=Count("pk")).order_by("-n"):
            try:
                records = registry.get(doctype).model._default_manager.count()
            except registry.UnknownDocType:
                records = 0
            share = f"{n / records:.2f}" if records else "?"
            mix.append(f"{doctype}: {records:,} records, {n:,} running deadlines (open fraction {share})")
        print("mix: " + ("; ".join(mix) or "no running deadlines"))
        lights = {
            Deadline.Light(light).label: n
            for light, n in self.running.values_list("light").annotate(n=Count("pk")).order_by("light")
        }
        print(f"deadlines: {total:,}; running: {running:,} (lights {lights}); changing light: {self.args.changing:,}")
        print(f"runs per figure: {self.args.repeat}")
        soon = timezone.now() + timedelta(hours=6)
        noticed = set(SupervisionNotice.objects.values_list("deadline_id", flat=True))
        # Clocks of one policy, the one with the most running (on the benchmark data, the generator's), that
        # opens notices and notifies: a workflow action taken by the sweep (deemed accepted) would move a real
        # document on, which the benchmark could not put back.
        quiet = {p.pk for p in DeadlinePolicy.objects.all() if not _transitions(p)}
        ranked = self.running.values_list("policy_id").annotate(n=Count("pk")).order_by("-n")
        policy = next((pk for pk, _ in ranked if pk in quiet), None)
        candidates = [
            pk
            for pk in self.running.filter(
                light=Deadline.Light.GREEN, next_check_at__gt=soon, policy_id=policy
            ).values_list("pk", flat=True)
            if pk not in noticed
        ]
        if len(candidates) < self.args.changing:
            print(f"only {len(candidates):,} green running deadlines of one policy; run make-benchmark-data first")
            return False
        self.ids = sorted(random.Random(self.args.seed).sample(candidates, self.args.changing))
        fields = ["light", "lit_at", "next_check_at", "yellow_at", "due_at"]
        self.originals = list(Deadline.objects.filter(pk__in=self.ids).only("pk", "doctype", "doc_id", *fields))
        self.docs = {(d.doctype, str(d.doc_id)) for d in self.originals}
        policies = Counter(Deadline.objects.filter(pk__in=self.ids).values_list("policy__name", flat=True))
        print(
            "chosen at random (seed {}): {}".format(
                self.args.seed, ", ".join(f"{n:,} of {p}" for p, n in policies.items())
            )
        )
        prefix = _series_prefix()
        self.series = (prefix, NamingSeries.objects.filter(name=prefix).values_list("current", flat=True).first())
        self.marks = {
            "notification": NotificationLog.objects.aggregate(m=Max("pk"))["m"] or 0,
            "failure": DeadlineActionFailure.objects.aggregate(m=Max("pk"))["m"] or 0,
        }
        # Whatever is due before the benchmark ends is set aside, so only the chosen rows change light.
        aside = self._set_aside(next_check_at__lte=soon)
        if aside:
            print(f"set aside for the run: {aside:,} running deadlines due in the next 6 hours")
        return True

    def _set_aside(self, **lookup: Any) -> int:
        done = 0
        top = Deadline.objects.aggregate(m=Max("pk"))["m"] or 0
        for start in range(0, top + 1, CHUNK):
            with transaction.atomic():
                done += self.running.filter(pk__gte=start, pk__lt=start + CHUNK, **lookup).update(status=ASIDE)
        return done

    def _bring_back(self) -> int:
        done = 0
        top = Deadline.objects.aggregate(m=Max("pk"))["m"] or 0
        for start in range(0, top + 1, CHUNK):
            with transaction.atomic():
                done += Deadline.objects.filter(status=ASIDE, pk__gte=start, pk__lt=start + CHUNK).update(
                    status=RUNNING
                )
        return done

    def clean(self) -> None:
        """Delete what the sweep or the anchor made for the chosen rows."""
        with transaction.atomic():
            SupervisionNotice.objects.filter(deadline_id__in=self.ids).delete()
            self._made_notifications().delete()
            DeadlineActionFailure.objects.filter(pk__gt=self.marks["failure"], deadline_id__in=self.ids).delete()

    def _made_notifications(self) -> Any:
        """The notifications made since the benchmark began about the chosen rows' documents."""
        made = NotificationLog.objects.filter(pk__gt=self.marks["notification"])
        doc_ids = {doc_id for _, doc_id in self.docs}
        return made.filter(doctype__in={doctype for doctype, _ in self.docs}, doc_id__in=doc_ids)

    def restore(self) -> None:
        self.clean()
        with transaction.atomic():
            Deadline.objects.filter(status__in=[RUNNING, ASIDE]).bulk_update(
                self.originals, ["light", "lit_at", "next_check_at", "yellow_at", "due_at"], batch_size=500
            )
            if self.series:
                # Back to where it was — or to the last number still in use, if someone else opened a notice.
                prefix, current = self.series
                last = (
                    SupervisionNotice.objects.filter(number__startswith=prefix)
                    .annotate(width=Length("number"))
                    .order_by("-width", "-number")
                    .values_list("number", flat=True)
                    .first()
                )
                used = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
                if current is None and not used:
                    NamingSeries.objects.filter(name=prefix).delete()
                else:
                    NamingSeries.objects.filter(name=prefix).update(current=max(current or 0, used))
        back = self._bring_back()
        print(f"put back: {len(self.originals):,} armed deadlines, {back:,} set aside, the notice series")

    def arm(self, red: bool) -> datetime:
        """The chosen rows, green, with their yellow (and for `red` their due) instant just passed."""
        self.clean()
        now = timezone.now()
        with transaction.atomic():
            Deadline.objects.filter(pk__in=self.ids).update(
                light=Deadline.Light.GREEN,
                lit_at=None,
                yellow_at=now - timedelta(minutes=30),
                due_at=now - timedelta(minutes=1) if red else now + timedelta(days=1),
                next_check_at=now - timedelta(minutes=30),
            )
        return now

    # -- the figures ---------------------------------------------------------------------------------------
    def run(self) -> None:
        last: dict[bool, Statements] = {}
        for red in (False, True):
            sweeps: list[float] = []
            anchors: list[float] = []
            made = (0, 0)
            self.arm(red)
            self.swept(red)  # a first, untimed run: the rows' pages in the buffer pool for sweep and anchor alike
            for n in range(self.args.repeat):
                for step in ("sweep", "anchor") if n % 2 == 0 else ("anchor", "sweep"):
                    self.arm(red)
                    if step == "sweep":
                        elapsed, made, last[red] = self.swept(red)
                        sweeps.append(elapsed)
                    else:
                        anchors.append(self.anchor(red))
            s, a = statistics.median(sweeps), statistics.median(anchors)
            kind = "red (with supervision notices and notifications)" if red else "yellow"
            print(f"\n{self.args.changing:,} turning {kind}:")
            print(f"  sweep   {s * 1000:9.1f} ms   ({len(self.ids) / s:,.0f} rows/s; runs {_ms(sweeps)})")
            what = "plain UPDATE" + (f" + INSERT {made[0]:,} notices, {made[1]:,} notifications" if any(made) else "")
            print(f"  anchor  {a * 1000:9.1f} ms   ({what}; runs {_ms(anchors)})")
            print(f"  ratio   {s / a:9.2f} ×   (target ≤ 2 ×)")
            self.breakdown(last[red])
        self.explain(last[True])
        self.idle("all running")
        if not self.args.skip_few:
            aside = self._set_aside()
            with transaction.atomic():
                Deadline.objects.filter(pk__in=self.ids, status=ASIDE).update(status=RUNNING)
            print(f"  ({aside - len(self.ids):,} more running deadlines set aside for the next figure)")
            self.idle("few running")

    def restore_armed(self) -> None:
        self.clean()
        with transaction.atomic():
            Deadline.objects.filter(status__in=[RUNNING, ASIDE]).bulk_update(
                self.originals, ["light", "lit_at", "next_check_at", "yellow_at", "due_at"], batch_size=500
            )

    def swept(self, red: bool) -> tuple[float, tuple[int, int], Statements]:
        statements = Statements()
        with statements.capture():
            started = time.perf_counter()
            counts = sweep()
            elapsed = time.perf_counter() - started
        if counts["red" if red else "yellow"] != len(self.ids) or counts["yellow" if red else "red"]:
            raise SystemExit(f"the sweep did not change exactly the {len(self.ids):,} rows: {counts}{_changed()}")
        # The anchor writes these very rows again (same values, same numbers) once they are deleted.
        self.made = {
            red: (
                _rows(SupervisionNotice, SupervisionNotice.objects.filter(deadline_id__in=self.ids)),
                _rows(NotificationLog, self._made_notifications()),
            )
        }
        notices, messages = self.made[red]
        return elapsed, (len(notices[1]), len(messages[1])), statements

    def anchor(self, red: bool) -> float:
        """One transaction of raw SQL making the sweep's writes: the plain indexed UPDATE of the lights, then
        multi-row INSERTs (executemany) of the notices and notifications the sweep made, their values prepared
        before the clock starts."""
        now = timezone.now()
        notices, messages = self.made.get(red) or ((None, []), (None, []))
        if red:
            update = f"UPDATE {self.table} SET light = 2, lit_at = %s, next_check_at = NULL"  # noqa: S608
        else:
            update = f"UPDATE {self.table} SET light = 1, lit_at = %s, next_check_at = due_at"  # noqa: S608
        update += " WHERE status = 'running' AND next_check_at <= %s"
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(update, [now, now])
            changed = cursor.rowcount
            for sql, rows in (notices, messages):
                if rows:
                    cursor.executemany(sql, rows)
        elapsed = time.perf_counter() - started
        if changed != len(self.ids):
            raise SystemExit(f"the plain UPDATE changed {changed} rows, not {len(self.ids)}{_changed()}")
        return elapsed

    def idle(self, label: str) -> None:
        running = self.running.count()
        query = (
            f"SELECT id FROM {self.table} WHERE status = 'running' AND next_check_at <= %s "  # noqa: S608
            "ORDER BY next_check_at LIMIT 2000"
        )
        sweeps, selects = [], []
        for _ in range(max(self.args.repeat, 20)):
            started = time.perf_counter()
            counts = sweep()
            sweeps.append(time.perf_counter() - started)
            if any(counts.values()):
                raise SystemExit(f"nothing was due, yet the sweep changed {counts}")
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(query, [timezone.now()])
                cursor.fetchall()
            selects.append(time.perf_counter() - started)
        s, a = statistics.median(sweeps), statistics.median(selects)
        print(f"\nnothing due, {label} ({running:,} running deadlines):")
        print(f"  sweep   {s * 1000:9.2f} ms   (p90 {_p90(sweeps) * 1000:.2f} ms; target ≤ 5 ms)")
        print(f"  anchor  {a * 1000:9.2f} ms   (the bare indexed SELECT of the due rows)")
        print(f"  ratio   {s / a:9.2f} ×")

    def breakdown(self, statements: Statements) -> None:
        db = sum(e for *_, e in statements.log)
        print(f"  the sweep's {len(statements.log)} statements, {db * 1000:.0f} ms in the database:")
        for kind, n, elapsed in statements.by_kind():
            if elapsed >= 0.0005:
                print(f"    {elapsed * 1000:8.1f} ms  {n:3d} × {kind}")

    def explain(self, statements: Statements) -> None:
        print("\nEXPLAIN of the last red sweep's statements (the rows armed red again) and of the anchor's UPDATE:")
        now = self.arm(red=True)
        anchor = (
            f"UPDATE {self.table} SET light = 2, lit_at = %s, next_check_at = NULL "  # noqa: S608
            "WHERE status = 'running' AND next_check_at <= %s",
            [now, now],
        )
        table = Deadline._meta.db_table
        shown = (
            ("the probe (is anything due?)", statements.first("SELECT", table, lambda sql: "LIMIT 1" in sql)),
            (
                "the first batch's SELECT",
                statements.first("SELECT", table, lambda sql: "LIMIT" in sql and "LIMIT 1" not in sql),
            ),
            (
                "a later batch's SELECT (from where the one before ended)",
                statements.first("SELECT", table, lambda sql: "LIMIT %s" in sql and " id > " in sql),
            ),
            ("the UPDATE of the lights", statements.first("UPDATE", table)),
            ("the anchor's UPDATE", anchor),
        )
        for label, found in shown:
            if found is None:
                print(f"  {label}: not run")
                continue
            sql, params = found
            # The sweep's "now" was that of its own run: ask with the moment the rows were armed for.
            params = [now if isinstance(p, datetime) else p for p in params or []]
            text = sql if len(sql) < 400 else sql[:300] + f" … ({len(params)} parameters)"
            print(f"  {label}: {text}")
            for row in _explain(sql, params):
                print(f"    {row}")
        self.restore_armed()


def _transitions(policy: DeadlinePolicy) -> bool:
    actions = [*(policy.on_yellow or []), *(policy.on_red or [])]
    return any(isinstance(a, dict) and a.get("type") == "transition" for a in actions)


def _changed() -> str:
    return " — did another session stop one of the chosen deadlines? (their rows are left as that session made them)"


def _explain(sql: str, params: list) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [", ".join(f"{k}={v}" for k, v in zip(columns, row, strict=True)) for row in cursor.fetchall()]
        if sql.lstrip().upper().startswith("SELECT") and connection.mysql_is_mariadb:
            cursor.execute("ANALYZE FORMAT=JSON " + sql, params)  # runs it: rows locked until the rollback
            plan = json.loads(cursor.fetchone()[0])["query_block"]
            table = (plan.get("nested_loop") or [{}])[0].get("table", {})
            rows.append(
                f"ANALYZE: access={table.get('access_type')} key={table.get('key')} "
                f"r_rows={table.get('r_rows')} r_total_time_ms={plan.get('r_total_time_ms', 0):.1f} "
                f"pages={table.get('r_engine_stats', {})}"
            )
        transaction.set_rollback(True)
        return rows


def _rows(model: Any, queryset: Any) -> tuple[str, list[list[Any]]]:
    """The INSERT of `model` without its id, and the rows of `queryset` as its parameters, prepared."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    rows = queryset.order_by("pk").values_list(*(f.attname for f in fields))
    return sql, [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows]


def _series_prefix() -> str:
    from lowcode.core.naming import _render

    return _render(NOTICE_SERIES, timezone.localdate())[0]


def _server() -> str:
    if connection.vendor != "mysql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@version, @@innodb_buffer_pool_size")
        version, pool = cursor.fetchone()
        cursor.execute(
            "SELECT (data_length + index_length) FROM information_schema.tables "
            "WHERE table_schema = DATABASE() AND table_name = %s",
            [Deadline._meta.db_table],
        )
        size = (cursor.fetchone() or [0])[0] or 0
    return f"{version}; InnoDB buffer pool {int(pool) / 2**20:,.0f} MiB; deadline table {int(size) / 2**20:,.0f} MiB"


def _ms(values: list[float]) -> str:
    return ", ".join(f"{v * 1000:.0f}" for v in values)


def _p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1 if len(values) > 1 else 0]
