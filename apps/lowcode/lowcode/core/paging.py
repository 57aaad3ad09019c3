"""A page of a large list: its ids through the index of its order first, then its rows by id.

A query that orders a million rows and joins their links at once leaves the optimizer free to drive the join
from the small table and sort everything; reading the page's ids alone walks the order's index and stops after
the page (an index-only scan, even deep), and the rows with their links are then fetched by primary key.

A list whose conditions hold an OR of a few branches — a department reviewer's scope is "my department's
applications, or the ones we handle jointly" — has no index that serves the OR and the order at once: the
database reads every row of either branch and sorts them. Each branch alone has one (`(department,
submitted_at)`, the primary key), so the page's ids are read as the UNION of each branch's first rows in the
list's order, which the database then orders and cuts to the page (`branches`); the capped count the same way.
Backends that cannot order and limit inside a UNION (SQLite) run the single query.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.sql.where import OR, WhereNode

MAX_BRANCHES = 4


class PageDriver(Protocol):
    """A list whose order another table's index serves (a light filter: the most urgent clock first) reads its
    page's ids and its count there, for the rows of the queryset it is given."""

    def ids(self, queryset: QuerySet, bottom: int, top: int) -> list[Any]: ...

    def count(self, queryset: QuerySet, most: int) -> int: ...


def rows_by_id(
    queryset: QuerySet,
    bottom: int,
    top: int,
    *,
    annotations_needed: bool = True,
    driver: PageDriver | None = None,
) -> list[models.Model]:
    """The rows [bottom, top) of `queryset` in its order: their ids through the ordering index, then the rows
    with their links for those ids only. `annotations_needed=False`: the annotations only filter or order (the
    API's custom-field names), the rows are loaded without them. `driver`: the ids in the driver's order."""
    query = queryset.query
    if (query.annotation_select and annotations_needed) or query.distinct_fields or query.extra or query.combinator:
        return list(queryset[bottom:top])  # the rows need what only the full query gives
    parts = None if driver else branches(queryset)
    if driver is not None:
        ids = driver.ids(queryset, bottom, top)
    elif parts is None:
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    else:
        ids = _union_ids(parts, _order_names(queryset) or [], bottom, top)
    if not ids:
        return []
    loader = queryset.model._default_manager.filter(pk__in=ids).order_by()
    if query.select_related:
        loader = (
            loader.select_related()
            if query.select_related is True
            else loader.select_related(*_related_paths(query.select_related))
        )
    deferred, defer = query.deferred_loading
    if deferred:
        loader = loader.defer(*deferred) if defer else loader.only(*deferred)
    found = {row.pk: row for row in loader}
    return [found[pk] for pk in ids if pk in found]


def branches(queryset: QuerySet) -> list[QuerySet] | None:
    """One queryset per branch of the first OR among the conditions the list ANDs together (2 to
    MAX_BRANCHES branches), each with every other condition and the same order; None when the list has no
    such OR, orders by something other than its own columns, or the backend cannot order inside a UNION."""
    query = queryset.query
    if not connections[queryset.db].features.supports_slicing_ordering_in_compound:
        return None
    if query.distinct or query.combinator or query.extra or query.low_mark or query.high_mark is not None:
        return None
    if not _order_names(queryset):
        return None
    where = query.where
    if where.negated:
        return None
    if where.connector == OR:
        position, node = None, where
    else:
        found = [
            (i, child)
            for i, child in enumerate(where.children)
            if isinstance(child, WhereNode) and child.connector == OR and not child.negated
        ]
        if not found:
            return None
        position, node = found[0]
    if not 2 <= len(node.children) <= MAX_BRANCHES:
        return None
    parts = []
    for disjunct in node.children:
        part = queryset._chain()  # type: ignore[attr-defined]
        if position is None:
            part.query.where = WhereNode([disjunct])
        else:
            part.query.where.children[position] = disjunct
        parts.append(part)
    return parts


def _order_names(queryset: QuerySet) -> list[str] | None:
    """The list's order as the model's own column names ("-submitted_at", "pk"), or None when it orders by an
    expression or across a link."""
    query = queryset.query
    order = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    names = []
    for part in order:
        if not isinstance(part, str) or "__" in part or part.lstrip("-") in ("", "?"):
            return None
        names.append(part)
    return names


def _columns(names: list[str]) -> list[str]:
    return [name.lstrip("-") for name in names if name.lstrip("-") != "pk"]


DEEP = 1000  # a page starting this far down first counts its branches


def _union_ids(parts: list[QuerySet], order: list[str], bottom: int, top: int) -> list[Any]:
    """The ids [bottom, top) of the union of the branches: each branch's first `top` ids in the order (the page
    cannot hold a row that is not among them), ordered and cut once more over the union.

    A deep page would have the UNION gather every branch's rows down to it before cutting; it first counts each
    branch (no further than `top`, through the branch's index): a page past all of them together is empty, and
    a page of a list whose other branches are empty is read from the one branch alone."""
    if bottom >= DEEP:
        sizes = [part.order_by()[:top].count() for part in parts]
        if sum(sizes) <= bottom:
            return []
        filled = [part for part, size in zip(parts, sizes, strict=True) if size]
        if len(filled) == 1:
            return list(filled[0].order_by(*order).values_list("pk", flat=True)[bottom:top])
        parts = filled
    columns = _columns(order)
    firsts = [part.order_by(*order).values_list("pk", *columns)[:top] for part in parts]
    union = firsts[0].union(*firsts[1:])
    return [row[0] for row in union.order_by(*order)[bottom:top]]


def capped_union_count(parts: list[QuerySet], most: int) -> int:
    """How many distinct rows the branches hold together, counting each no further than `most` + 1."""
    firsts = [part.order_by().values_list("pk")[: most + 1] for part in parts]
    return firsts[0].union(*firsts[1:]).count()


def _related_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for name, below in tree.items():
        path = f"{prefix}{name}"
        deeper = _related_paths(below, f"{path}__") if below else []
        paths += deeper or [path]
    return paths
