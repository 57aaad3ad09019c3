from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from gov_services.gov_services.doctype.work_order.models import WorkOrder
from lowcode.core.documents import insert_doc


@transaction.atomic
def work_order_create(*, user: Any, received_at: datetime | None = None, **fields: Any) -> WorkOrder:
    """Register a work order (首接负责制: whoever receives it registers it); the controller numbers it."""
    return insert_doc(WorkOrder(received_at=received_at, **fields), user=user)
