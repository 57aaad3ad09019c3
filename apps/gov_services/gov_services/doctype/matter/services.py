"""Writes on matters: the online-level rule of S000 art. 12 and its approval."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.matter.models import Matter, OnlineLevelChange
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc, save_doc


@transaction.atomic
def online_level_change_request(*, matter: Matter, to_level: int, reason: str, user: Any) -> OnlineLevelChange:
    with system_write():  # from_level is the system's: the matter's level now
        return insert_doc(OnlineLevelChange(matter=matter, to_level=to_level, reason=reason), user=user)


@transaction.atomic
def online_level_change_decide(
    *, change: OnlineLevelChange, approve: bool, user: Any, approval_document: str = ""
) -> OnlineLevelChange:
    if not user.has_perm("gov_services.approve_onlinelevelchange"):
        raise PermissionDenied(_("You may not approve online level changes."))
    change = OnlineLevelChange.objects.select_for_update().get(pk=change.pk)
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
