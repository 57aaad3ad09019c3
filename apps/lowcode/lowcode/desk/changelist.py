"""The desk list at a city's volume: a page costs what its rows cost, not what the table holds.

- The page's ids are read first, through the index of the list's order (`SELECT id … ORDER BY … LIMIT 50`);
  its rows, their links and what the model admin adds to them (deadline lights) are then loaded for those ids
  only — never a per-row subquery over the whole table, and no join in the query that orders.
- The count is capped (lowcode.core.counting): exact below the cap, "about N" for the whole table, "more than
  N" for a filtered list beyond it; pages past the count can still be opened while they have rows.
- The order is one an index serves: a link column sorts by its key, not by the linked table's own ordering,
  and the tie-break on the primary key runs in the same direction as the sort.
- Facet counts (Django's "show counts") are capped the same way, one bounded count per choice.
- The date hierarchy reads the first and last date through the index and offers the years, months and days
  between, instead of reading every row's date.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, Max, Min
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.functional import cached_property

from lowcode.core import counting
from lowcode.core.paging import PageDriver, branches, rows_by_id

DRIVER_ATTR = "_lowcode_page_driver"


class DeskPaginator(Paginator):
    """Counts no further than the cap; a page's rows are loaded by id (see the module's description)."""

    template_name = "desk/pagination.html"
    driver: PageDriver | None = None

    @cached_property
    def row_count(self) -> counting.RowCount:
        if self.driver is not None:
            most = counting.cap()
            found = self.driver.count(self.object_list, most)
            return counting.RowCount(found) if found <= most else counting.RowCount(most, "more")
        return counting.count_rows(self.object_list)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self.row_count.value

    def validate_number(self, number: Any) -> int:
        """Any page from 1 on: beyond an estimated count a page is simply empty."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        return max(1, number)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(rows_by_id(self.object_list, bottom, bottom + self.per_page, driver=self.driver), number, self)


class DeskChangeList(ChangeList):
    order_note: str | None = None
    driver: PageDriver | None = None

    def get_ordering_field(self, field_name: Any) -> Any:
        """A link column sorts by its key (indexed) rather than by the linked DocType's own ordering (a join
        and a sort of the whole table)."""
        if isinstance(field_name, str):
            try:
                field = self.lookup_opts.get_field(field_name)
            except FieldDoesNotExist:
                field = None
            if field is not None and field.many_to_one and field.concrete:
                return field.attname
        return super().get_ordering_field(field_name)

    def _get_deterministic_ordering(self, ordering: list[Any]) -> list[Any]:
        """Django's tie-break on the primary key, in the direction of the sort, so one index serves both."""
        ordering = super()._get_deterministic_ordering(ordering)
        if len(ordering) >= 2 and ordering[-1] == "-pk":
            first = _direction(ordering[-2])
            if first == "asc":
                ordering[-1] = "pk"
        return ordering

    def page_driver(self) -> PageDriver | None:
        """A filter whose own order the list takes when the user has not chosen one (a light filter: the most
        urgent clock first), read through that filter's index; the note says so above the rows."""
        self.order_note = None
        if ORDER_VAR in self.params:
            return None
        for spec in self.filter_specs:
            offer = getattr(spec, "page_driver", None)
            driver = offer() if offer is not None else None
            if driver is not None:
                self.order_note = getattr(driver, "note", None)
                return driver
        return None

    def get_results(self, request: Any) -> None:
        self.driver = driver = self.page_driver()
        setattr(request, DRIVER_ATTR, driver)  # DocTypeAdmin.get_paginator hands it to the paginator
        super().get_results(request)
        self.row_count = self.paginator.row_count
        self.count_label = self.row_count.label()
        self.multi_page = self.multi_page or not self.row_count.exact
        more = len(self.result_list) == self.list_per_page if isinstance(self.result_list, list) else False
        beyond = self.page_num >= self.paginator.num_pages and not self.row_count.exact
        self.next_page_url = self.get_query_string({PAGE_VAR: self.page_num + 1}) if more and beyond else None
        if not isinstance(self.result_list, list):  # one page only, or "show all": still loaded by id
            top = max(self.list_max_show_all, self.list_per_page)
            self.result_list = rows_by_id(self.queryset, 0, top, driver=driver)
        decorate = getattr(self.model_admin, "decorate_page", None)
        if decorate is not None:
            decorate(request, self.result_list)

    def get_filters(self, request: Any) -> Any:
        found = super().get_filters(request)
        for spec in found[0]:
            if hasattr(spec, "get_facet_counts"):
                spec.get_facet_queryset = _capped_facets(spec, self)
        return found


def _direction(part: Any) -> str:
    if isinstance(part, str):
        return "desc" if part.startswith("-") else "asc"
    if isinstance(part, OrderBy):
        return "desc" if part.descending else "asc"
    if isinstance(part, F):
        return "asc"
    return "desc"


def _capped_facets(spec: Any, changelist: DeskChangeList) -> Any:
    """A filter's facet counts, each one bounded count of its own (an index each), shown as "10000+" past the cap."""

    def facets(_changelist: Any = None) -> dict[str, Any]:
        filtered = changelist.get_queryset(spec.request, exclude_parameters=spec.expected_parameters())
        found = {}
        for key, aggregate in spec.get_facet_counts(changelist.pk_attname, filtered).items():
            condition = getattr(aggregate, "filter", None)
            rows = filtered.filter(condition) if condition is not None else filtered
            count = counting.count_rows(rows)
            found[key] = f"{count.value}+" if not count.exact else count.value
        return found

    return facets


# -- the date hierarchy -------------------------------------------------------------------------------------------


def _date_ends(queryset: Any, name: str, *, few: bool) -> tuple[Any, Any]:
    """The first and last date of the list. A list of few rows (its count exact, so at most the count cap)
    takes MIN and MAX over the rows its filter finds; a long one reads the two ends of the date index, which
    meet a matching row early. An OR of a few branches (lowcode.core.paging.branches) is read branch by
    branch, for no index serves the OR."""
    parts = branches(queryset) or [queryset]
    if few:
        ends = [p.order_by().aggregate(first=Min(name), last=Max(name)) for p in parts]
        firsts, lasts = [e["first"] for e in ends], [e["last"] for e in ends]
    else:
        firsts = [p.order_by(name).values_list(name, flat=True).first() for p in parts]
        lasts = [p.order_by(f"-{name}").values_list(name, flat=True).first() for p in parts]
    firsts, lasts = [v for v in firsts if v is not None], [v for v in lasts if v is not None]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


def date_hierarchy_choices(cl: ChangeList) -> dict[str, Any] | None:
    """What Django's date_hierarchy tag shows, without its SELECT DISTINCT over every row's date: the first and
    last date of the (filtered) list are read at the two ends of the index, and the years, months or days
    between them are offered — an empty one is only an empty list."""
    from django.contrib.admin.utils import get_fields_from_path
    from django.utils import formats
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    if not cl.date_hierarchy:
        return None
    name = cl.date_hierarchy
    field = get_fields_from_path(cl.model, name)[-1]
    aware = isinstance(field, models.DateTimeField)
    year_field, month_field, day_field = f"{name}__year", f"{name}__month", f"{name}__day"
    queryset = cl.queryset.order_by()
    row_count = getattr(cl, "row_count", None)  # a desk list's; another change list's is not known
    few = row_count is not None and row_count.exact
    if getattr(cl, "driver", None) is not None or (row_count is not None and not few):
        # a long filtered list's first matching date can lie far along the date index (a status found only
        # among recent rows, a joint branch probing every row) and a list ordered through another table (a
        # light filter) has no date order at all: the ends of the scoped list within the chosen dates are
        # read instead — a year or month offered with no matching row is only an empty list
        dates = {key: value for key, value in cl.params.items() if key in (year_field, month_field, day_field)}
        queryset = cl.root_queryset.filter(**dates).order_by()
        few = False

    def link(filters: dict[str, Any]) -> str:
        return cl.get_query_string(filters, [f"{name}__"])

    try:
        year, month, day = (
            int(cl.params[f]) if cl.params.get(f) else None for f in (year_field, month_field, day_field)
        )
        if year and month and day:
            chosen = date(year, month, day)
            return {
                "show": True,
                "back": {
                    "link": link({year_field: year, month_field: month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
    except (TypeError, ValueError):  # a year, month or day in the address bar that is no date
        return {"show": True, "back": {"link": link({}), "title": _("All dates")}, "choices": []}
    first, last = _date_ends(queryset, name, few=few)
    if first is None or last is None:
        return {"show": True, "back": None if not year else {"link": link({}), "title": _("All dates")}, "choices": []}
    if aware:
        first, last = timezone.localtime(first), timezone.localtime(last)
    first, last = (
        (first.date() if isinstance(first, datetime) else first),
        (last.date() if isinstance(last, datetime) else last),
    )
    if not year and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month
    if year and month:
        days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
                if first <= d <= last
            ],
        }
    if year:
        months = [date(year, m, 1) for m in range(1, 13)]
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
                if (first.year, first.month) <= (m.year, m.month) <= (last.year, last.month)
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: str(y)}), "title": str(y)} for y in range(first.year, last.year + 1)],
    }
