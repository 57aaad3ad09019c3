from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.handover.controller import check_items
from gov_services.gov_services.doctype.handover.models import Handover, HandoverItem
from lowcode.core.documents import insert_doc


@transaction.atomic
def handover_create(
    *, kind: str, department: Department, applications: Iterable[Any], user: Any, **fields: Any
) -> Handover:
    applications = list(applications)
    handover = Handover(kind=kind, department=department, **fields)
    check_items(handover, applications)
    insert_doc(handover, user=user)
    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, application=a, licence=a.licences.first()) for a in applications
    )
    return handover
