"""Writes on matters: the online-level rule of S000 art. 12 and its approval."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.matter import ladder
from gov_services.gov_services.doctype.matter.models import (
    Matter,
    MatterCoDepartment,
    OnlineLevelChange,
    OnlineLevelRule,
)
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc, save_doc, save_rows


@transaction.atomic
def online_level_change_request(*, matter: Matter, to_level: int, reason: str, user: Any) -> OnlineLevelChange:
    with system_write():  # from_level is the system's: the matter's level now
        return insert_doc(OnlineLevelChange(matter=matter, to_level=to_level, reason=reason), user=user)


@transaction.atomic
def online_level_change_decide(
    *, change: OnlineLevelChange, approve: bool, user: Any, approval_document: str = ""
) -> OnlineLevelChange:
    change = OnlineLevelChange.objects.select_for_update().get(pk=change.pk)
    rule = ladder.approval_needed(change.from_level, change.to_level) or ladder.rung(change.from_level)
    if not user.has_perm("gov_services.approve_onlinelevelchange") or (
        rule is not None and not ladder.may_approve(user, rule)
    ):
        raise PermissionDenied(_("You may not approve online level changes."))
    if change.status != OnlineLevelChange.Status.PENDING:
        raise ValidationError(_("This change has already been decided."))
    matter = Matter.objects.select_for_update().get(pk=change.matter_id)
    if matter.online_level != change.from_level:
        raise ValidationError(_("The matter's online level changed since the request; file a new one."))
    if approve and not approval_document.strip():
        raise ValidationError({"approval_document": _("Record the approval document number.")})
    change.status = OnlineLevelChange.Status.APPROVED if approve else OnlineLevelChange.Status.REJECTED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.approval_document = approval_document
    with system_write():
        save_doc(change, update_fields=["status", "decided_by", "decided_at", "approval_document"], user=user)
    if approve:  # the matter's controller finds the approval just recorded
        matter.online_level = change.to_level
        save_doc(matter, update_fields=["online_level"], user=user)
    return change


@transaction.atomic
def matter_publish(*, matter: Matter, user: Any) -> Matter:
    if matter.published_guide_id is None:
        raise ValidationError(_("Publish a service guide for this matter first."))
    matter.status = Matter.Status.PUBLISHED
    return save_doc(matter, update_fields=["status"], user=user)


@transaction.atomic
def matter_set_co_departments(*, matter: Matter, departments: list[Any], user: Any) -> bool:
    """Give the matter its co-departments in this order (a serial review's), keeping each one's working days;
    through the matter's controller like the desk's table. Returns whether anything changed."""
    stored = {row.department_id: row for row in MatterCoDepartment.objects.filter(matter=matter)}
    table, changed = [], []
    for idx, department in enumerate(departments, start=1):
        row = stored.pop(department.pk, None) or MatterCoDepartment(matter=matter, department=department)
        if row.pk is None or row.idx != idx:
            row.idx = idx
            changed.append(row)
        table.append(row)
    if not changed and not stored:
        return False
    save_rows(matter, MatterCoDepartment, changed=changed, deleted=list(stored.values()), table=table, user=user)
    return True


def online_level_upsert(record: dict[str, Any]) -> str:
    """A shipped rung of the online-level ladder (fixture): created when the site has no rung at that level; an
    existing one is the site's to edit and is left as it is."""
    if OnlineLevelRule.objects.filter(level=record["level"]).exists():
        return "unchanged"
    with system_write():
        insert_doc(OnlineLevelRule(**{k: v for k, v in record.items() if k != "doctype"}))
    return "created"
