"""Masked fields: values shown masked (ID numbers …) to everyone without the right to see them in full.

A DocType declares them when registered:
    registry.register(Model, ..., masked_fields={"id_number": "path.to.mask"}, unmask_permission="app.perm")
Desk lists and forms, exports, prints and the API all ask `display_value`, so the rule lives here only.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.module_loading import import_string

from lowcode.core import registry


@cache
def _masker(path: str) -> Any:
    return import_string(path)


def masked_fields(model: type[models.Model]) -> dict[str, str]:
    doctype = registry.for_model(model)
    return dict(doctype.extra.get("masked_fields", {})) if doctype else {}


def may_unmask(user: Any, model: type[models.Model]) -> bool:
    doctype = registry.for_model(model)
    permission = doctype.extra.get("unmask_permission") if doctype else None
    return bool(permission and user is not None and user.has_perm(permission))


def display_value(user: Any, doc: models.Model, field: str) -> Any:
    value = getattr(doc, field)
    path = masked_fields(type(doc)).get(field)
    if path is None or may_unmask(user, type(doc)):
        return value
    return _masker(path)(value)
