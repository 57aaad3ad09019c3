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
from lowcode.deadlines.selectors import NoCalendar, calendar_snapshot


def open_procedure(application_id: int | None) -> SpecialProcedure | None:
    if application_id is None:
        return None
    return SpecialProcedure.objects.filter(application_id=application_id, ended_at__isnull=True).first()


class SpecialProcedureController(Controller):
    def before_insert(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        application = Application.objects.filter(pk=doc.application_id).first() if doc.application_id else None
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
        if doc.ended_at is not None:
            if ctx.creating:
                raise ValidationError({"ended_at": _("A special procedure ends after it has started.")})
            if not (doc.findings or "").strip():
                raise ValidationError({"findings": _("Record what the special procedure found to end it.")})
            if doc.ended_at < doc.started_at or doc.ended_at > timezone.now():
                raise ValidationError({"ended_at": _("It ends between its start and now.")})

    def after_insert(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        from lowcode.workflow.engine import apply_transition

        comment = _("%(kind)s: %(reason)s (expected %(days)s working days)") % {
            "kind": doc.get_kind_display(),
            "reason": doc.reason.strip(),
            "days": doc.expected_days,
        }
        apply_transition(
            doc.application, "start_special_procedure", ctx.user, comment=comment, as_system=ctx.user is None
        )

    def on_update(self, doc: SpecialProcedure, ctx: WriteContext) -> None:
        if ctx.changing("ended_at") and doc.ended_at is not None and ctx.was("ended_at", doc) is None:
            from lowcode.workflow.engine import apply_transition

            application = Application.objects.get(pk=doc.application_id)
            comment = _("%(kind)s ended: %(findings)s") % {
                "kind": doc.get_kind_display(),
                "findings": doc.findings.strip(),
            }
            apply_transition(application, "resume_review", ctx.user, comment=comment, as_system=ctx.user is None)
