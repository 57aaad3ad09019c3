"""The desk's Application list and the API's list pages at volume, each next to the raw SQL of the same page.

    ./bench new-site bench-maria --db-type mariadb
    ./bench --site bench-maria make-benchmark-data --applications 1000000 --open-fraction 0.3
    ./bench new-site bench-demo --db-type mariadb            # the 48-application demo site
    ./bench --site bench-maria benchmark desk_list --compare bench-demo [--repeat 5] [--explain]

For each page a clerk opens — the default list, filtered by status, by department, by a red light, searched by
a name, by a number and by an ID number, sorted by each sortable column, page 200 — as Administrator, as the
window clerk and as a department reviewer, it prints the median time of the whole request (the Django test
client, in process: session, permissions, rendering), the page's database time and number of queries, and the
raw SQL of the same page: its 50 rows with their matter and department (read by id through the order's index,
the fastest SQL there is), its capped count and its rows' deadline lights. Then the API's list pages (default,
filtered, a deep page by limit_start and by cursor). With --compare, the same pages on the other site (run as a
subprocess) and the ratio. With --explain, the EXPLAIN of each page's queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gov_services.models import Application, Department
from lowcode.core import counting

USERS = (("Administrator", None), ("clerk", "Window Clerk"), ("reviewer", "Department Reviewer"))
PAGE = 50
HOST = "127.0.0.1"  # a host the site allows (the test client's "testserver" is not one)


def _users() -> dict[str, Any]:
    User = get_user_model()
    found = {"Administrator": User.objects.filter(is_superuser=True).order_by("pk").first()}
    found["clerk"] = User.objects.filter(groups__name="Window Clerk", is_active=True).order_by("pk").first()
    found["reviewer"] = (
        User.objects.filter(groups__name="Department Reviewer", is_active=True, username__contains="market")
        .order_by("pk")
        .first()
        or User.objects.filter(groups__name="Department Reviewer", is_active=True).order_by("pk").first()
    )
    return {k: v for k, v in found.items() if v is not None}


def _q(table: str, name: str) -> str:
    return f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(name)}"


def cases() -> list[dict[str, Any]]:
    """The pages, each with its address and the WHERE / ORDER BY of its raw SQL."""
    app = Application._meta.db_table
    sample = Application.objects.order_by("-pk").values("number", "applicant_name", "id_number").first()
    market = Department.objects.filter(applications__isnull=False).order_by("pk").values_list("pk", flat=True)[:1]
    department = market[0] if market else 0
    token = connection.ops.quote_name("lowcode_core_searchtoken")
    deadline = connection.ops.quote_name("lowcode_deadlines_deadline")
    name = sample["applicant_name"] if sample else "王伟"
    grams = sorted({a + b for a, b in pairwise(name)}) or [name]
    name_where = " AND ".join(
        f"{_q(app, 'id')} IN (SELECT doc_id FROM {token} WHERE doctype = 'Application' AND token = %s)"  # noqa: S608
        for _ in grams
    )
    name_where += f" AND ({_q(app, 'applicant_name')} LIKE %s OR {_q(app, 'contact_name')} LIKE %s)"
    found = [
        {"case": "default", "query": {}, "where": "", "params": []},
        {
            "case": "status under review",
            "query": {"workflow_state": "under_review"},
            "where": f"{_q(app, 'status')} = %s",
            "params": ["under_review"],
        },
        {
            "case": "one department",
            "query": {"department__id__exact": department},
            "where": f"{_q(app, 'department_id')} = %s",
            "params": [department],
        },
        {
            "case": "red light",
            "query": {"deadline": "red"},
            "where": f"(SELECT d.id FROM {deadline} d WHERE d.doctype = 'Application' "  # noqa: S608
            f"AND d.doc_id = {_q(app, 'id')} AND d.status IN ('running', 'paused') AND d.light = 2 "
            "LIMIT 1) IS NOT NULL",
            "params": [],
            "clocks": "d.light = 2",  # listed most urgent clock first, read through the deadline index
        },
        {
            "case": "name search",
            "query": {"q": name},
            "where": name_where,
            "params": [*grams, f"%{name}%", f"%{name}%"],
        },
        {
            "case": "number search",
            "query": {"q": sample["number"] if sample else "BM"},
            "where": f"{_q(app, 'number')} LIKE %s",
            "params": [f"{sample['number'] if sample else 'BM'}%"],
        },
        {
            "case": "ID number search",
            "query": {"q": sample["id_number"] if sample else "0"},
            "where": f"{_q(app, 'id_number')} = %s",
            "params": [sample["id_number"] if sample else "0"],
        },
        {"case": "page 200", "query": {"p": 200}, "where": "", "params": [], "offset": 199 * PAGE},
    ]
    for index, column, label in (
        (0, "number", "number"),
        (1, "applicant_name", "applicant"),
        (3, "matter_id", "matter"),
        (4, "department_id", "department"),
        (5, "status", "status"),
        (7, "submitted_at", "submitted"),
    ):
        for direction in ("asc", "desc"):
            found.append(
                {
                    "case": f"sorted by {label} {direction}",
                    "query": {"o": f"{'-' if direction == 'desc' else ''}{index + 1}"},
                    "where": "",
                    "params": [],
                    "order": (column, direction),
                }
            )
    return found


def scope_where(user_key: str, user: Any) -> tuple[str, list[Any]]:
    if user_key != "reviewer":
        return "", []
    from gov_services.permissions import user_department_id

    department = user_department_id(user)
    app = Application._meta.db_table
    through = Application.co_departments.through
    if not through.objects.filter(department_id=department).exists():  # as the scope reads it: no joint ones
        return f"{_q(app, 'department_id')} = %s", [department]
    co = connection.ops.quote_name(Application.co_departments.through._meta.db_table)
    where = (
        f"({_q(app, 'department_id')} = %s OR EXISTS (SELECT 1 FROM {co} c "  # noqa: S608
        f"WHERE c.application_id = {_q(app, 'id')} AND c.department_id = %s))"
    )
    return where, [department, department]


def raw_page(case: dict[str, Any], scope: tuple[str, list[Any]]) -> tuple[float, int]:
    """The same page in hand-written SQL: ids through the order's index, the rows with their links, the capped
    count, the rows' lights. Returns (seconds, queries)."""
    app = connection.ops.quote_name(Application._meta.db_table)
    matter = connection.ops.quote_name("gov_services_matter")
    dept = connection.ops.quote_name("gov_services_department")
    deadline = connection.ops.quote_name("lowcode_deadlines_deadline")
    conditions = [c for c in (scope[0], case["where"]) if c]
    params = [*scope[1], *case["params"]]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    column, direction = case.get("order", ("submitted_at", "desc"))
    order = f"{_q(Application._meta.db_table, column)} {direction}"
    if not Application._meta.get_field(column.removesuffix("_id")).unique:  # a unique column needs no tie-break
        order += f", {_q(Application._meta.db_table, 'id')} {direction}"
    offset = case.get("offset", 0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if not case.get("clocks") or scope[0]:  # a scoped light page too is counted from the documents' side
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {app} {where} LIMIT {counting.cap() + 1}) c",  # noqa: S608
                params,
            )
            cursor.fetchall()
        if case.get("clocks"):
            ids = _raw_clock_page(cursor, case["clocks"], scope)
        else:
            cursor.execute(
                f"SELECT {app}.id FROM {app} {where} ORDER BY {order} LIMIT {PAGE} OFFSET {offset}",  # noqa: S608
                params,
            )
            ids = [row[0] for row in cursor.fetchall()]
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT a.*, m.name, d.name FROM {app} a JOIN {matter} m ON m.id = a.matter_id "  # noqa: S608
                f"JOIN {dept} d ON d.id = a.department_id WHERE a.id IN ({marks})",
                ids,
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT doc_id, light, due_at FROM {deadline} WHERE doctype = 'Application' "  # noqa: S608
                f"AND doc_id IN ({marks}) AND status IN ('running', 'paused')",
                ids,
            )
            cursor.fetchall()
    return time.perf_counter() - started, 4 if ids else 2


def _raw_clock_page(cursor: Any, clocks: str, scope: tuple[str, list[Any]]) -> list[Any]:
    """A light filter's page as the desk orders it: the matching clocks through the deadline index, due first,
    one open status at a time, each checked against the user's scope by primary key; unscoped, the count capped
    on the clocks."""
    app = Application._meta.db_table
    deadline = connection.ops.quote_name("lowcode_deadlines_deadline")
    probe, params = "", []
    if scope[0]:
        probe = (
            f" AND (SELECT {_q(app, 'id')} FROM {connection.ops.quote_name(app)} "  # noqa: S608
            f"WHERE {_q(app, 'id')} = d.doc_id AND {scope[0]} LIMIT 1) IS NOT NULL"
        )
        params = scope[1]
    base = f"FROM {deadline} d WHERE d.doctype = 'Application' AND {clocks}{probe}"
    if not probe:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 {base} AND d.status IN ('running', 'paused') "  # noqa: S608
            f"LIMIT {counting.cap() + 1}) c",
        )
        cursor.fetchall()
    rows: list[Any] = []
    for status in ("running", "paused"):
        cursor.execute(
            f"SELECT d.due_at, d.id, d.doc_id {base} AND d.status = %s ORDER BY d.due_at, d.id LIMIT {PAGE}",
            [*params, status],
        )
        rows += cursor.fetchall()
    rows.sort(key=lambda row: (row[0], row[1]))
    return list(dict.fromkeys(row[2] for row in rows))[:PAGE]


def measure(client: Client, url: str, repeat: int) -> dict[str, Any]:
    response = client.get(url)  # warm: the process has its definitions loaded, as a running one has
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times, db_times, counts = [], [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        db_times.append(sum(float(q["time"]) for q in captured.captured_queries))
        counts.append(len(captured.captured_queries))
    own = [q for q in captured.captured_queries if LIST_TABLES & set(_tables(q["sql"]))]
    return {
        "ms": statistics.median(times) * 1000,
        "db_ms": statistics.median(db_times) * 1000,
        "list_db_ms": sum(float(q["time"]) for q in own) * 1000,
        "queries": max(counts),
        "last": captured.captured_queries,
        "body": response.content,
    }


LIST_TABLES = {"gov_services_application", "lowcode_deadlines_deadline", "lowcode_core_searchtoken"}


def _tables(sql: str) -> list[str]:
    return [t for t in LIST_TABLES if t in sql]


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        else:
            cursor.execute("EXPLAIN " + sql)
        columns = [c[0] for c in cursor.description]
        return [", ".join(f"{k}={v}" for k, v in zip(columns, row, strict=True)) for row in cursor.fetchall()]


STATEMENT_SECONDS = 8  # on MariaDB a statement is stopped after this long and the page reported as "stopped"


def run_all(repeat: int, with_explain: bool, only: str = "", skip: str = "") -> list[dict[str, Any]]:
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET SESSION max_statement_time = {STATEMENT_SECONDS}")
    users = _users()
    results = []
    base = reverse("admin:gov_services_application_changelist")
    from urllib.parse import urlencode

    for key, user in users.items():
        client = Client(SERVER_NAME=HOST)
        client.force_login(user)
        scope = scope_where(key, user)
        for case in cases():
            if only not in case["case"] or (skip and skip in case["case"]):
                continue
            url = f"{base}?{urlencode(case['query'])}" if case["query"] else base
            try:
                page = measure(client, url, repeat)
            except (DatabaseError, SystemExit) as exc:
                results.append({"surface": "desk", "user": key, "case": case["case"], "stopped": str(exc)[:80]})
                continue
            try:
                raw_ms = statistics.median(raw_page(case, scope)[0] for _ in range(repeat)) * 1000
            except DatabaseError:
                raw_ms = STATEMENT_SECONDS * 1000.0
            row = {
                "surface": "desk",
                "user": key,
                "case": case["case"],
                "ms": page["ms"],
                "db_ms": page["db_ms"],
                "list_db_ms": page["list_db_ms"],
                "queries": page["queries"],
                "raw_ms": raw_ms,
            }
            if with_explain:
                row["explain"] = {
                    f"{float(q['time']) * 1000:.1f} ms  {q['sql'][:200]}": explain(q["sql"])
                    for q in page["last"]
                    if "gov_services_application" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
                }
            results.append(row)
        if only in "api":
            results += api_pages(user, key, scope, repeat)
    return results


def api_pages(user: Any, key: str, scope: tuple[str, list[Any]], repeat: int) -> list[dict[str, Any]]:
    from lowcode.api.models import credential_generate

    credential, secret = credential_generate(user=user)
    client = Client(SERVER_NAME=HOST, HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
    app = connection.ops.quote_name(Application._meta.db_table)
    rows = []
    pages = [
        ("default", "limit=20", "", [], 0),
        ("status filter", 'limit=20&filters={"status":"under_review"}', "status = %s", ["under_review"], 0),
        ("limit_start=500000", "limit=20&limit_start=500000", "", [], 500_000),
    ]
    for label, query, where, params, offset in pages:
        try:
            page = measure(client, f"/api/resource/Application?{query}", repeat)
        except (DatabaseError, SystemExit) as exc:
            rows.append({"surface": "api", "user": key, "case": label, "stopped": str(exc)[:80]})
            continue
        conditions = [c for c in (scope[0], where) if c]
        sql_where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        all_params = [*scope[1], *params]

        def raw(sql_where: str = sql_where, offset: int = offset, all_params: list[Any] = all_params) -> float:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM {app} {sql_where} ORDER BY modified_at DESC, id DESC "  # noqa: S608
                    f"LIMIT 20 OFFSET {offset}",
                    all_params,
                )
                ids = [r[0] for r in cursor.fetchall()]
                if ids:
                    marks = ", ".join(["%s"] * len(ids))
                    cursor.execute(f"SELECT * FROM {app} WHERE id IN ({marks})", ids)  # noqa: S608
                    cursor.fetchall()
            return time.perf_counter() - started

        try:
            raw_ms = statistics.median(raw() for _ in range(repeat)) * 1000
        except DatabaseError:
            raw_ms = STATEMENT_SECONDS * 1000.0
        rows.append(
            {
                "surface": "api",
                "user": key,
                "case": label,
                "ms": page["ms"],
                "db_ms": page["db_ms"],
                "list_db_ms": page["list_db_ms"],
                "queries": page["queries"],
                "raw_ms": raw_ms,
            }
        )
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark desk_list")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", help="another site to run the same pages on (e.g. the demo site)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for --compare)")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--skip", default="", help="leave out the pages whose name contains this")
    args = parser.parse_args(argv)
    total = Application.objects.count()
    results = run_all(args.repeat, args.explain, args.only, args.skip)
    if args.json:
        print(json.dumps({"applications": total, "results": results}, default=str))
        return 0
    other: dict[tuple[str, str, str], dict[str, Any]] = {}
    other_total = None
    if args.compare:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "lowcode.commands", "--site", args.compare, "benchmark", "desk_list"),
                *("--json", "--repeat", str(args.repeat), "--only", args.only, "--skip", args.skip),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(done.stdout.strip().splitlines()[-1])
        other_total = data["applications"]
        other = {(r["surface"], r["user"], r["case"]): r for r in data["results"]}
    print(f"database: {connection.vendor}; applications: {total:,}; runs per figure: {args.repeat}")
    if other_total is not None:
        print(f"compared with site {args.compare} ({other_total:,} applications)")
    header = (
        f"{'surface':7} {'user':13} {'page':28} {'ms':>8} {'db ms':>7} {'list db':>7} {'queries':>7} "
        f"{'raw ms':>7} {'list/raw':>8}"
    )
    if other:
        header += f" {'small ms':>9} {'×small':>7}"
    print(header)
    for r in results:
        if "stopped" in r:
            print(f"{r['surface']:7} {r['user']:13} {r['case']:28} stopped after {STATEMENT_SECONDS} s: {r['stopped']}")
            continue
        line = (
            f"{r['surface']:7} {r['user']:13} {r['case']:28} {r['ms']:8.1f} {r['db_ms']:7.1f} {r['list_db_ms']:7.1f} "
            f"{r['queries']:7d} {r['raw_ms']:7.1f} {r['list_db_ms'] / max(r['raw_ms'], 0.01):8.2f}"
        )
        small = other.get((r["surface"], r["user"], r["case"]))
        if small:
            line += f" {small['ms']:9.1f} {r['ms'] / max(small['ms'], 0.01):7.2f}"
        print(line)
        for sql, plan in (r.get("explain") or {}).items():
            print(f"    {sql}")
            for step in plan:
                print(f"      EXPLAIN {step}")
    return 0
