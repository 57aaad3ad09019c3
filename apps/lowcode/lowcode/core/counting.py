"""How many rows a list has, at a cost that follows the page and not the table — for the desk and the API.

Counting a million rows takes a third of a second on MariaDB for every page shown, and more when the list is
scoped or filtered. So, as Frappe's list view does, a list is counted exactly only up to a cap
(site_config `list_count_cap`, default 10,000): `SELECT COUNT(*) FROM (SELECT 1 … LIMIT cap + 1)` reads at most
that many index entries. Beyond the cap:

- a list that is the whole table is "about N" — N from the database's own statistics (InnoDB's estimate of the
  table's rows, read from information_schema; SQLite counts its rowids, which is cheap there);
- a filtered or scoped list is "more than cap".

`exact_count` is for callers that must return an exact figure (Frappe's `frappe.client.get_count`): exact when
under the cap, else the full count, kept in the cache for a minute per query so a client polling it does not
count the table every time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lowcode.core.paging import branches, capped_union_count

DEFAULT_CAP = 10_000
EXACT_CACHE_SECONDS = 60


def cap() -> int:
    return max(1, int(settings.CONFIG.get("list_count_cap", DEFAULT_CAP)))


@dataclass(frozen=True)
class RowCount:
    """`value` rows; `kind` says how sure: "exact", "more" (more than value) or "about" (an estimate)."""

    value: int
    kind: str = "exact"

    @property
    def exact(self) -> bool:
        return self.kind == "exact"

    def label(self) -> str:
        figure = f"{self.value:,}"
        if self.kind == "about":
            return _("about %(count)s rows") % {"count": figure}
        if self.kind == "more":
            return _("more than %(count)s rows") % {"count": figure}
        return _("%(count)s rows") % {"count": figure}


def is_whole_table(queryset: QuerySet) -> bool:
    """No WHERE at all: the list is every row of the table."""
    return not queryset.query.where and not queryset.query.combinator and queryset.query.low_mark == 0


def capped_count(queryset: QuerySet, most: int) -> int:
    """The number of rows, counting no further than `most` + 1 (an OR of a few branches: each branch so far)."""
    parts = branches(queryset)
    if parts is not None:
        return min(capped_union_count(parts, most), most + 1)
    return queryset.order_by()[: most + 1].count()


def count_rows(queryset: QuerySet, most: int | None = None) -> RowCount:
    most = cap() if most is None else most
    found = capped_count(queryset, most)
    if found <= most:
        return RowCount(found)
    if is_whole_table(queryset):
        estimate = table_estimate(queryset.model, queryset.db)
        if estimate is not None:
            return RowCount(max(estimate, found), "about")
    return RowCount(most, "more")


def table_estimate(model: type[models.Model], using: str = "default") -> int | None:
    """The database's own idea of how many rows the table has, without counting them."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
                [table],
            )
            row = cursor.fetchone()
            return int(row[0]) if row and row[0] is not None else None
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            return int(cursor.fetchone()[0])
    return None


def exact_count(queryset: QuerySet) -> int:
    """The exact number of rows; above the cap served from the cache for a minute per query."""
    most = cap()
    found = capped_count(queryset, most)
    if found <= most:
        return found
    sql, params = queryset.order_by().query.sql_with_params()
    digest = hashlib.sha256(f"{queryset.db}|{sql}|{params!r}".encode()).hexdigest()[:32]
    key = f"lowcode:count:{digest}"
    value = cache.get(key)
    if value is None:
        value = queryset.order_by().count()
        cache.set(key, value, EXACT_CACHE_SECONDS)
    return int(value)
