"""What a DocType looks like on this site now: its custom fields and the overrides of its standard fields.

Every process reads them through here. A stamp of the two tables (row counts and latest change) is read once
per request or scheduled job (and on every call outside them), so a field an administrator adds shows in
every running web process and worker at their next request or job — no restart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

_request: ContextVar[dict | None] = ContextVar("lowcode_customization_request", default=None)


@dataclass
class Definitions:
    stamp: tuple
    fields: dict[str, list[Any]] = field(default_factory=dict)  # doctype -> active custom fields, in order
    overrides: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # doctype -> field -> prop


_cache: Definitions | None = None


def _stamp() -> tuple:
    from lowcode.customization.models import CustomField, PropertySetter

    holder = _request.get()
    if holder is not None and "stamp" in holder:
        return holder["stamp"]
    a = CustomField.objects.aggregate(n=Count("id"), m=Max("modified_at"))
    b = PropertySetter.objects.aggregate(n=Count("id"), m=Max("modified_at"))
    stamp = (a["n"], a["m"], b["n"], b["m"])
    if holder is not None:
        holder["stamp"] = stamp
    return stamp


def definitions() -> Definitions:
    global _cache
    from lowcode.customization.models import CustomField, PropertySetter

    stamp = _stamp()
    if _cache is None or _cache.stamp != stamp:
        loaded = Definitions(stamp)
        for cf in CustomField.objects.filter(archived=False).order_by("doctype", "id"):
            loaded.fields.setdefault(cf.doctype, []).append(cf)
        for ps in PropertySetter.objects.all():
            loaded.overrides.setdefault(ps.doctype, {}).setdefault(ps.fieldname, {})[ps.property] = ps.value
        _cache = loaded
    return _cache


def custom_fields(doctype: str | None) -> list[Any]:
    return list(definitions().fields.get(doctype or "", [])) if doctype else []


def custom_field(doctype: str | None, key: str) -> Any:
    return next((cf for cf in custom_fields(doctype) if cf.fieldname == key), None)


def overrides(doctype: str | None) -> dict[str, dict[str, str]]:
    return definitions().overrides.get(doctype or "", {}) if doctype else {}


def prop(doctype: str | None, fieldname: str, name: str) -> str | None:
    return overrides(doctype).get(fieldname, {}).get(name)


def doctype_name(model: type) -> str | None:
    from lowcode.core import registry

    doctype = registry.for_model(model)
    return doctype.name if doctype else None


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block (a request, a scheduled job) the stamp is read at most once, when first needed."""
    token = _request.set({})
    try:
        yield
    finally:
        _request.reset(token)


class FreshDefinitions:
    """Middleware: the definitions are checked once per request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with reading_once():
            return self.get_response(request)


def forget_request_stamp() -> None:
    """After a change within a request (the desk saving a field), read the new definitions."""
    holder = _request.get()
    if holder is not None:
        holder.pop("stamp", None)
