"""The Evaluation controller: an evaluation is the evaluator's and never changes once recorded (S003 art. 25,
S004 art. 22); corrections go through appeal and review (the 差评整改 workflow)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.evaluation.models import Evaluation, EvaluationScale, EvaluationScaleLevel
from gov_services.gov_services.doctype.evaluation.scales import scale_in_use
from lowcode.core.controller import Controller, WriteContext, Writer
from lowcode.core.documents import save_doc

# The states in which an application has a result its applicant may evaluate.
DECIDED = {"approved", "denied", "licence_issued", "result_handed_over", "delivered", "archived", "not_accepted"}


def _citizen(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and not user.is_staff


class EvaluationController(Controller):
    """An evaluation is of a decided application (or a work order), recorded once per evaluator, in the
    evaluator's own name: a citizen evaluates only their own records; staff record one given by phone or at
    the hall (no evaluator account, or their own) — nobody files one in a stranger's name (S004 art. 22)."""

    def before_insert(self, doc: Evaluation, ctx: WriteContext) -> None:
        if ctx.writer is Writer.USER:
            user = ctx.user
            if doc.evaluator_user_id not in (None, getattr(user, "pk", None)):
                raise ValidationError({"evaluator_user": _("You evaluate as yourself.")}, code="not_own")
            if _citizen(user):
                doc.evaluator_user = user
        if doc.evaluated_at is None:
            doc.evaluated_at = timezone.now()
        if doc.department_id is None:
            source = doc.application or doc.work_order
            doc.department_id = getattr(source, "department_id", None)
        scale = scale_in_use()
        level = scale.get(doc.level)
        if level is None:
            raise ValidationError(
                {
                    "level": _("Choose a level of the scale “%(scale)s”: %(levels)s.")
                    % {"scale": scale.name, "levels": "、".join(f"{v} {label}" for v, label in scale.choices())}
                },
                code="level",
            )
        doc.level_label, doc.poor = level.label_zh, level.is_poor
        if doc.is_poor:
            doc.status = Evaluation.Status.POOR

    def validate(self, doc: Evaluation, ctx: WriteContext) -> None:
        if not ctx.creating or (ctx.writer is not Writer.USER and not _citizen(ctx.user)):
            return
        source = doc.application or doc.work_order
        if _citizen(ctx.user) and (source is None or source.applicant_user_id != ctx.user.pk):
            raise ValidationError(_("You may evaluate only your own application or work order."), code="not_own")
        if doc.application_id and doc.application.status not in DECIDED:
            raise ValidationError(_("An application is evaluated once it has been decided."), code="not_decided")
        if doc.evaluator_user_id:
            earlier = Evaluation.objects.filter(evaluator_user_id=doc.evaluator_user_id)
            if doc.application_id:
                earlier = earlier.filter(application_id=doc.application_id)
            else:
                earlier = earlier.filter(work_order_id=doc.work_order_id)
            if earlier.exists():
                raise ValidationError(_("You have already evaluated this."), code="already")


class EvaluationScaleController(Controller):
    """A scale has at least two levels, distinct values, and poor and not-poor ones; one scale is in use."""

    def validate_rows(self, doc: EvaluationScale, model: type, rows: list[Any], ctx: WriteContext) -> None:
        if model is not EvaluationScaleLevel:
            return
        values = [row.value for row in rows]
        if len(rows) < 2:
            raise ValidationError(_("A scale has at least two levels."), code="levels")
        if len(set(values)) != len(values):
            raise ValidationError(_("Each level of a scale has its own value."), code="levels")
        if all(row.is_poor for row in rows) or not any(row.is_poor for row in rows):
            raise ValidationError(_("Mark the levels that count as poor — some, not all (e.g. 不满意)."), code="levels")
        if any(not (row.label_zh or "").strip() for row in rows):
            raise ValidationError(_("Each level has its Chinese label."), code="levels")

    def after_insert(self, doc: EvaluationScale, ctx: WriteContext) -> None:
        self._only_one_in_use(doc, ctx)

    def on_update(self, doc: EvaluationScale, ctx: WriteContext) -> None:
        self._only_one_in_use(doc, ctx)

    @staticmethod
    def _only_one_in_use(doc: EvaluationScale, ctx: WriteContext) -> None:
        if not doc.is_default:
            return
        for other in EvaluationScale.objects.filter(is_default=True).exclude(pk=doc.pk):
            other.is_default = False
            save_doc(other, update_fields=["is_default"], user=ctx.user)
