"""The Work Order controller: numbered by the day it was received, whoever registers it (首接负责制)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.work_order.models import NAMING_SERIES, WorkOrder, WorkOrderMessage
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import make_name


class WorkOrderController(Controller):
    def validate(self, doc: WorkOrder, ctx: WriteContext) -> None:
        """A citizen's work order is their own, and names only their own application."""
        user = ctx.user
        if not ctx.creating or not getattr(user, "pk", None) or user.is_staff:
            return
        if doc.applicant_user_id not in (None, user.pk):
            raise ValidationError({"applicant_user": _("A work order is filed as yourself.")}, code="not_own")
        if doc.application_id and doc.application.applicant_user_id != user.pk:
            raise ValidationError({"application": _("You may name only your own application.")}, code="not_own")

    def validate_rows(self, doc: WorkOrder, model: type, rows: list, ctx: WriteContext) -> None:
        """Follow-up messages are kept as written: new ones are added, none is edited afterwards."""
        if model is not WorkOrderMessage:
            return
        stored = dict(WorkOrderMessage.objects.filter(work_order=doc).values_list("pk", "text"))
        if any(row.pk in stored and stored[row.pk] != row.text for row in rows):
            raise ValidationError(_("A message is kept as it was sent; add a new one instead."), code="frozen")

    def before_insert(self, doc: WorkOrder, ctx: WriteContext) -> None:
        if getattr(ctx.user, "pk", None) and not ctx.user.is_staff:
            doc.applicant_user = ctx.user
        if doc.received_at is None:
            doc.received_at = timezone.now()
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate(doc.received_at))
