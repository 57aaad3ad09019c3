"""Department scoping (hooked into lowcode.core.permissions as `permission_query_conditions`).

Service-centre roles work across departments; a department's own staff (reviewers, liaisons) see and
edit only their department's records. A desk user with neither sees no scoped record at all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from lowcode.core.permissions import USER_CACHES, user_roles

CENTRE_ROLES = frozenset({"Window Clerk", "Issuing Clerk", "Hotline Agent", "Supervisor", "System Manager"})
NOTHING = Q(pk__in=[])


def _role_names(user: Any) -> frozenset[str]:
    return user_roles(user)  # read once per request, shared with the workflow and the write path


def user_department_id(user: Any) -> int | None:
    cached = getattr(user, "_gov_department_id", False)
    if cached is False:
        from gov_services.models import Staff

        cached = Staff.objects.filter(user_id=user.pk).values_list("department_id", flat=True).first()
        user._gov_department_id = cached
    return cached


def is_centre_user(user: Any) -> bool:
    return bool(_role_names(user) & CENTRE_ROLES)


APPLICANT = "Applicant"


def _department_q(user: Any, *paths: str, own_field: str | None = None) -> Q | None:
    if is_centre_user(user):
        return None
    if own_field and _role_names(user) == {APPLICANT}:
        return Q(**{own_field: user.pk})  # a citizen reaches only their own records
    department = user_department_id(user)
    if department is None:
        return NOTHING
    q = Q()
    for path in paths:
        q |= Q(**{path: department})
    return q


# What a co-department (of a joint application) or a co-unit (of a work order) may do with another's record.
CO_UNIT_READS = frozenset({"read", "print", "export"})


def application_conditions(user: Any, ptype: str) -> Q | None:
    if is_centre_user(user) or _role_names(user) == {APPLICANT}:
        return _department_q(user, "department", own_field="applicant_user")
    department = user_department_id(user)
    if department is None:
        return NOTHING
    if ptype not in CO_UNIT_READS:
        return Q(department=department)  # the implementing (lead) department handles and decides it
    # joint handling: the co-departments see the applications too (each answers on its own Joint Review Opinion,
    # and may approve for its group where a state collects approvals). Never a join (it would repeat rows and
    # make the list DISTINCT); the few a department handles jointly by id, so that with none the condition is
    # the department alone and the (department, …) indexes serve the list; many through EXISTS on the link table.
    from gov_services.models import Application

    links = Application.co_departments.through.objects.filter(department_id=department)
    joint = _linked_ids(user, JOINT_ATTR, links, "application_id")
    if joint is None:
        return Q(department=department) | Q(Exists(links.filter(application_id=OuterRef("pk"))))
    return Q(department=department) | Q(pk__in=joint) if joint else Q(department=department)


JOINT_BY_ID = 500
JOINT_ATTR = "_gov_joint_applications"
USER_CACHES.add(JOINT_ATTR)


PLATFORM_12345 = "12345 Platform"
ANSWERED = ("replied", "closed")
JOINT_ORDERS_ATTR = "_gov_joint_work_orders"
USER_CACHES.add(JOINT_ORDERS_ATTR)


def work_order_conditions(user: Any, ptype: str) -> Q | None:
    """The centre sees every order, a citizen their own, the 12345 platform (an API user) reads the orders 12345
    handed over; a unit handles the orders it leads and sees those it helps with as a co-unit (S000 art. 7) —
    as the joint applications above: by id when few, through EXISTS on the link table when many, never a join."""
    roles = _role_names(user)
    if is_centre_user(user) or roles == {APPLICANT}:
        return _department_q(user, "department", own_field="applicant_user")
    if roles == {PLATFORM_12345}:
        # the answered ones only: a unit's draft reply and result document are not the platform's to read
        return Q(source="12345", status__in=ANSWERED) if ptype == "read" else NOTHING
    department = user_department_id(user)
    if department is None:
        return NOTHING
    if ptype not in CO_UNIT_READS:
        return Q(department=department)
    from gov_services.gov_services.doctype.work_order.models import WorkOrderCoUnit

    links = WorkOrderCoUnit.objects.filter(department_id=department)
    joint = _linked_ids(user, JOINT_ORDERS_ATTR, links, "work_order_id")
    if joint is None:
        return Q(department=department) | Q(Exists(links.filter(work_order_id=OuterRef("pk"))))
    return Q(department=department) | Q(pk__in=joint) if joint else Q(department=department)


def _linked_ids(user: Any, attr: str, links: Any, column: str) -> list[int] | None:
    """The ids in `column` of the link rows, read once per request and kept on the user as `attr` (None: more than
    JOINT_BY_ID of them)."""
    cached = getattr(user, attr, False)
    if cached is False:
        ids = list(links.order_by(column).values_list(column, flat=True)[: JOINT_BY_ID + 1])
        cached = ids if len(ids) <= JOINT_BY_ID else None
        try:
            setattr(user, attr, cached)
        except AttributeError:
            pass
    return cached


def evaluation_conditions(user: Any, ptype: str) -> Q | None:
    return _department_q(user, "department", own_field="evaluator_user")


def joint_review_conditions(user: Any, ptype: str) -> Q | None:
    """A co-department answers its own opinions; the lead department reads those of its applications."""
    if ptype == "read":
        return _department_q(user, "department", "lead_department")
    return _department_q(user, "department")


def licence_conditions(user: Any, ptype: str) -> Q | None:
    return _department_q(user, "issuer")


def handover_conditions(user: Any, ptype: str) -> Q | None:
    return _department_q(user, "department")


def public_read_department_write(user: Any, ptype: str) -> Q | None:
    """Matters and knowledge articles: every desk user reads them; a department edits only its own."""
    return None if ptype == "read" else _department_q(user, "department")


def guide_conditions(user: Any, ptype: str) -> Q | None:
    return None if ptype == "read" else _department_q(user, "matter__department")


def online_level_change_conditions(user: Any, ptype: str) -> Q | None:
    """A department's requests to raise its matters' online level are its own; the centre sees them all."""
    return _department_q(user, "matter__department")


def user_workflow_groups(user: Any) -> list[str]:
    department = user_department_id(user)
    return [] if department is None else [str(department)]


def deadline_conditions(user: Any, ptype: str) -> Q | None:
    """Deadlines and supervision notices: the centre sees all; a department its own."""
    return _department_q(user, "department_key")


def portal_account_conditions(user: Any, ptype: str) -> Q | None:
    """Portal accounts: the service centre sees all; a citizen only their own; departments none."""
    if is_centre_user(user):
        return None
    return Q(user=user.pk) if APPLICANT in _role_names(user) else NOTHING
