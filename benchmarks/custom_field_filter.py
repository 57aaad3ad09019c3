"""Filtering Applications by a custom Date field, next to the standard indexed `submitted_at`, in the same run.

    ./bench new-site bench-maria --db-type mariadb --admin-password …
    ./bench --site bench-maria make-benchmark-data --applications 1000000 --open-fraction 0.05
    ./bench --site bench-maria benchmark custom_field_filter [--repeat 7] [--days 30]

On first run it adds the custom field 营业执照有效期 (`licence_valid_until`, Date, in standard filter — which
makes its indexed generated column) and gives every application a value: its submission date plus a year, give
or take 15 days, so both columns spread alike and equal windows select about as many rows. Then, for a window
of `days` on each column (the custom one a year later), it times what the desk list does — COUNT(*) for the
paginator and the first page of 50 newest — and prints the medians of `repeat` runs, the ratios custom /
standard (target ≤ 2), the rows matched, and the EXPLAIN of each query, showing which index it uses.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from gov_services.models import Application
from lowcode.customization import index, services
from lowcode.customization.models import CustomField

KEY = "licence_valid_until"
CHUNK = 100_000


def _field() -> CustomField:
    cf = CustomField.objects.filter(doctype="Application", fieldname=KEY).first()
    if cf is None:
        admin = get_user_model().objects.filter(is_superuser=True).first()
        cf = services.custom_field_insert(
            cf=CustomField(
                doctype="Application",
                fieldname=KEY,
                label_zh="营业执照有效期",
                fieldtype="Date",
                in_standard_filter=True,
                in_list_view=True,
            ),
            user=admin,
        )
    elif not cf.in_standard_filter:
        cf.in_standard_filter = True
        services.custom_field_update(cf=cf, fields=["in_standard_filter"], user=None)
    index.ensure_index(Application, cf)
    return cf


def _fill() -> int:
    """Give every application without one a value, in chunks of ids (one statement each)."""
    table = connection.ops.quote_name(Application._meta.db_table)
    top = Application.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    path = f'$."{KEY}"'
    if connection.vendor == "mysql":
        value = "DATE_FORMAT(DATE_ADD(DATE(submitted_at), INTERVAL 350 + (id %% 31) DAY), '%%Y-%%m-%%d')"
        missing = f"JSON_VALUE(custom, '{path}') IS NULL"
        setter = f"JSON_SET(custom, '{path}', {value})"
    else:
        value = "date(submitted_at, '+' || (350 + id %% 31) || ' days')"
        missing = f"json_extract(custom, '{path}') IS NULL"
        setter = f"json_set(custom, '{path}', {value})"
    # Names and constants of this module only; the id bounds are parameters.
    sql = f"UPDATE {table} SET custom = {setter} WHERE id > %s AND id <= %s AND {missing}"  # noqa: S608
    changed = 0
    with connection.cursor() as cursor:
        for low in range(0, top, CHUNK):
            cursor.execute(sql, [low, low + CHUNK])
            changed += cursor.rowcount
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE TABLE {table}")
    return changed


def _time(run: object, repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark custom_field_filter")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    total = Application.objects.count()
    cf = _field()
    filled = _fill()
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=200)
    end = start + timedelta(days=args.days)
    standard = Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    custom_start, custom_end = (start + timedelta(days=365)).date(), (end + timedelta(days=365)).date()
    custom, alias = index.annotate(Application.objects.all(), cf)
    custom = custom.filter(**{f"{alias}__gte": custom_start, f"{alias}__lt": custom_end})

    rows = {}
    print(f"{connection.vendor}: {total:,} applications; {filled:,} values filled now; window {args.days} days")
    for name, queryset, order in (
        ("standard submitted_at", standard, "-submitted_at"),
        (f"custom {KEY}", custom, f"-{alias}"),
    ):
        count_ms, count = _time(lambda q=queryset: q.count(), args.repeat)
        page_ms, _page = _time(
            lambda q=queryset, o=order: list(q.order_by(o).values_list("pk", flat=True)[:50]), args.repeat
        )
        rows[name] = (count_ms, page_ms, count)
        print(f"  {name:28} COUNT {count_ms:8.1f} ms   first page {page_ms:8.1f} ms   rows {count:,}")
    (sc, sp, _), (cc, cp, _) = rows.values()
    print(f"  ratio custom / standard:     COUNT {cc / sc:.2f}×   first page {cp / sp:.2f}×   (target ≤ 2×)")
    # For comparison: the same filter read out of the JSON, as for a field that is not a standard filter.
    scan = Application.objects.alias(_json=Cast(KeyTextTransform(KEY, "custom"), DateField()))
    scan = scan.filter(_json__gte=custom_start, _json__lt=custom_end)
    scan_ms, scan_count = _time(lambda: scan.count(), 1)
    print(f"  without the index (JSON read): COUNT {scan_ms:8.1f} ms   rows {scan_count:,}   (one run)")
    for name, queryset, order in (("standard", standard, "-submitted_at"), ("custom", custom, f"-{alias}")):
        for what, query in (("COUNT", queryset.order_by()), ("first page", queryset.order_by(order)[:50])):
            print(f"EXPLAIN {name} {what}:")
            print("  " + query.explain().replace("\n", "\n  "))
    return 0
