"""The Matter controller: the online-level rule of S000 art. 12 and publishing, for every writer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.matter import ladder
from gov_services.gov_services.doctype.matter.models import (
    Matter,
    MatterCoDepartment,
    OnlineLevelChange,
    OnlineLevelRule,
)
from lowcode.core.controller import Controller, WriteContext


def online_level_change_needs_approval(from_level: int, to_level: int) -> bool:
    """What the site's ladder says (shipped as S000 art. 12: moving a matter from level 1 or 2 to 2 or 3 — and
    so to anything above, or a detour through level 4 would step around the approval — needs approval)."""
    return ladder.approval_needed(from_level, to_level) is not None


def online_level_problem(matter: Matter, new_level: int) -> str:
    """Why the matter may not move to `new_level` now ("" if it may): a raise that needs approval needs an
    Online Level Change approved for exactly this move, since the matter last changed."""
    if matter.pk is None:
        return ""
    stored = Matter.objects.filter(pk=matter.pk).values("online_level", "modified_at").first()
    if stored is None or stored["online_level"] == new_level:
        return ""
    current = stored["online_level"]
    if not online_level_change_needs_approval(current, new_level):
        return ""
    approved = OnlineLevelChange.objects.filter(
        matter_id=matter.pk,
        from_level=current,
        to_level=new_level,
        status=OnlineLevelChange.Status.APPROVED,
        decided_at__gte=stored["modified_at"],
    ).exists()
    if approved:
        return ""
    rule = ladder.approval_needed(current, new_level)
    return _(
        "Raising the online level from %(from)s to %(to)s needs the approval of %(by)s (S000 art. 12): file an "
        "online level change."
    ) % {"from": current, "to": new_level, "by": (rule.approval_by if rule else "") or _("the approvers")}


class MatterController(Controller):
    def validate(self, doc: Matter, ctx: WriteContext) -> None:
        errors = {}
        if (ctx.creating or ctx.changing("online_level")) and ladder.ladder() and not ladder.rung(doc.online_level):
            errors["online_level"] = ValidationError(
                _("Level %(level)s is not on the site's online-level ladder.") % {"level": doc.online_level},
                code="unknown_level",
            )
        elif not ctx.creating and ctx.changing("online_level"):
            problem = online_level_problem(doc, doc.online_level)
            if problem:
                errors["online_level"] = ValidationError(problem, code="approval_required")
        if doc.status == Matter.Status.PUBLISHED and doc.published_guide_id is None:
            errors["status"] = ValidationError(_("Publish a service guide for this matter first."), code="no_guide")
        if errors:
            raise ValidationError(errors)

    def validate_rows(self, doc: Matter, model: type, rows: list, ctx: WriteContext) -> None:
        """Co-departments (联办部门): each once, none the implementing (lead) department itself."""
        if model is not MatterCoDepartment:
            return
        seen: set[int] = set()
        for row in rows:
            if row.department_id == doc.department_id:
                raise ValidationError(
                    _("The implementing department leads the joint handling; it is not also a co-department."),
                    code="lead_is_co",
                )
            if row.department_id in seen:
                raise ValidationError(_("A co-department is listed once."), code="duplicate")
            seen.add(row.department_id)


class OnlineLevelChangeController(Controller):
    def before_insert(self, doc: OnlineLevelChange, ctx: WriteContext) -> None:
        doc.from_level = Matter.objects.values_list("online_level", flat=True).get(pk=doc.matter_id)
        if doc.from_level == doc.to_level:
            raise ValidationError({"to_level": _("The matter is already at this online level.")}, code="unchanged")
        if not (doc.reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for the change.")}, code="required")


class OnlineLevelRuleController(Controller):
    def validate(self, doc: OnlineLevelRule, ctx: WriteContext) -> None:
        """The clocks it names are deadline policies of applications; the approving role exists."""
        from lowcode.core.models import Role
        from lowcode.deadlines.models import DeadlinePolicy

        known = set(DeadlinePolicy.objects.filter(doctype="Application").values_list("name", flat=True))
        unknown = [name for name in doc.clocks or [] if name not in known]
        if unknown:
            raise ValidationError(
                {"clocks": _("No deadline policy of applications is named %(names)s.") % {"names": "、".join(unknown)}}
            )
        if doc.approver_role and not Role.objects.filter(name=doc.approver_role).exists():
            raise ValidationError({"approver_role": _("No role is named %(role)s.") % {"role": doc.approver_role}})
        was = ctx.was("level", doc)
        if not ctx.creating and ctx.changing("level") and Matter.objects.filter(online_level=was).exists():
            raise ValidationError(
                {
                    "level": _("A rung's level is its matters' level: move the matters at level %(level)s first.")
                    % {"level": was}
                },
                code="in_use",
            )

    def on_trash(self, doc: OnlineLevelRule, ctx: WriteContext) -> None:
        if Matter.objects.filter(online_level=doc.level).exists():
            raise ValidationError(_("Matters are at this level; move them first."), code="in_use")
