"""Masked fields: values shown masked (ID numbers, phone numbers, addresses …) to everyone without the right
to see them in full.

A DocType declares them when registered (its meta.py):
    "masked_fields": {
        "id_number": "path.to.mask",                                    # unmasked by unmask_permission
        "phone": {"mask": "path.to.mask_phone", "permission": "app.view_contact"},   # by its own right
    },
    "unmask_permission": "app.view_id_number",
Desk lists, forms and change history, exports, prints, issued notices and the API all ask `hidden_fields` /
`display_value`, so the rule lives here only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from django.db import models
from django.utils.module_loading import import_string

from lowcode.core import registry

# A record that belongs to another (a workflow action) and keeps that record's changed values in a JSON field
# (registered as `changes_field`): the values are masked as the record they belong to masks them.
CHANGES = "lowcode.core.masking.changes"


@cache
def _masker(path: str) -> Any:
    return import_string(path)


def _declared(model: type[models.Model]) -> dict[str, tuple[str, str | None]]:
    """field → (masker path, the permission that unmasks it)."""
    doctype = registry.for_model(model)
    if doctype is None:
        return {}
    default = doctype.extra.get("unmask_permission")
    declared = {}
    if doctype.extra.get("changes_field") and doctype.extra.get("belongs_to"):
        declared[doctype.extra["changes_field"]] = (CHANGES, None)
    for field, rule in (doctype.extra.get("masked_fields") or {}).items():
        if isinstance(rule, dict):
            declared[field] = (str(rule["mask"]), rule.get("permission", default))
        else:
            declared[field] = (str(rule), default)
    return declared


def masked_fields(model: type[models.Model]) -> dict[str, str]:
    """The fields of `model` that are masked for someone: field → masker path."""
    return {field: path for field, (path, _perm) in _declared(model).items()}


_for_everyone: ContextVar[bool] = ContextVar("lowcode_masked_for_everyone", default=False)


@contextmanager
def masked_for_everyone() -> Iterator[None]:
    """Render something every reader may get (an issued notice): every masked field masked, whoever renders."""
    token = _for_everyone.set(True)
    try:
        yield
    finally:
        _for_everyone.reset(token)


def hidden_fields(user: Any, model: type[models.Model]) -> frozenset[str]:
    """The fields `user` sees masked on `model` (and may neither filter, sort nor search by)."""
    if _for_everyone.get():
        return frozenset(_declared(model))
    if getattr(user, "is_superuser", False):
        return frozenset()
    # asked for every cell of a list or an API page: worked out once per user (one request) and DocType
    known = user.__dict__.setdefault("_lowcode_hidden_fields", {}) if hasattr(user, "__dict__") else {}
    if model not in known:
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        known[model] = frozenset(
            field
            for field, (_path, permission) in _declared(model).items()
            if not (permission and signed_in and user.has_perm(permission))
        )
    return known[model]


def may_unmask(user: Any, model: type[models.Model], field: str | None = None) -> bool:
    """Whether `user` sees `field` (or, without a field, every masked field of `model`) in full."""
    hidden = hidden_fields(user, model)
    return field not in hidden if field is not None else not hidden


def mask(model: type[models.Model], field: str, value: Any) -> Any:
    path = masked_fields(model).get(field)
    return value if path is None or value in (None, "") else _masker(path)(value)


def display_value(user: Any, doc: models.Model, field: str) -> Any:
    value = getattr(doc, field)
    if field not in hidden_fields(user, type(doc)):
        return value
    if masked_fields(type(doc)).get(field) == CHANGES:
        return changes(user, doc, value)
    return mask(type(doc), field, value)


def changes(user: Any, doc: models.Model, value: Any) -> Any:
    """{field: value} of the record `doc` belongs to, each masked as that record's DocType masks it for `user`."""
    doctype_field = registry.for_model(type(doc)).extra["belongs_to"][0]  # type: ignore[union-attr]
    try:
        owner = registry.get(getattr(doc, doctype_field)).model
    except registry.UnknownDocType:
        return {}
    if not isinstance(value, dict):
        return value
    hidden = hidden_fields(user, owner)
    return {k: mask(owner, k, v) if k in hidden else v for k, v in value.items()}
