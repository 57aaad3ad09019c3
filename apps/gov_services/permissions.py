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


def application_conditions(user: Any, ptype: str) -> Q | None:
    if is_centre_user(user) or _role_names(user) == {APPLICANT}:
        return _department_q(user, "department", own_field="applicant_user")
    department = user_department_id(user)
    if department is None:
        return NOTHING
    # joint handling: the co-departments' applications too. Never a join (it would repeat rows and make the list
    # DISTINCT); the few a department handles jointly by id, so that with none the condition is the department
    # alone and the (department, …) indexes serve the list; many through EXISTS on the link table.
    from gov_services.models import Application

    links = Application.co_departments.through.objects.filter(department_id=department)
    joint = _joint_applications(user, links)
    if joint is None:
        return Q(department=department) | Q(Exists(links.filter(application_id=OuterRef("pk"))))
    return Q(department=department) | Q(pk__in=joint) if joint else Q(department=department)


JOINT_BY_ID = 500
JOINT_ATTR = "_gov_joint_applications"
USER_CACHES.add(JOINT_ATTR)


def _joint_applications(user: Any, links: Any) -> list[int] | None:
    """The ids of the applications the user's department handles jointly, read once per request (None: more
    than JOINT_BY_ID of them)."""
    cached = getattr(user, JOINT_ATTR, False)
    if cached is False:
        ids = list(links.order_by("application_id").values_list("application_id", flat=True)[: JOINT_BY_ID + 1])
        cached = ids if len(ids) <= JOINT_BY_ID else None
        try:
            setattr(user, JOINT_ATTR, cached)
        except AttributeError:
            pass
    return cached


def work_order_conditions(user: Any, ptype: str) -> Q | None:
    return _department_q(user, "department", own_field="applicant_user")


def evaluation_conditions(user: Any, ptype: str) -> Q | None:
    return _department_q(user, "department", own_field="evaluator_user")


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
