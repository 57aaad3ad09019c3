from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.handover.models import NAMING_SERIES, Handover, HandoverItem
from lowcode.core.documents import insert_doc
from lowcode.core.naming import make_name


@transaction.atomic
def handover_create(
    *, kind: str, department: Department, applications: Iterable[Any], user: Any, **fields: Any
) -> Handover:
    applications = list(applications)
    if not applications:
        raise ValidationError(_("A handover lists at least one application."))
    foreign = [a.number for a in applications if a.department_id != department.pk]
    if foreign and kind != Handover.Kind.DELIVERY:
        raise ValidationError(_("Applications of another department: %(numbers)s") % {"numbers": ", ".join(foreign)})
    handover = Handover(kind=kind, department=department, **fields)
    handover.full_clean(exclude=["number"])
    handover.number = make_name(NAMING_SERIES, timezone.localdate())
    insert_doc(handover, user=user)
    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, application=a, licence=a.licences.first()) for a in applications
    )
    return handover
