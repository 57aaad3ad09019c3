"""The Matter controller: the online-level rule of S000 art. 12 and publishing, for every writer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.matter.models import Matter, OnlineLevelChange
from lowcode.core.controller import Controller, WriteContext


def online_level_change_needs_approval(from_level: int, to_level: int) -> bool:
    """S000 art. 12: raising a matter from level 1 or 2 (to 2 or 3 — and so to anything above, or a detour
    through level 4 would step around the approval) needs approval."""
    return from_level in (1, 2) and to_level > from_level


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
    return _(
        "Raising the online level from %(from)s to %(to)s needs the approval of the reform lead "
        "department and the service administration (S000 art. 12): file an online level change."
    ) % {"from": current, "to": new_level}


class MatterController(Controller):
    def validate(self, doc: Matter, ctx: WriteContext) -> None:
        errors = {}
        if not ctx.creating and ctx.changing("online_level"):
            problem = online_level_problem(doc, doc.online_level)
            if problem:
                errors["online_level"] = ValidationError(problem, code="approval_required")
        if doc.status == Matter.Status.PUBLISHED and doc.published_guide_id is None:
            errors["status"] = ValidationError(_("Publish a service guide for this matter first."), code="no_guide")
        if errors:
            raise ValidationError(errors)


class OnlineLevelChangeController(Controller):
    def before_insert(self, doc: OnlineLevelChange, ctx: WriteContext) -> None:
        doc.from_level = Matter.objects.values_list("online_level", flat=True).get(pk=doc.matter_id)
        if doc.from_level == doc.to_level:
            raise ValidationError({"to_level": _("The matter is already at this online level.")}, code="unchanged")
        if not (doc.reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for the change.")}, code="required")
