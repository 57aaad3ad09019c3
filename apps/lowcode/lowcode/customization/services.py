"""Writes on custom fields: add, change, archive (values kept), restore and purge; the index follows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Func, Value

from lowcode.core import registry
from lowcode.core.controller import Controller, WriteContext, system_write
from lowcode.core.definitions import forget_request_stamp
from lowcode.core.documents import insert_doc, save_doc
from lowcode.customization import index
from lowcode.customization.models import CustomField


def _after(cf: CustomField) -> None:
    forget_request_stamp()
    transaction.on_commit(lambda: sync_index(cf))


def sync_index(cf: CustomField) -> None:
    model = registry.get(cf.doctype).model
    if cf.in_standard_filter and not cf.archived:
        index.ensure_index(model, cf)
    else:
        index.drop_index(model, cf)


class CustomFieldController(Controller):
    """Whoever adds or changes a custom field (desk, API, import), its index and every process follow."""

    def after_insert(self, doc: CustomField, ctx: WriteContext) -> None:
        _after(doc)

    def on_update(self, doc: CustomField, ctx: WriteContext) -> None:
        _after(doc)

    def on_trash(self, doc: CustomField, ctx: WriteContext) -> None:
        doc.archived = True  # what sync_index sees after the commit: the index goes
        _after(doc)


@transaction.atomic
def custom_field_insert(*, cf: CustomField, user: Any) -> CustomField:
    return insert_doc(cf, user=user)


@transaction.atomic
def custom_field_update(*, cf: CustomField, fields: list[str], user: Any) -> CustomField:
    return save_doc(cf, update_fields=[f for f in fields if f not in ("doctype", "fieldname")], user=user)


def custom_field_archive(*, cf: CustomField, user: Any) -> CustomField:
    """Deleting a custom field hides it everywhere; the values stay in the records until purged."""
    return _set_archived(cf, True, user)


def custom_field_restore(*, cf: CustomField, user: Any) -> CustomField:
    return _set_archived(cf, False, user)


@transaction.atomic
def _set_archived(cf: CustomField, archived: bool, user: Any) -> CustomField:
    cf.archived = archived
    with system_write():  # `archived` is this service's to set (archive / restore)
        save_doc(cf, update_fields=["archived"], user=user)
    return cf


@transaction.atomic
def custom_field_purge(*, cf: CustomField) -> int:
    """Remove an archived field's values from every record, then the field itself. Returns the records changed."""
    if not cf.archived:
        raise ValueError("only an archived custom field is purged")
    model = registry.get(cf.doctype).model
    path = f'$."{cf.fieldname}"'
    changed = model._default_manager.filter(custom__has_key=cf.fieldname).update(
        custom=Func(F("custom"), Value(path), function="JSON_REMOVE")
    )
    cf.delete()
    transaction.on_commit(lambda: index.drop_index(model, cf))
    forget_request_stamp()
    return changed
