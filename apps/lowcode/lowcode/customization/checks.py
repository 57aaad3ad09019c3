"""System checks over stored custom fields and Customize Form overrides: the rules they are saved under
(schema.custom_field_problems, schema.override_problems), run again over every row, so one left pointing at a
field the DocType no longer has shows in `manage.py check` (lowcode_customization.E001–E028) instead of a
form that silently drops it."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def check_custom_fields(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from lowcode.customization.models import CustomField
    from lowcode.customization.schema import custom_field_problems

    try:
        fields = list(CustomField.objects.filter(archived=False))
    except DatabaseError:  # not migrated yet
        return []
    return [problem.as_check(cf) for cf in fields for problem in custom_field_problems(cf)]


@checks.register(checks.Tags.database)
def check_property_setters(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from lowcode.customization.models import PropertySetter
    from lowcode.customization.schema import override_problems

    try:
        rows = list(PropertySetter.objects.order_by("doctype", "fieldname", "property"))
    except DatabaseError:  # not migrated yet
        return []
    changes: dict[str, dict[str, dict[str, str]]] = {}
    first: dict[tuple[str, str], PropertySetter] = {}
    for row in rows:
        changes.setdefault(row.doctype, {}).setdefault(row.fieldname, {})[row.property] = row.value
        first.setdefault((row.doctype, row.fieldname), row)
    messages: list[checks.CheckMessage] = []
    for doctype, overrides in changes.items():
        for problem in override_problems(doctype, overrides):
            obj = first.get((doctype, problem.field)) if problem.field else f"Customize Form {doctype}"
            messages.append(problem.as_check(obj))
    return messages
