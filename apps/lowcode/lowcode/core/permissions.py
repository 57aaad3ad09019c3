"""The one place that decides who may see and do what — used by desk, API, portal, exports and printing.

Two layers, as in Frappe:
1. Role rights per DocType and permission type (Django permissions granted to roles):
   read, write, create, delete, export, import, print.
2. Record scope from hooks.py (Frappe's `permission_query_conditions`), e.g. department scoping:

       permission_query_conditions = {"Application": "gov_services.permissions.application_conditions"}

   The function is called as `f(user, ptype)` and returns a Q to filter by, or None for no restriction.
   Several apps' conditions for the same DocType all apply (AND).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.module_loading import import_string

from lowcode.core import registry
from lowcode.core.hooks import get_hooks

PTYPES = {
    "read": "view",
    "write": "change",
    "create": "add",
    "delete": "delete",
    "export": "export",
    "import": "import",
    "print": "print",
}


class PermissionDenied(Exception):
    """The user may not do this to this record (or the record is outside their scope)."""


def _codename(model: type[models.Model], ptype: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{PTYPES[ptype]}_{opts.model_name}"


ROLE_NAMES_ATTR = "_lowcode_role_names"


def user_roles(user: Any) -> frozenset[str]:
    """The names of the user's roles, read once per user object — a request's user lives for one request, so
    once per request. `user_set_roles` forgets them when it changes them."""
    cached = getattr(user, ROLE_NAMES_ATTR, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) if getattr(user, "pk", None) else frozenset()
        try:
            setattr(user, ROLE_NAMES_ATTR, frozenset(cached))
        except AttributeError:  # AnonymousUser and the like
            pass
    return frozenset(cached)


# what is remembered on a user object for the rest of its request, forgotten when the user's roles change; an
# app that remembers more of its own (a department's joint applications) names the attribute here
USER_CACHES = {ROLE_NAMES_ATTR, "_perm_cache", "_user_perm_cache", "_group_perm_cache", "_lowcode_hidden_fields"}


def forget_user_roles(user: Any) -> None:
    """After a user's roles change: their role names, Django's permission caches and what apps remember of
    the user's scope (USER_CACHES) are read again."""
    for attr in USER_CACHES:
        user.__dict__.pop(attr, None)


def has_role_right(user: Any, model: type[models.Model], ptype: str) -> bool:
    """Layer 1: does one of the user's roles grant `ptype` on this DocType?"""
    if not getattr(user, "is_active", False):
        return False
    if ptype == "read" and user.has_perm(_codename(model, "write")):
        return True  # who may change may see, as in Django's admin
    return bool(user.has_perm(_codename(model, ptype)))


def conditions(user: Any, model: type[models.Model], ptype: str = "read") -> Q | None:
    """Layer 2: the record filter for this user, or None when every record is in scope."""
    if getattr(user, "is_superuser", False):
        return None
    doctype = registry.for_model(model)
    if doctype is None:
        return None
    combined: Q | None = _belongs_to_conditions(user, model, doctype.extra.get("belongs_to"))
    for path in (get_hooks("permission_query_conditions", {}) or {}).get(doctype.name, []):
        q = import_string(path)(user, ptype)
        if q is not None:
            combined = q if combined is None else combined & q
    return combined


def _belongs_to_conditions(user: Any, model: type[models.Model], fields: Any) -> Q | None:
    """A record that belongs to another one — an issued notice, a timeline entry, a change history entry,
    named by (doctype field, id field) in its registration as `belongs_to` — is read by those who may read
    the record it belongs to, never more widely."""
    if not fields:
        return None
    doctype_field, id_field = fields
    allowed = Q(pk__in=[])
    # Every registered DocType, not the DISTINCT of the column (a scan of a table that grows with every change).
    # A record that belongs to another is never what something else belongs to.
    for doctype in registry.all_doctypes():
        if doctype.extra.get("belongs_to"):
            continue
        name, owner = doctype.name, doctype.model
        if not has_role_right(user, owner, "read"):
            continue
        owner_q = conditions(user, owner, "read")
        if owner_q is None:
            allowed |= Q(**{doctype_field: name})
        else:
            # the id column is text: compare it as the owner's integer key (a cast to text would meet a
            # different collation on MariaDB); EXISTS walks the owner's primary key
            in_scope = owner._default_manager.filter(owner_q, pk=Cast(OuterRef(id_field), BigIntegerField()))
            allowed |= Q(**{doctype_field: name}) & Q(Exists(in_scope))
    return allowed


def scope(user: Any, queryset: QuerySet, ptype: str = "read") -> QuerySet:
    """The records of `queryset` the user may `ptype`: none without the role right, else filtered by scope."""
    if not has_role_right(user, queryset.model, ptype):
        return queryset.none()
    q = conditions(user, queryset.model, ptype)
    if q is None:
        return queryset
    # DISTINCT only when a condition follows a many-valued relation (a DISTINCT over a million rows is a sort
    # of the table); conditions that test one with EXISTS or `pk__in` need none.
    return queryset.filter(q).distinct() if spawns_duplicates(queryset.model, q) else queryset.filter(q)


def spawns_duplicates(model: type[models.Model], q: Q) -> bool:
    from django.contrib.admin.utils import lookup_spawns_duplicates

    for child in q.children:
        if isinstance(child, Q):
            if spawns_duplicates(model, child):
                return True
        elif isinstance(child, tuple) and lookup_spawns_duplicates(model._meta, child[0]):
            return True
    return False


def has_permission(user: Any, doc: models.Model, ptype: str = "read") -> bool:
    model = type(doc)
    if not has_role_right(user, model, ptype):
        return False
    q = conditions(user, model, ptype)
    return q is None or model._default_manager.filter(q, pk=doc.pk).exists()


def check_permission(user: Any, doc: models.Model, ptype: str = "read") -> None:
    if not has_permission(user, doc, ptype):
        raise PermissionDenied(f"{ptype} of {type(doc).__name__} {doc.pk} is not permitted")


def own_notifications(user: Any, ptype: str) -> Q | None:
    return Q(user_id=getattr(user, "pk", None))
