"""What the desk shows of deadlines: a light badge per row, the filters "due today", "yellow" and "red", and
the running deadlines on a form in plain language."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lowcode.core import registry
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

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        deadlines = open_for(queryset.model)
        value = self.value()
        if value == "today":
            start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            deadlines = deadlines.filter(due_at__gte=start, due_at__lt=start + timedelta(days=1))
        elif value == "yellow":
            deadlines = deadlines.filter(light=Deadline.Light.YELLOW)
        elif value == "red":
            deadlines = deadlines.filter(light=Deadline.Light.RED)
        else:
            return queryset
        # Few matching clocks: their documents by id. Many: each row of the list's own order is probed through
        # the (doctype, doc_id, status) index — a scalar subquery, which MariaDB keeps as a probe, where an IN or
        # EXISTS would be turned into a semi-join that materialises every match and sorts them.
        few = list(deadlines.order_by().values_list("doc_id", flat=True).distinct()[: FEW_DOCUMENTS + 1])
        if len(few) <= FEW_DOCUMENTS:
            return queryset.filter(pk__in=few)
        probe = Subquery(deadlines.filter(doc_id=OuterRef("pk")).order_by().values("pk")[:1])
        return queryset.alias(_deadline_match=probe).filter(_deadline_match__isnull=False)
