"""The Handover controller: numbering, and which applications a handover may list (a department hands over
and receives only its own applications; a delivery may bundle any)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.handover.models import NAMING_SERIES, Handover, HandoverItem
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import make_name


def item_problems(handover: Handover, applications: Iterable[Any]) -> list[str]:
    applications = [a for a in applications if a is not None]
    if not applications:
        return [_("A handover lists at least one application.")]
    foreign = [a.number for a in applications if a.department_id != handover.department_id]
    if foreign and handover.kind != Handover.Kind.DELIVERY:
        return [_("Applications of another department: %(numbers)s") % {"numbers": ", ".join(foreign)}]
    return []


def check_items(handover: Handover, applications: Iterable[Any]) -> None:
    problems = item_problems(handover, applications)
    if problems:
        raise ValidationError(problems, code="items")


class HandoverController(Controller):
    def validate(self, doc: Handover, ctx: WriteContext) -> None:
        if ctx.changing("received_at") and doc.received_at is not None and doc.received_at > timezone.now():
            raise ValidationError({"received_at": _("The materials cannot have been received in the future.")})

    def validate_rows(self, doc: Handover, model: type, rows: list[Any], ctx: WriteContext) -> None:
        if model is HandoverItem:
            check_items(doc, [row.application if row.application_id else None for row in rows])

    def before_insert(self, doc: Handover, ctx: WriteContext) -> None:
        if doc.kind == Handover.Kind.MATERIALS and doc.received_at is None:
            doc.received_at = timezone.now()  # not told otherwise: received as it is handed over
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate())
