"""Roles and their rights: the Role fixture importer and the service that gives a user roles.

A Role fixture record may carry, beyond its plain fields,
    "rights": {"Application": ["read", "write", "print"], ...}   (DocType -> permission types)
    "extra_permissions": ["gov_services.view_id_number"]          (any other Django permission)
which become the role's Django permissions. A sync sets exactly these, so a right removed from the
fixture is removed from the role.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction

from lowcode.core import registry
from lowcode.core.documents import upsert_doc
from lowcode.core.fixtures import FixtureError
from lowcode.core.models import Role
from lowcode.core.permissions import PTYPES, forget_user_roles

PLAIN_FIELDS = ("label_zh", "label_en", "description", "desk_access", "is_standard")


def permission_ids(rights: dict[str, list[str]], extra: Iterable[str]) -> set[int]:
    wanted: set[tuple[str, str]] = set()
    for doctype_name, ptypes in rights.items():
        opts = registry.get(doctype_name).model._meta
        for ptype in ptypes:
            if ptype not in PTYPES:
                raise FixtureError(f"unknown permission type {ptype!r} for {doctype_name}")
            wanted.add((opts.app_label, f"{PTYPES[ptype]}_{opts.model_name}"))
    for dotted in extra:
        app_label, codename = dotted.split(".", 1)
        wanted.add((app_label, codename))
    found = {
        (p.content_type.app_label, p.codename): p.pk
        for p in Permission.objects.select_related("content_type").filter(codename__in={c for _, c in wanted})
    }
    missing = sorted(f"{a}.{c}" for a, c in wanted if (a, c) not in found)
    if missing:
        raise FixtureError(f"unknown permissions: {', '.join(missing)}")
    return {found[key] for key in wanted}


@transaction.atomic
def role_upsert(record: dict[str, Any]) -> str:
    name = record.get("name")
    if not name:
        raise FixtureError(f"Role fixture record without a name: {record}")
    values = {k: record[k] for k in PLAIN_FIELDS if k in record}
    wanted = permission_ids(record.get("rights", {}), record.get("extra_permissions", []))
    role, outcome = upsert_doc(Role, {"name": name}, values)
    if set(role.permissions.values_list("pk", flat=True)) != wanted:
        role.permissions.set(wanted)
        return "created" if outcome == "created" else "updated"
    return outcome


@transaction.atomic
def user_set_roles(*, user: Any, roles: Iterable[str]) -> None:
    """Give a user exactly these roles; desk access follows from them (Citizens never reach the desk)."""
    chosen = list(Role.objects.filter(name__in=list(roles)))
    unknown = set(roles) - {r.name for r in chosen}
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    user.groups.set(chosen)
    forget_user_roles(user)
    is_staff = user.is_superuser or any(r.desk_access for r in chosen)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def refuse_deleting_standard_role(doc: Any, event: str) -> None:
    """doc_events on_trash of Role: a role an app ships is referenced by fixtures and code — from the desk,
    the API or anywhere, it is never deleted."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if getattr(doc, "is_standard", False):
        raise ValidationError(_("“%(role)s” is a standard role and cannot be deleted.") % {"role": doc.name})
