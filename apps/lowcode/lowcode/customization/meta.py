"""What a DocType looks like on this site now: its custom fields and the overrides of its standard fields.

Every process reads them through here, cached as a kind of lowcode.core.definitions: the stamp of the two
tables is checked once per request or scheduled job (and on every call outside them), so a field an
administrator adds shows in every running web process and worker at their next request or job — no restart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lowcode.core import definitions as cached_definitions

KIND = "customization"


@dataclass
class Definitions:
    fields: dict[str, list[Any]] = field(default_factory=dict)  # doctype -> active custom fields, in order
    overrides: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # doctype -> field -> prop


def load() -> Definitions:
    from lowcode.customization.models import CustomField, PropertySetter

    loaded = Definitions()
    for cf in CustomField.objects.filter(archived=False).order_by("doctype", "id"):
        loaded.fields.setdefault(cf.doctype, []).append(cf)
    for ps in PropertySetter.objects.all():
        loaded.overrides.setdefault(ps.doctype, {}).setdefault(ps.fieldname, {})[ps.property] = ps.value
    return loaded


def definitions() -> Definitions:
    return cached_definitions.get(KIND)


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
