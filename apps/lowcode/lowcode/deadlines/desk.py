"""What the desk shows of deadlines: a light badge per row, the filters "due today", "yellow" and "red", and
the running deadlines on a form in plain language."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.sql.where import AND, WhereNode
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lowcode.core import counting, registry
from lowcode.deadlines.models import Deadline, DeadlinePolicy
from lowcode.deadlines.services import OPEN

FEW_DOCUMENTS = 2000  # a light filter matching no more documents than this lists them by id

BADGE = {
    Deadline.Light.GREEN: ("success", gettext_lazy("On time")),
    Deadline.Light.YELLOW: ("warning", gettext_lazy("Nearly due")),
    Deadline.Light.RED: ("danger", gettext_lazy("Overdue")),
}


def has_policies(model: type[models.Model]) -> bool:
    doctype = registry.for_model(model)
    return bool(doctype) and DeadlinePolicy.objects.filter(doctype=doctype.name, is_active=True).exists()


def open_for(model: type[models.Model]) -> QuerySet:
    doctype = registry.for_model(model)
    return Deadline.objects.filter(doctype=doctype.name if doctype else "", status__in=OPEN)


def decorate(rows: list[models.Model]) -> None:
    """Give each row of a desk page `deadline_light` (the worst light of its open deadlines) and `deadline_due`
    (the nearest due instant) — one indexed query for the page's ids, never a subquery per row of the table."""
    if not rows:
        return
    model = type(rows[0])
    lights: dict[Any, Any] = {}
    dues: dict[Any, datetime] = {}
    found = open_for(model).filter(doc_id__in=[row.pk for row in rows]).values_list("doc_id", "light", "due_at")
    for doc_id, light, due in found:
        if doc_id not in lights or light > lights[doc_id]:
            lights[doc_id] = light
        if doc_id not in dues or due < dues[doc_id]:
            dues[doc_id] = due
    for row in rows:
        row.deadline_light = lights.get(row.pk)
        row.deadline_due = dues.get(row.pk)


def decorate_one(obj: models.Model, deadline: Deadline) -> None:
    """As `decorate`, for one row whose open deadline is already read."""
    obj.deadline_light = deadline.light  # type: ignore[attr-defined]
    obj.deadline_due = deadline.due_at  # type: ignore[attr-defined]


def badge(obj: models.Model) -> tuple[str, str] | None:
    light = getattr(obj, "deadline_light", None)
    if light is None:
        return None
    colour, label = BADGE[light]
    due = getattr(obj, "deadline_due", None)
    if due is not None:
        return colour, f"{label} · {format_instant(due)}"
    return colour, str(label)


def format_instant(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(month)s/%(day)s %(time)s") % {"month": local.month, "day": local.day, "time": f"{local:%H:%M}"}


def format_date_long(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(year)s-%(month)s-%(day)s %(time)s") % {
        "year": local.year,
        "month": local.month,
        "day": local.day,
        "time": f"{local:%H:%M}",
    }


def format_span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


def describe(deadline: Deadline, now: datetime | None = None) -> dict[str, Any]:
    """A running, paused or finished deadline in plain words, e.g. "将于 2026年3月2日 17:30 前办结"."""
    now = now or timezone.now()
    if deadline.status in (Deadline.Status.DONE, Deadline.Status.CANCELLED):
        finished = deadline.finished_at or now
        if finished <= deadline.due_at:
            text = _("Done %(at)s, on time (due %(due)s)")
        else:
            text = _("Done %(at)s, late (due %(due)s)")
        text = text % {"at": format_date_long(finished), "due": format_date_long(deadline.due_at)}
    elif deadline.status == Deadline.Status.PAUSED:
        text = _("Paused since %(since)s, with %(left)s of working time left") % {
            "since": format_date_long(deadline.paused_at or now),
            "left": format_span(deadline.remaining or timedelta(0)),
        }
    elif deadline.due_at <= now:
        text = _("Was due by %(due)s — overdue") % {"due": format_date_long(deadline.due_at)}
    else:
        text = _("To be done by %(due)s") % {"due": format_date_long(deadline.due_at)}
    colour, label = BADGE[deadline.light]
    if deadline.status == Deadline.Status.RUNNING and deadline.due_at <= now:
        colour, label = BADGE[Deadline.Light.RED]
    return {
        "policy": deadline.policy.label,
        "text": text,
        "colour": colour,
        "light": label,
        "open": deadline.status in OPEN,
        "deadline": deadline,
    }


class DeadlineFilter(admin.SimpleListFilter):
    title = gettext_lazy("time limit")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("today", gettext_lazy("Due today")),
            ("yellow", gettext_lazy("Yellow light")),
            ("red", gettext_lazy("Red light")),
        ]

    def __init__(self, request: HttpRequest, params: Any, model: type[models.Model], model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        self.model = model

    def matching(self, model: type[models.Model]) -> QuerySet | None:
        """The open deadlines of `model` the chosen choice shows, or None when none is chosen."""
        deadlines = open_for(model)
        value = self.value()
        if value == "today":
            start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            return deadlines.filter(due_at__gte=start, due_at__lt=start + timedelta(days=1))
        if value == "yellow":
            return deadlines.filter(light=Deadline.Light.YELLOW)
        if value == "red":
            return deadlines.filter(light=Deadline.Light.RED)
        return None

    def page_driver(self) -> DueOrder | None:
        """With a light chosen and no column sorted, the list shows the most urgent clock first, read through the
        deadline index — the order a clerk chasing overdue work wants, and one no index of the document serves
        (the newest documents are the green ones)."""
        deadlines = self.matching(self.model)
        return None if deadlines is None else DueOrder(deadlines)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        deadlines = self.matching(queryset.model)
        if deadlines is None:
            return queryset
        # Few matching clocks: their documents by id. Many: each row of the list's own order is probed through
        # the (doctype, doc_id, status) index — a scalar subquery, which MariaDB keeps as a probe, where an IN or
        # EXISTS would be turned into a semi-join that materialises every match and sorts them.
        few = list(deadlines.order_by().values_list("doc_id", flat=True).distinct()[: FEW_DOCUMENTS + 1])
        if len(few) <= FEW_DOCUMENTS:
            return queryset.filter(pk__in=few)
        probe = Subquery(deadlines.filter(doc_id=OuterRef("pk")).order_by().values("pk")[:1])
        setattr(probe, OWN_PROBE, True)  # DueOrder reads matching clocks already: it leaves this probe out
        return queryset.alias(_deadline_match=probe).filter(_deadline_match__isnull=False)


OWN_PROBE = "lowcode_light_probe"


def _probes_the_light(node: Any) -> bool:
    if isinstance(node, WhereNode):
        return (
            node.connector == AND
            and not node.negated
            and len(node.children) == 1
            and _probes_the_light(node.children[0])
        )
    return bool(getattr(getattr(node, "lhs", None), OWN_PROBE, False))


def without_light_probe(queryset: QuerySet) -> QuerySet:
    """The list without the light filter's own per-row probe into the clocks: what a clock that matches the
    filter is checked against (it matches the filter by being read)."""
    children = queryset.query.where.children
    if queryset.query.where.connector != AND or queryset.query.where.negated:
        return queryset
    keep = [child for child in children if not _probes_the_light(child)]
    if len(keep) == len(children):
        return queryset
    clone = queryset.all()
    clone.query.where.children = keep
    return clone


class DueOrder:
    """The documents of a light filter in the order of their most urgent open clock (due first), paged through
    the deadline index `(doctype, status, light, due_at)`, one status at a time: each clock read is checked
    against the list's own conditions by primary key (a scalar subquery, kept as a probe), so the page costs
    its clocks, not the table. A document with several matching clocks is listed once, at its first."""

    note = gettext_lazy("most urgent time limit first — sort by a column to change the order")

    def __init__(self, deadlines: QuerySet) -> None:
        self.deadlines = deadlines

    def _in_list(self, queryset: QuerySet) -> QuerySet:
        probe = Subquery(without_light_probe(queryset).filter(pk=OuterRef("doc_id")).order_by().values("pk")[:1])
        return self.deadlines.alias(_in_list=probe).filter(_in_list__isnull=False)

    def ids(self, queryset: QuerySet, bottom: int, top: int) -> list[Any]:
        candidates = self._in_list(queryset)
        wanted = max(top, 1)
        while True:
            rows: list[tuple[Any, Any, Any]] = []
            horizon = None  # the rows are exact up to the last one read of a status that had more
            for status in OPEN:
                ordered = candidates.filter(status=status).order_by("due_at", "pk")
                found = list(ordered.values_list("due_at", "pk", "doc_id")[:wanted])
                if len(found) == wanted:
                    last = (found[-1][0], found[-1][1])
                    horizon = last if horizon is None else min(horizon, last)
                rows += found
            rows.sort(key=lambda row: (row[0], row[1]))
            if horizon is not None:
                rows = [row for row in rows if (row[0], row[1]) <= horizon]
            ids = list(dict.fromkeys(row[2] for row in rows))
            if len(ids) >= top or horizon is None:
                return ids[bottom:top]
            wanted *= 2

    def count(self, queryset: QuerySet, most: int) -> int:
        """The documents, counted exactly while they are no more than `most`. A list with no condition but the
        light counts its clocks, which stop at the cap, and reads their distinct documents only when they are
        few; a narrower list (a department's scope, another filter) counts from the documents' side, each
        probing its clocks through the (doctype, doc_id, status) index — the clocks of a light are spread over
        the whole table, and checking each against the list would read a document row per clock."""
        rest = without_light_probe(queryset)
        if rest.query.where:
            return counting.capped_count(queryset, most)
        clocks = self.deadlines.order_by()[: most + 1].count()
        if clocks > most:
            return clocks
        return self._in_list(queryset).order_by().values("doc_id").distinct().count()
