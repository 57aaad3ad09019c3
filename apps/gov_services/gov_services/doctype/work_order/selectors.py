"""Reads of Work Orders: the return limit of S000 art. 7."""

from __future__ import annotations

from datetime import datetime

from gov_services.gov_services.doctype.work_order.meta import DOCTYPE
from gov_services.gov_services.doctype.work_order.models import WorkOrder
from lowcode.deadlines.models import Deadline, DeadlinePolicy
from lowcode.deadlines.selectors import NoCalendar, snapshot_of
from lowcode.deadlines.services import policy_calendar, span

# S000 art. 7 leaves the limit to the assessment rules (考核实施细则规定时限): it is this deadline policy's, which an
# administrator edits (amount, rule, calendar) or deactivates (no limit) in the desk.
RETURN_POLICY = "work_order_return"


def return_limit(order: WorkOrder) -> datetime | None:
    """Until when the unit the order was transferred to may return it as not its business: the due instant of the
    return policy's running clock — the instant the desk shows — or, for an order transferred before the policy
    ran, the policy's limit counted from the transfer on its calendar. None: no active policy, or no transfer."""
    policy = (
        DeadlinePolicy.objects.filter(name=RETURN_POLICY, doctype=DOCTYPE["name"], is_active=True)
        .select_related("calendar")
        .first()
    )
    if policy is None or order.pk is None:
        return None
    running = (
        Deadline.objects.filter(policy=policy, doctype=DOCTYPE["name"], doc_id=order.pk, status=Deadline.Status.RUNNING)
        .order_by("-started_at")
        .values_list("due_at", flat=True)
        .first()
    )
    if running is not None:
        return running
    if order.transferred_at is None:
        return None
    try:
        calendar = snapshot_of(policy_calendar(policy))
    except NoCalendar:
        return None
    return span(policy, order, order.transferred_at, calendar).due
