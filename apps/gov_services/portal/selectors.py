"""Reads of the portal: published guides to find, and an application's progress in plain Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gov_services.gov_services.codes import ServiceObject, ThemeWindow
from gov_services.gov_services.doctype.application.models import Application
from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.evaluation.controller import DECIDED
from gov_services.gov_services.doctype.matter.models import Matter
from lowcode.deadlines.models import Deadline
from lowcode.deadlines.services import all_deadlines
from lowcode.workflow.engine import workflow_for
from lowcode.workflow.models import WorkflowAction

AUDIENCES = {"person": gettext_lazy("Natural persons"), "company": gettext_lazy("Companies and organisations")}
PERSON = ServiceObject.NATURAL_PERSON.value
# Transitions whose comment is addressed to the applicant (what is missing, why refused); others stay internal.
APPLICANT_FACING = {"one_time_notice", "supplement_requested", "not_accepted", "denied", "withdrawn"}
WAITING_FOR_APPLICANT = {"one_time_notice", "supplement_requested"}


def published_matter_queryset() -> QuerySet[Matter]:
    """Matters a citizen may read the guide of: published, with a current guide."""
    return Matter.objects.filter(status=Matter.Status.PUBLISHED, published_guide__isnull=False).select_related(
        "department"
    )


def published_matters(*, q: str = "", theme: str = "", department: str = "", audience: str = "") -> list[Matter]:
    matters = published_matter_queryset()
    if q:
        matters = matters.filter(Q(name__icontains=q) | Q(basic_code__startswith=q) | Q(department__name__icontains=q))
    if theme in ThemeWindow.values:
        matters = matters.filter(theme_window=theme)
    if department.isascii() and department.isdigit() and len(department) <= 18:
        matters = matters.filter(department_id=int(department))
    found = list(matters.order_by("theme_window", "name")[:500])
    if audience == "person":
        found = [m for m in found if PERSON in (m.service_objects or [])]
    elif audience == "company":
        found = [m for m in found if set(m.service_objects or []) - {PERSON}]
    return found


def published_departments() -> QuerySet[Department, dict[str, Any]]:
    """The departments with published guides: pk and name, by name."""
    return (
        Department.objects.filter(matters__status=Matter.Status.PUBLISHED, matters__published_guide__isnull=False)
        .values("pk", "name")
        .distinct()
        .order_by("name")
    )


def state_labels(model: type) -> dict[str, str]:
    workflow = workflow_for(model)
    if workflow is None:
        return {}
    return {s.name: s.label_zh or s.name for s in workflow.states.all()}


def when(value: datetime) -> str:
    """A moment as people write it: 2026年3月2日 17:30 in Chinese, 2026-03-02 17:30 otherwise."""
    local = timezone.localtime(value)
    if (get_language() or "zh").startswith("zh"):
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


@dataclass
class Clock:
    label: str
    sentence: str
    light: str  # green, yellow, red, paused, done


def clocks(doc: Application) -> list[Clock]:
    """Every time limit on the application, said the way a citizen reads it."""
    result = []
    for deadline in all_deadlines(doc):
        label = deadline.policy.label
        if deadline.status == Deadline.Status.RUNNING:
            light = {1: "yellow", 2: "red"}.get(int(deadline.light), "green")
            if light == "red":
                sentence = _("overdue since %(when)s") % {"when": when(deadline.due_at)}
            else:
                sentence = _("to be completed by %(when)s") % {"when": when(deadline.due_at)}
        elif deadline.status == Deadline.Status.PAUSED:
            light, sentence = "paused", _("paused while we wait for your supplement")
        elif deadline.status == Deadline.Status.DONE:
            light = "done"
            sentence = _("completed on %(when)s") % {"when": when(deadline.finished_at or deadline.due_at)}
        else:
            continue
        result.append(Clock(label, sentence, light))
    return result


def overall_light(items: list[Clock]) -> str:
    running = [c.light for c in items if c.light in ("green", "yellow", "red")]
    for light in ("red", "yellow", "green"):
        if light in running:
            return light
    return ""


@dataclass
class Step:
    at: datetime
    label: str
    state: str
    comment: str


def timeline(doc: Application, labels: dict[str, str], *, with_comments: bool = True) -> list[Step]:
    steps = [Step(doc.submitted_at, _("Submitted"), "", "")]
    for action in WorkflowAction.objects.filter(doctype="Application", doc_id=str(doc.pk)).order_by("at", "id"):
        comment = action.comment if with_comments and action.to_state in APPLICANT_FACING else ""
        steps.append(Step(action.at, action.action_label, labels.get(action.to_state, action.to_state), comment))
    return steps


def mask_name(name: str) -> str:
    """张伟 -> 张*, 欧阳娜娜 -> 欧***; a company keeps its first two and last two characters."""
    if len(name) <= 1:
        return name
    if len(name) > 6:
        return name[:2] + "*" * (len(name) - 4) + name[-2:]
    return name[0] + "*" * (len(name) - 1)


def progress_of(number: str, phone: str) -> Application | None:
    """The public lookup: an application number with the phone number it was filed with, or nothing."""
    number, phone = number.strip(), phone.strip()
    if not number or not phone:
        return None
    return Application.objects.select_related("matter").filter(number=number, phone=phone).first()


def decided(doc: Any) -> bool:
    return doc.status in DECIDED
