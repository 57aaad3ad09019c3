"""What a print template sees: the record as plain data, never a model instance.

    doc.<field>            the value (dates stay dates; a link is its title, `<field>_id` its key)
    doc.<field>_label      the label of a choice
    doc.<child table>      a list of rows, each the same kind of dict (e.g. doc.materials)
    <extra>                what the DocType's `print_context` hook adds (e.g. the promised completion instant)
    now, today, letter_head (header, footer, seal as a data: URI)

Masked fields are masked for the user the print is for, as everywhere else.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string

from lowcode.core import registry
from lowcode.core.files import sniff
from lowcode.core.hooks import get_hooks
from lowcode.core.masking import display_value, masked_fields

MAX_CHILD_ROWS = 500


def _plain(doc: models.Model, user: Any, masked: set[str]) -> dict[str, Any]:
    values: dict[str, Any] = {"name": str(doc), "pk": doc.pk}
    for field in doc._meta.concrete_fields:
        if field.name in masked:
            values[field.name] = display_value(user, doc, field.name)
            continue
        if field.is_relation:
            related_id = getattr(doc, field.attname)
            values[f"{field.name}_id"] = related_id
            values[field.name] = str(getattr(doc, field.name)) if related_id is not None else ""
            continue
        value = getattr(doc, field.attname)
        if isinstance(value, models.fields.files.FieldFile):
            value = value.name or ""
        values[field.name] = value
        if field.choices:
            values[f"{field.name}_label"] = str(getattr(doc, f"get_{field.name}_display")())
    for field in doc._meta.many_to_many:
        values[field.name] = [str(o) for o in getattr(doc, field.name).all()]
    if "custom" in values:  # custom fields print by their key, like standard ones: {{ doc.licence_valid_until }}
        from lowcode.customization.values import values as custom_values

        del values["custom"]
        for key, value in custom_values(doc).items():
            values.setdefault(key, value)
    return values


def _children(doc: models.Model, user: Any) -> dict[str, list[dict[str, Any]]]:
    """Child tables: one-to-many relations to models that are not DocTypes of their own."""
    tables = {}
    for relation in doc._meta.related_objects:
        if not relation.one_to_many or registry.for_model(relation.related_model) is not None:
            continue
        accessor = relation.get_accessor_name()
        rows = getattr(doc, accessor).all()[:MAX_CHILD_ROWS]
        masked = set(masked_fields(relation.related_model))
        tables[accessor] = [_plain(row, user, masked) for row in rows]
    return tables


def document_context(doc: models.Model, user: Any, letter_head: Any = None) -> dict[str, Any]:
    data = _plain(doc, user, set(masked_fields(type(doc))))
    data.update(_children(doc, user))
    context: dict[str, Any] = {"doc": data, "now": timezone.localtime(), "today": timezone.localdate()}
    doctype = registry.for_model(type(doc))
    if doctype is not None:
        for path in (get_hooks("print_context", {}) or {}).get(doctype.name, []):
            context.update(import_string(path)(doc, user))
    context["letter_head"] = letter_head_context(letter_head)
    return context


def letter_head_context(letter_head: Any) -> dict[str, str]:
    if letter_head is None:
        return {"header": "", "footer": "", "seal": ""}
    seal = ""
    if letter_head.seal:
        with letter_head.seal.open("rb") as f:
            data = f.read()
        seal = f"data:{sniff(data[:16]) or 'image/png'};base64,{base64.b64encode(data).decode()}"
    return {"header": letter_head.header_html, "footer": letter_head.footer_html, "seal": seal}
