from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.handover.controller import check_items
from gov_services.gov_services.doctype.handover.models import Handover, HandoverItem
from gov_services.gov_services.doctype.licence.models import Licence
from lowcode.core.documents import insert_doc, save_rows


@transaction.atomic
def handover_create(
    *, kind: str, department: Department, applications: Iterable[Any], user: Any, **fields: Any
) -> Handover:
    applications = list(applications)
    handover = Handover(kind=kind, department=department, **fields)
    check_items(handover, applications)
    insert_doc(handover, user=user)
    licences = {}
    for licence in Licence.objects.filter(application__in=applications):  # the newest first, as a.licences.first()
        licences.setdefault(licence.application_id, licence)
    items = [HandoverItem(handover=handover, application=a, licence=licences.get(a.pk)) for a in applications]
    save_rows(handover, HandoverItem, changed=items, table=items, user=user)  # the controller sees the items
    return handover
