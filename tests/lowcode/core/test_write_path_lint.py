"""The write-path lint: outside lowcode.core.documents, nothing writes a record with the ORM's low-level calls
(save(), delete(), create(), bulk_create(), bulk_update(), get_or_create(), update_or_create(), a queryset's
update()) or raw SQL (a cursor's executemany(), or execute() of an INSERT, UPDATE, DELETE or REPLACE), so no
new surface can write around the DocType's controller.

The few writers below that must use them are named with the reason and how many calls they make; a new
call anywhere else — or one more in these files — fails this test, and the author either goes through
insert_doc / save_doc / delete_doc or adds the place here with its reason, in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

from lowcode.sites import BENCH_ROOT

LOW_LEVEL = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_HEADS = {"objects", "filter", "exclude", "all", "select_for_update", "_default_manager", "order_by"}

# path (from apps/) → (calls allowed, why)
ALLOWED: dict[str, tuple[int, str]] = {
    "lowcode/lowcode/core/documents.py": (6, "the write path itself (records and their child rows)"),
    "lowcode/lowcode/core/naming.py": (
        4,
        "naming-series counters: the row made once (INSERT IGNORE), then one atomic UPDATE … F() + 1 (not a DocType)",
    ),
    "lowcode/lowcode/core/throttle.py": (1, "the login audit's immutable LoginEvent rows"),
    "lowcode/lowcode/core/roles.py": (1, "role membership rows (auth's M2M through table)"),
    "lowcode/lowcode/api/auth.py": (1, "an API key's last-used time (not a DocType)"),
    "lowcode/lowcode/api/models.py": (2, "API key rows, hashed secret, its upgrade to the fast digest (not a DocType)"),
    "lowcode/lowcode/core/search.py": (5, "the n-gram search index, kept by the write path itself (not a DocType)"),
    "lowcode/lowcode/commands/site.py": (2, "the site's first Administrator (auth's own manager)"),
    "lowcode/lowcode/workflow/engine.py": (2, "the immutable WorkflowAction and WorkflowApproval audit rows"),
    "lowcode/lowcode/workflow/fixtures.py": (6, "a workflow's state and transition child rows, replaced whole"),
    "lowcode/lowcode/webforms/fixtures.py": (3, "a web form's page, section and field child rows, replaced whole"),
    "lowcode/lowcode/deadlines/services.py": (
        8,
        "clock rows the deadline engine owns (start/stop/pause/charge/restart)",
    ),
    "lowcode/lowcode/deadlines/recompute.py": (6, "bulk recompute of due instants after a calendar change"),
    "lowcode/lowcode/deadlines/sweep.py": (2, "the minute sweep's indexed UPDATE of lights (DESIGN.md)"),
    "lowcode/lowcode/deadlines/actions.py": (
        4,
        "supervision notices and light changes of the sweep, in bulk (one multi-row INSERT per table)",
    ),
    "lowcode/lowcode/scheduler/jobs.py": (3, "job bookkeeping rows (not DocTypes)"),
    "lowcode/lowcode/scheduler/tasks.py": (2, "job bookkeeping rows (not DocTypes)"),
    "lowcode/lowcode/printing/services.py": (1, "the kept PDF of an issued notice (immutable record)"),
    "lowcode/lowcode/printing/bulk.py": (6, "bulk print job bookkeeping and its notification (not DocTypes)"),
    "lowcode/lowcode/customization/services.py": (2, "archiving and purging custom values in bulk"),
    "lowcode/lowcode/customization/views.py": (3, "Customize Form's property-setter rows, replaced as a whole"),
    "gov_services/gov_services/doctype/application/controller.py": (1, "the application's material child rows"),
    "gov_services/gov_services/doctype/guide/services.py": (2, "a new guide version's copied child rows"),
    "gov_services/gov_services/doctype/matter/excel.py": (4, "a guide's material and fee child rows, replaced whole"),
    "gov_services/gov_services/doctype/portal_account/services.py": (2, "the real-name check record; sign-up user"),
    "gov_services/gov_services/doctype/work_order/admin.py": (2, "follow-up messages, child rows of the order"),
    "gov_services/portal/views.py": (1, "work-order follow-up messages (child rows)"),
    "gov_services/demo/__init__.py": (4, "demo users and their memberships (auth's own models)"),
    "gov_services/demo/records.py": (
        3,
        "back-dating the demo's history after its real transitions: timeline times, record dates, clocks rebuilt",
    ),
    "gov_services/benchmark_data.py": (3, "1,000,000 benchmark rows and their search tokens in bulk (benchmarks only)"),
}


def low_level_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) of every low-level ORM write in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, receiver = node.func.attr, node.func.value
        if name in LOW_LEVEL and name in ("save", "delete") and node.args:
            continue  # save(buffer) of a workbook, delete(key) of a cache: not a model's
        if name == "save" and any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False for k in node.keywords
        ):
            continue  # a form's save(commit=False) builds instances and writes nothing
        if name in LOW_LEVEL:
            found.append((node.lineno, name))
        elif name == "executemany" or (name == "execute" and node.args and _writes(node.args[0])):
            found.append((node.lineno, name))
        elif name == "update" and not node.args and node.keywords and _queryset(receiver):
            found.append((node.lineno, "update"))
    return found


WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(sql: ast.AST) -> bool:
    """Raw SQL written in the call that changes rows (SQL held in a variable is a SELECT or counted by
    executemany)."""
    if isinstance(sql, ast.JoinedStr):
        head = sql.values[0] if sql.values else None
        text = head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else ""
    elif isinstance(sql, ast.Constant) and isinstance(sql.value, str):
        text = sql.value
    else:
        return False
    return text.lstrip().upper().startswith(WRITE_VERBS)


def _queryset(node: ast.AST) -> bool:
    while isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Attribute) and (node.attr in QUERYSET_HEADS or _queryset(node.value))


def scan(root: Path) -> dict[str, list[tuple[int, str]]]:
    calls = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found = low_level_calls(path.read_text(encoding="utf-8"))
        if found:
            calls[path.relative_to(root).as_posix()] = found
    return calls


def test_nothing_writes_around_the_write_path() -> None:
    problems = []
    for path, calls in scan(BENCH_ROOT / "apps").items():
        allowed = ALLOWED.get(path, (0, ""))[0]
        if len(calls) > allowed:
            problems.append(f"{path}: {len(calls)} low-level writes (allowed {allowed}): {calls}")
    assert problems == []


def test_the_lint_fires_on_a_surface_that_writes_around_the_controller(tmp_path: Path) -> None:
    bad = tmp_path / "gov_services" / "portal" / "shortcut.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "def publish(guide):\n"
        "    guide.status = 'published'\n"
        "    guide.save(update_fields=['status'])\n"
        "    Guide.objects.filter(pk=guide.pk).update(status='published')\n"
        "    GuideMaterial.objects.create(guide=guide, name='其他')\n"
        "    workbook.save(buffer)\n"
        "    values.update(status='x')\n"
        "    cursor.execute(f'UPDATE {table} SET status = %s', ['published'])\n"
        "    cursor.execute('SELECT 1')\n"
        "    cursor.executemany(sql, rows)\n",
        encoding="utf-8",
    )
    assert scan(tmp_path) == {
        "gov_services/portal/shortcut.py": [
            (3, "save"),
            (4, "update"),
            (5, "create"),
            (8, "execute"),
            (10, "executemany"),
        ]
    }
