"""The supervisor's overview: red lights by department, open supervision notices, the red items, and the
automatic actions (yellow and red) that failed on the open deadlines — each with its error, for someone to act."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lowcode.core import permissions, registry
from lowcode.deadlines.models import Deadline, DeadlineActionFailure, SupervisionNotice
from lowcode.deadlines.services import OPEN

MAX_ITEMS = 200


@staff_member_required(login_url="admin:login")
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.has_role_right(user, Deadline, "read"):
        raise PermissionDenied
    now = timezone.now()
    deadlines = permissions.scope(user, Deadline.objects.filter(status__in=OPEN), "read")
    by_department = {
        row["department"]: {**row, "notices_open": 0, "notices_overdue": 0}
        for row in deadlines.values("department")
        .annotate(
            red=Count("pk", filter=Q(light=Deadline.Light.RED)),
            yellow=Count("pk", filter=Q(light=Deadline.Light.YELLOW)),
            running=Count("pk"),
        )
        .order_by("department")
    }
    if permissions.has_role_right(user, SupervisionNotice, "read"):
        notices = permissions.scope(
            user, SupervisionNotice.objects.filter(status=SupervisionNotice.Status.OPEN), "read"
        )
        for row in notices.values("department").annotate(
            open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
        ):
            entry = by_department.setdefault(
                row["department"], {"department": row["department"], "red": 0, "yellow": 0, "running": 0}
            )
            entry["notices_open"], entry["notices_overdue"] = row["open"], row["overdue"]
    rows = sorted(by_department.values(), key=lambda r: (-r["red"], -r.get("notices_overdue", 0), r["department"]))
    red = list(deadlines.filter(light=Deadline.Light.RED).select_related("policy").order_by("due_at")[:MAX_ITEMS])
    for item in red:
        item.link = _document_link(item)
        item.late = timezone.localtime(now) - timezone.localtime(item.due_at)
    failed = DeadlineActionFailure.objects.filter(deadline__in=deadlines.values("pk"))
    failures = list(failed.select_related("deadline__policy")[:MAX_ITEMS])
    for failure in failures:
        failure.link = _document_link(failure.deadline)
    context = {
        **admin.site.each_context(request),
        "title": _("Red lights by department"),
        "rows": rows,
        "red": red,
        "failures": failures,
        "max_items": MAX_ITEMS,
        "totals": {
            "red": sum(r["red"] for r in rows),
            "yellow": sum(r["yellow"] for r in rows),
            "notices_open": sum(r.get("notices_open", 0) for r in rows),
            "notices_overdue": sum(r.get("notices_overdue", 0) for r in rows),
            "failed": len(failures) if len(failures) < MAX_ITEMS else failed.count(),
        },
    }
    return render(request, "deadlines/overview.html", context)


def _document_link(deadline: Deadline) -> str:
    try:
        opts = registry.get(deadline.doctype).model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[deadline.doc_id])
    except (registry.UnknownDocType, NoReverseMatch):
        return ""
