"""A page of a large list: its ids through the index of its order first, then its rows by id.

A query that orders a million rows and joins their links at once leaves the optimizer free to drive the join
from the small table and sort everything; reading the page's ids alone walks the order's index and stops after
the page (an index-only scan, even deep), and the rows with their links are then fetched by primary key.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet


def rows_by_id(queryset: QuerySet, bottom: int, top: int, *, annotations_needed: bool = True) -> list[models.Model]:
    """The rows [bottom, top) of `queryset` in its order: their ids through the ordering index, then the rows
    with their links for those ids only. `annotations_needed=False`: the annotations only filter or order (the
    API's custom-field names), the rows are loaded without them."""
    query = queryset.query
    if (query.annotation_select and annotations_needed) or query.distinct_fields or query.extra or query.combinator:
        return list(queryset[bottom:top])  # the rows need what only the full query gives
    ids = list(queryset.values_list("pk", flat=True)[bottom:top])
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


def _related_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for name, below in tree.items():
        path = f"{prefix}{name}"
        deeper = _related_paths(below, f"{path}__") if below else []
        paths += deeper or [path]
    return paths
