"""Joint review (联合审查): starting it on an application asks its co-departments for their opinions — in the
matter's order for serial review (前后置), all at once for parallel (并联) — and the lead department finishes it
when every one has answered. The application's controller calls `start`, `check_finished` and `withdraw_open`
from its own hooks, so the rule holds for every writer of the application (desk, API, import, demo)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from gov_services.gov_services.codes import JointMode
from gov_services.gov_services.doctype.joint_review_opinion.models import JointReviewOpinion
from gov_services.gov_services.doctype.matter.models import MatterCoDepartment
from lowcode.core.controller import Controller, WriteContext, Writer, system_write

S = JointReviewOpinion.Status


def _take(opinion: JointReviewOpinion, action: str, comment: str = "") -> None:
    """The platform moves an opinion (opening the next department's, withdrawing the rest): no user acts."""
    from lowcode.workflow.engine import WorkflowError, apply_transition

    try:
        apply_transition(opinion, action, None, comment=comment, as_system=True)
    except WorkflowError as exc:
        raise ValidationError(str(exc), code="workflow") from exc


def open_opinions(application_id: int) -> list[JointReviewOpinion]:
    return list(
        JointReviewOpinion.objects.filter(application_id=application_id, status__in=JointReviewOpinion.OPEN)
        .select_related("department")
        .order_by("step", "id")
    )


def steps_of(application: Any) -> list[tuple[Any, int, int]]:
    """(department, step, working days) of each co-department of the application: the matter's order and days
    for the departments it lists, then any other co-department of the application, by name."""
    joined = {d.pk: d for d in application.co_departments.all()}
    configured = MatterCoDepartment.objects.filter(matter_id=application.matter_id, department_id__in=list(joined))
    ordered: list[tuple[Any, int]] = [(joined[c.department_id], c.review_days) for c in configured]
    seen = {d.pk for d, _days in ordered}
    default = MatterCoDepartment._meta.get_field("review_days").default
    ordered += [(d, default) for d in sorted(joined.values(), key=lambda d: d.name) if d.pk not in seen]
    serial = application.matter.joint_mode == JointMode.SERIAL
    return [(d, (n + 1) if serial else 1, days) for n, (d, days) in enumerate(ordered)]


def start(application: Any, ctx: WriteContext) -> None:
    """Ask every co-department for its opinion and open the first step (all of them, in parallel review)."""
    steps = steps_of(application)
    if not steps:
        raise ValidationError(
            _("The matter names no co-departments: there is no one to review jointly with."), code="no_co_departments"
        )
    if open_opinions(application.pk):
        raise ValidationError(_("A joint review of this application is already running."), code="running")
    last = JointReviewOpinion.objects.filter(application_id=application.pk).aggregate(n=Max("round"))["n"] or 0
    from lowcode.core.documents import insert_doc

    opinions = []
    with system_write():
        for department, step, days in steps:
            opinion = JointReviewOpinion(
                application=application,
                department=department,
                lead_department_id=application.department_id,
                mode=application.matter.joint_mode,
                round=last + 1,
                step=step,
                review_days=days,
            )
            opinions.append(insert_doc(opinion, user=None))
    for opinion in opinions:
        if opinion.step == 1:
            _take(opinion, "open")


def check_finished(application: Any) -> None:
    """The lead department finishes the joint review once every co-department has answered."""
    waiting = open_opinions(application.pk)
    if waiting:
        raise ValidationError(
            _("The joint review is not finished: these co-departments have not given their opinion: %(names)s.")
            % {"names": "、".join(o.department.name for o in waiting)},
            code="joint_review_open",
        )


def withdraw_open(application: Any, comment: str) -> None:
    """The application left joint review another way (denied, withdrawn): the opinions still asked for are
    withdrawn and their clocks stop."""
    for opinion in open_opinions(application.pk):
        _take(opinion, "withdraw", comment)


class JointReviewOpinionController(Controller):
    def before_insert(self, doc: JointReviewOpinion, ctx: WriteContext) -> None:
        if ctx.writer == Writer.USER:
            raise ValidationError(
                _("Opinions are asked for by starting the joint review of the application."), code="not_started"
            )

    def frozen_fields(self, doc: JointReviewOpinion, ctx: WriteContext) -> tuple[set[str] | None, str]:
        stored = JointReviewOpinion.objects.filter(pk=doc.pk).values_list("status", flat=True).first()
        if stored in JointReviewOpinion.OPEN:
            return set(), ""
        return None, _("A department's answer in a joint review is the record; it is not changed.")

    def validate(self, doc: JointReviewOpinion, ctx: WriteContext) -> None:
        if not ctx.changing("status"):
            return
        if doc.status == S.REVIEWING and self._before_it_open(doc):
            raise ValidationError(
                _("In a serial joint review the departments answer in order; the ones before have not yet."),
                code="not_your_turn",
            )
        if doc.status in (S.AGREED, S.DISAGREED):  # when and by whom: the transition's effects stamp them
            if not (doc.opinion or "").strip():
                raise ValidationError({"opinion": _("Write the department's opinion.")}, code="required")
            if self._before_it_open(doc) or ctx.was("status", doc) != S.REVIEWING:
                raise ValidationError(
                    _("In a serial joint review the departments answer in order; the ones before have not yet."),
                    code="not_your_turn",
                )

    @staticmethod
    def _before_it_open(doc: JointReviewOpinion) -> bool:
        return JointReviewOpinion.objects.filter(
            application_id=doc.application_id, round=doc.round, step__lt=doc.step, status__in=JointReviewOpinion.OPEN
        ).exists()

    def on_update(self, doc: JointReviewOpinion, ctx: WriteContext) -> None:
        """Serial review: an agreement opens the next step (as does an administrator's withdrawing a department's
        part); a disagreement ends the chain (the lead decides)."""
        if not ctx.changing("status") or doc.mode != JointMode.SERIAL:
            return
        later = list(
            JointReviewOpinion.objects.filter(
                application_id=doc.application_id, round=doc.round, step__gt=doc.step, status=S.WAITING
            ).order_by("step", "id")
        )
        if doc.status == S.AGREED or (doc.status == S.WITHDRAWN and getattr(ctx.user, "pk", None)):
            # agreed — or an administrator withdrew this department's part: the file passes on, once no
            # department before the next step is still answering
            ahead = JointReviewOpinion.objects.filter(
                application_id=doc.application_id,
                round=doc.round,
                step__lte=doc.step,
                status__in=JointReviewOpinion.OPEN,
            )
            if later and not ahead.exists():
                for opinion in (o for o in later if o.step == later[0].step):
                    _take(opinion, "open")
        elif doc.status == S.DISAGREED:
            comment = _("%(department)s disagreed: %(opinion)s") % {
                "department": doc.department,
                "opinion": doc.opinion.strip(),
            }
            for opinion in later:
                _take(opinion, "withdraw", comment)

    def on_trash(self, doc: JointReviewOpinion, ctx: WriteContext) -> None:
        raise ValidationError(_("A joint review opinion is kept with its application."), code="kept")
