from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from gov_services.gov_services.doctype.application.models import ApplicationMaterial
from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.handover.controller import check_items
from gov_services.gov_services.doctype.handover.models import Handover, HandoverItem
from lowcode.core.documents import insert_doc


def materials_received_at(applications: list[Any]) -> datetime | None:
    """When the materials of a handover were received (S001 三(四)1(2): the cut-off runs from receipt): for each
    application the last of its materials to come in full (a supplement received later counts from then), else
    when the application says its materials came; the earliest of the applications, the strictest cut-off."""
    if not applications:
        return None
    last = dict(
        ApplicationMaterial.objects.filter(application__in=applications, received_at__isnull=False)
        .values("application_id")
        .annotate(last=Max("received_at"))
        .values_list("application_id", "last")
    )
    instants = [last.get(a.pk) or a.received_at or a.submitted_at for a in applications]
    return min((i for i in instants if i is not None), default=None)


@transaction.atomic
def handover_create(
    *, kind: str, department: Department, applications: Iterable[Any], user: Any, **fields: Any
) -> Handover:
    applications = list(applications)
    if kind == Handover.Kind.MATERIALS and fields.get("received_at") is None:
        fields["received_at"] = materials_received_at(applications)
    handover = Handover(kind=kind, department=department, **fields)
    check_items(handover, applications)
    insert_doc(handover, user=user)
    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, application=a, licence=a.licences.first()) for a in applications
    )
    return handover
