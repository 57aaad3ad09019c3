from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from gov_services.gov_services.doctype.work_order.models import WorkOrder, WorkOrderCoUnit
from lowcode.core.documents import insert_doc, save_rows


@transaction.atomic
def work_order_create(
    *, user: Any, received_at: datetime | None = None, co_units: Iterable[Any] = (), **fields: Any
) -> WorkOrder:
    """Register a work order (首接负责制: whoever receives it registers it); the controller numbers it. `co_units`:
    the departments helping the lead unit (`department`) with an order involving several (S000 art. 7)."""
    order = insert_doc(WorkOrder(received_at=received_at, **fields), user=user)
    co_units = list(co_units)
    if co_units:
        work_order_set_co_units(order=order, departments=co_units, user=user)
    return order


@transaction.atomic
def work_order_set_co_units(*, order: WorkOrder, departments: Iterable[Any], user: Any) -> list[WorkOrderCoUnit]:
    """Name the order's co-units (S000 art. 7: the service administration names the lead unit of an order that
    involves several departments; the others help): rows for the departments named, in that order, the rest
    removed — through the order's controller, as the desk's table writes them."""
    current = {row.department_id: row for row in WorkOrderCoUnit.objects.filter(work_order=order)}
    table, changed = [], []
    for department in departments:
        row = current.pop(department.pk, None)
        if row is None:
            row = WorkOrderCoUnit(work_order=order, department=department)
            changed.append(row)
        table.append(row)
    save_rows(order, WorkOrderCoUnit, changed=changed, deleted=list(current.values()), table=table, user=user)
    return table
