"""Work-order methods of the API (Frappe's whitelisted methods, answering /api/method/<module>.<function>).

`hotline_result` is how the 12345 hotline platform (S000 art. 6(5): 做好与12345服务热线的联动) fetches what became of
an order it handed over: it signs in as an API user with the "12345 Platform" role, whose scope is the orders
transferred from 12345 and nothing else, and gets only what it needs — masked as the permission layer masks it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.work_order.models import WorkOrder
from gov_services.gov_services.doctype.work_order.services import work_order_set_co_units
from lowcode.api.errors import ApiError, forbidden, not_found
from lowcode.api.registry import whitelist
from lowcode.api.resources import by_name, json_param, to_dict
from lowcode.api.views import find_doc
from lowcode.core import permissions
from lowcode.workflow.engine import workflow_for

PLATFORM_ROLE = "12345 Platform"
REPLIED = (WorkOrder.Status.REPLIED, WorkOrder.Status.CLOSED)
# the unit's reply, told once the order is replied (before, these are a draft in the unit's hands)
REPLY_FIELDS = ["outcome", "reply", "explanation", "replied_at", "result_file"]
REVISIT_FIELDS = ["revisited_at", "satisfaction", "revisit_note"]


@whitelist(methods=("GET", "POST"))
def hotline_result(*, request: HttpRequest, user: Any, ticket_no: str = "", **_: Any) -> dict[str, Any]:
    """The state, the reply (outcome, reply, written explanation, when, and a link to the result document —
    served by /private/… to whoever may read the order) and the revisit of the 12345 order with this ticket."""
    if PLATFORM_ROLE not in permissions.user_roles(user):
        raise forbidden("Only the 12345 platform fetches work orders by their 12345 ticket number")
    ticket = str(ticket_no).strip()
    if not ticket:
        raise ApiError("Give ticket_no, the 12345 ticket number")
    # any 12345 order by its ticket — the platform's scope for reading records holds only the answered ones, whose
    # reply and document it may read; here it gets the state of the others, and nothing of their drafts
    order = WorkOrder.objects.filter(source=WorkOrder.Source.HOTLINE_12345, hotline_ticket_no=ticket).first()
    if order is None:
        raise not_found(f"No work order with 12345 ticket {ticket}")
    data = to_dict(order, user, ["hotline_ticket_no", "status", *REPLY_FIELDS, *REVISIT_FIELDS], children=False)
    workflow = workflow_for(WorkOrder)
    states = {s.name: s.label for s in workflow.states.all()} if workflow is not None else {}
    data["status_label"] = states.get(order.status, order.status)
    if order.status not in REPLIED:
        data.update(dict.fromkeys(REPLY_FIELDS))
    elif data["result_file"]:
        data["result_file"] = request.build_absolute_uri(data["result_file"])
    return data


@whitelist(methods=("POST",))
def set_co_units(*, request: HttpRequest, user: Any, name: str = "", departments: Any = None, **_: Any) -> dict:
    """Name the co-units of an order (a list of department names; [] for none) — the hotline's, through the
    order's controller like the desk's table."""
    order = find_doc(WorkOrder, user, str(name), "write")
    names = json_param(departments, "departments") if isinstance(departments, str) else departments
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiError("departments is a list of department names")
    found = []
    for department_name in names:
        department = by_name(Department.objects.all(), department_name)
        if department is None:
            raise ApiError(f"Could not find department: {department_name[:60]}", "LinkValidationError")
        found.append(department)
    work_order_set_co_units(order=order, departments=found, user=user)
    return to_dict(order, user)
