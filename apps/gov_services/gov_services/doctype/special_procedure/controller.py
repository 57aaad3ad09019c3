"""The Special Procedure controller: starting one moves its application into 特别程序 (the promised limit pauses
and the 特别程序告知书 is issued), ending it with its findings moves the application back to review (the limit
resumes) — on every surface, in the same transaction as the record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.application.models import Application
from gov_services.gov_services.doctype.special_procedure.models import SpecialProcedure
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.permissions import has_permission
from lowcode.deadlines.selectors import NoCalendar, calendar_snapshot


def open_procedure(application_id: int | None) -> SpecialProcedure | None:
    if application_id is None:
        return None
    return SpecialProcedure.objects.filter(application_id=application_id, ended_at__isnull=True).first()


def _take(application: Application, action: str, ctx: WriteContext, comment: str) -> None:
    """Take the application's transition for the procedure's write; a refusal is the write's (a ValidationError,
    which every surface shows as such), not an error of the platform."""
    from lowcode.workflow.engine import WorkflowError, apply_transition

    try:
        apply_transition(application, action, ctx.user, comment=comment, as_system=ctx.user is None)
    except WorkflowError as exc:
        raise ValidationError(str(exc), code="workflow") from exc


class SpecialProcedureController(Controller):
    def before_insert(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        application = Application.objects.filter(pk=doc.application_id).first() if doc.application_id else None
        if application is not None and ctx.user is not None and not has_permission(ctx.user, application, "write"):
            application = None  # another department's, or none of the writer's: as if it did not exist
        if application is None or application.status != Application.Status.UNDER_REVIEW:
            raise ValidationError(
                {"application": _("A special procedure is started on an application under review.")},
                code="not_under_review",
            )
        if open_procedure(application.pk) is not None:
            raise ValidationError(
                {"application": _("This application already has a special procedure running.")}, code="running"
            )
        doc.department_id = application.department_id
        doc.started_at = timezone.now()
        if not doc.expected_days:
            raise ValidationError({"expected_days": _("Say how many working days it is expected to take.")})
        try:
            doc.expected_end = calendar_snapshot().add_working_days(doc.started_at, doc.expected_days)
        except NoCalendar:
            doc.expected_end = None

    def frozen_fields(self, doc: SpecialProcedure, ctx: WriteContext) -> tuple[set[str] | None, str]:
        ended = SpecialProcedure.objects.filter(pk=doc.pk).values_list("ended_at", flat=True).first()
        if ended is None:
            return set(), ""
        return None, _("An ended special procedure is the record of what it found; it is not changed.")

    def validate(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        if doc.ended_at is None:
            return
        if ctx.creating:
            raise ValidationError({"ended_at": _("A special procedure ends after it has started.")})
        if not (doc.findings or "").strip():
            raise ValidationError({"findings": _("Record what the special procedure found to end it.")})
        doc.ended_at = timezone.now()  # when its end is recorded: the review and its clock resume then

    def after_insert(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        comment = _("%(kind)s: %(reason)s (expected %(days)s working days)") % {
            "kind": doc.get_kind_display(),
            "reason": doc.reason.strip(),
            "days": doc.expected_days,
        }
        _take(doc.application, "start_special_procedure", ctx, comment)

    def on_update(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        if ctx.changing("ended_at") and doc.ended_at is not None and ctx.was("ended_at", doc) is None:
            comment = _("%(kind)s ended: %(findings)s") % {
                "kind": doc.get_kind_display(),
                "findings": doc.findings.strip(),
            }
            _take(Application.objects.get(pk=doc.application_id), "resume_review", ctx, comment)

    def on_trash(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        if doc.ended_at is None:
            raise ValidationError(
                _("A running special procedure is ended with its findings, not deleted."), code="running"
            )
