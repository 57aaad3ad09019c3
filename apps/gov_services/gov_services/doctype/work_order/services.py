from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov_services.gov_services.doctype.work_order.models import NAMING_SERIES, WorkOrder
from lowcode.core.documents import insert_doc
from lowcode.core.naming import make_name


@transaction.atomic
def work_order_create(*, user: Any, received_at: datetime | None = None, **fields: Any) -> WorkOrder:
    """Register a work order (首接负责制: whoever receives it registers it)."""
    order = WorkOrder(received_at=received_at or timezone.now(), **fields)
    order.full_clean(exclude=["number"])
    order.number = make_name(NAMING_SERIES, timezone.localdate(order.received_at))
    return insert_doc(order, user=user)
