"""The Work Order controller, on every writer (desk, API, portal, import, the workflow engine):

- numbered by the day it was received, whoever registers it (首接负责制);
- an order transferred from 12345 carries its 12345 ticket number, one order per ticket (S000 art. 6(5));
- the lead unit (the order's department) is never one of its co-units, which the hotline names (S000 art. 7);
- a unit returns an order that is not its business only with the reason and basis, and only within the return
  limit after it was transferred to it (S000 art. 7; the limit is the deadline policy `work_order_return`);
- a unit's reply is "completed" with its result document, or "cannot be completed" with a written explanation
  (S000 art. 8), and once replied that is the record.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.work_order.models import (
    NAMING_SERIES,
    WorkOrder,
    WorkOrderCoUnit,
    WorkOrderMessage,
)
from gov_services.gov_services.doctype.work_order.selectors import return_limit
from lowcode.core.controller import Controller, WriteContext, Writer
from lowcode.core.naming import make_name
from lowcode.core.permissions import user_roles

DISPATCHER = "Hotline Agent"  # names the units: the lead (department) and the co-units
S = WorkOrder.Status
REPLY_RECORD = {"result_file", "explanation"}  # with reply and outcome, which the reply transition requires


class WorkOrderError(StrEnum):
    NOT_OWN = "not_own"
    FROZEN = "frozen"
    TICKET_REQUIRED = "ticket_required"
    TICKET_NOT_12345 = "ticket_not_12345"
    TICKET_DUPLICATE = "ticket_duplicate"
    LEAD_IS_CO_UNIT = "lead_is_co_unit"
    CO_UNIT_TWICE = "co_unit_twice"
    CO_UNITS_BY_DISPATCHER = "co_units_by_dispatcher"
    RETURN_REASON_REQUIRED = "return_reason_required"
    RETURN_LIMIT_PASSED = "return_limit_passed"
    OUTCOME_REQUIRED = "outcome_required"
    RESULT_FILE_REQUIRED = "result_file_required"
    EXPLANATION_REQUIRED = "explanation_required"


def refused(field: str | None, message: str, code: WorkOrderError) -> ValidationError:
    """The refusal of a write, by the field when there is one, with its code (kept by the engine and the API)."""
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class WorkOrderController(Controller):
    def before_insert(self, doc: WorkOrder, ctx: WriteContext) -> None:
        if getattr(ctx.user, "pk", None) and not ctx.user.is_staff:
            doc.applicant_user = ctx.user
        if doc.received_at is None:
            doc.received_at = timezone.now()
        check_ticket(doc)  # before the model's own checks, which would name a duplicate without the reason
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate(doc.received_at))

    def validate(self, doc: WorkOrder, ctx: WriteContext) -> None:
        if ctx.creating:
            self._filed_by_citizen(doc, ctx)
        elif ctx.changed & {"source", "hotline_ticket_no"}:
            check_ticket(doc)
        if ctx.changing("department") and doc.department_id and doc.pk:
            if WorkOrderCoUnit.objects.filter(work_order_id=doc.pk, department_id=doc.department_id).exists():
                message = _("%(unit)s is a co-unit of this order; remove it there to make it the lead unit.")
                raise refused("department", message % {"unit": doc.department}, WorkOrderError.LEAD_IS_CO_UNIT)
        if ctx.creating or ctx.changed & {"outcome", "explanation", "status"}:
            check_explanation(doc)
        if ctx.changing("status") and doc.status == S.RETURNED:
            check_return(doc)
        if ctx.changing("status") and doc.status == S.REPLIED and ctx.was("status", doc) == S.ACCEPTED:
            check_unit_reply(doc)

    def frozen_fields(self, doc: WorkOrder, ctx: WriteContext) -> tuple[set[str] | None, str]:
        """Once replied, the result document and the explanation are what was answered (the 12345 platform and the
        applicant have them); the reply and its outcome are the reply transition's. A reopened order is answered
        anew. `doc.status` is the stored state: only the workflow changes it, and its writes are not frozen."""
        if doc.status in (S.REPLIED, S.CLOSED) and not ctx.changing("status"):
            return set(REPLY_RECORD), _("The reply is the record of what was answered; it is not changed afterwards.")
        return set(), ""

    def validate_rows(self, doc: WorkOrder, model: type, rows: list, ctx: WriteContext) -> None:
        if model is WorkOrderMessage:
            # follow-up messages are kept as written: new ones are added, none is edited afterwards
            stored = dict(WorkOrderMessage.objects.filter(work_order=doc).values_list("pk", "text"))
            if any(row.pk in stored and stored[row.pk] != row.text for row in rows):
                raise ValidationError(
                    _("A message is kept as it was sent; add a new one instead."), code=WorkOrderError.FROZEN
                )
        elif model is WorkOrderCoUnit:
            check_co_units(doc, rows, ctx)

    @staticmethod
    def _filed_by_citizen(doc: WorkOrder, ctx: WriteContext) -> None:
        """A citizen's work order is their own, and names only their own application."""
        user = ctx.user
        if not getattr(user, "pk", None) or user.is_staff:
            return
        if doc.applicant_user_id not in (None, user.pk):
            raise refused("applicant_user", _("A work order is filed as yourself."), WorkOrderError.NOT_OWN)
        if doc.application_id and doc.application.applicant_user_id != user.pk:
            raise refused("application", _("You may name only your own application."), WorkOrderError.NOT_OWN)


def check_ticket(doc: WorkOrder) -> None:
    """A 12345 order has its 12345 ticket number and no other order has the same; no other order has one (NULL,
    so the unique index holds the 12345 tickets only)."""
    ticket = (doc.hotline_ticket_no or "").strip() or None
    doc.hotline_ticket_no = ticket
    if doc.source != WorkOrder.Source.HOTLINE_12345:
        if ticket is not None:
            raise refused(
                "hotline_ticket_no",
                _("Only an order transferred from 12345 has a 12345 ticket number."),
                WorkOrderError.TICKET_NOT_12345,
            )
        return
    if ticket is None:
        raise refused(
            "hotline_ticket_no",
            _("An order transferred from 12345 carries its 12345 ticket number."),
            WorkOrderError.TICKET_REQUIRED,
        )
    if WorkOrder.objects.filter(hotline_ticket_no=ticket).exclude(pk=doc.pk).exists():
        message = _("12345 ticket %(ticket)s is already recorded on another work order.")
        raise refused("hotline_ticket_no", message % {"ticket": ticket}, WorkOrderError.TICKET_DUPLICATE)


def check_explanation(doc: WorkOrder) -> None:
    if doc.outcome == WorkOrder.Outcome.CANNOT_COMPLETE and not doc.explanation.strip():
        raise refused(
            "explanation",
            _("Explain in writing why the order cannot be completed (S000 art. 8)."),
            WorkOrderError.EXPLANATION_REQUIRED,
        )


def check_unit_reply(doc: WorkOrder) -> None:
    """The unit answering an order it signed for (S000 art. 8): its result document, or the written explanation of
    why it cannot be completed. (The hotline's own direct answer, from the knowledge base, needs neither.)"""
    if not doc.outcome:
        raise refused(
            "outcome",
            _(
                "Choose the reply's outcome: completed, with the result document, or cannot be completed, "
                "with a written explanation."
            ),
            WorkOrderError.OUTCOME_REQUIRED,
        )
    if doc.outcome == WorkOrder.Outcome.COMPLETED and not doc.result_file:
        raise refused(
            "result_file",
            _(
                "A completed order is answered with its result document (S000 art. 8): upload it first, or "
                "choose “cannot be completed” with a written explanation."
            ),
            WorkOrderError.RESULT_FILE_REQUIRED,
        )


def check_return(doc: WorkOrder) -> None:
    """A unit returns an order as not its business with the detailed reason and basis, within the return limit
    after it was transferred to it (S000 art. 7)."""
    missing = {
        name: ValidationError(
            _("Give the detailed reason and the basis for returning the order (S000 art. 7)."),
            code=WorkOrderError.RETURN_REASON_REQUIRED,
        )
        for name in ("return_reason", "return_basis")
        if not getattr(doc, name).strip()
    }
    if missing:
        raise ValidationError(missing)
    limit = return_limit(doc)
    if limit is not None and timezone.now() > limit:
        raise ValidationError(
            _(
                "The time for returning this order has passed: it was transferred to your unit at %(transferred)s "
                "and could be returned until %(limit)s (S000 art. 7). Accept it and handle it."
            )
            % {"transferred": _local(doc.transferred_at) if doc.transferred_at else "—", "limit": _local(limit)},
            code=WorkOrderError.RETURN_LIMIT_PASSED,
        )


def check_co_units(doc: WorkOrder, rows: list[WorkOrderCoUnit], ctx: WriteContext) -> None:
    """The co-units of an order involving several departments: named by the hotline, each once, never the lead."""
    named = [row.department_id for row in rows if row.department_id]
    stored = set(WorkOrderCoUnit.objects.filter(work_order_id=doc.pk).values_list("department_id", flat=True))
    if set(named) != stored and ctx.writer is Writer.USER and not getattr(ctx.user, "is_superuser", False):
        if DISPATCHER not in user_roles(ctx.user):
            raise ValidationError(
                _("The co-units are named by the hotline (%(role)s).") % {"role": DISPATCHER},
                code=WorkOrderError.CO_UNITS_BY_DISPATCHER,
            )
    if any(count > 1 for count in Counter(named).values()):
        raise ValidationError(_("A co-unit is named once."), code=WorkOrderError.CO_UNIT_TWICE)
    if doc.department_id and doc.department_id in named:
        raise ValidationError(
            _("%(unit)s is the lead unit of this order and cannot also be a co-unit.") % {"unit": doc.department},
            code=WorkOrderError.LEAD_IS_CO_UNIT,
        )
