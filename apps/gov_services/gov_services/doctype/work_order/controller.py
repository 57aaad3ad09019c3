"""The Work Order controller: numbered by the day it was received, whoever registers it (首接负责制)."""

from __future__ import annotations

from django.utils import timezone

from gov_services.gov_services.doctype.work_order.models import NAMING_SERIES, WorkOrder
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import make_name


class WorkOrderController(Controller):
    def before_insert(self, doc: WorkOrder, ctx: WriteContext) -> None:
        if doc.received_at is None:
            doc.received_at = timezone.now()
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate(doc.received_at))
