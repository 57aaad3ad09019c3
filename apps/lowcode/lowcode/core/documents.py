"""The write path: every insert, save and delete of a DocType, from any surface, comes through here.

Each write runs the DocType's field rules and controller (lowcode.core.controller), then doc_events, in
one transaction. Nothing outside this module (and the few bulk writers named in the write-path lint,
tests/lowcode/core/test_write_path_lint.py) calls a model's save() or delete() on a DocType.

A file stored by a write goes with its transaction: the rows roll back, a storage does not, so each write here
runs in `atomic_with_files()`, which deletes the files stored inside it (`file_stored`) when it ends in an
exception. A writer that stores files around these calls (the workflow engine's notices, an upload) opens it
around its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models, transaction

from lowcode.core import search
from lowcode.core.controller import (
    WriteContext,
    check_field_rules,
    controller_for,
    current_writer,
    given_fields,
)
from lowcode.core.doc_events import fire
from lowcode.core.files import check_uploads
from lowcode.core.signals import document_inserted

M = TypeVar("M", bound=models.Model)
logger = logging.getLogger(__name__)

_stored_files: ContextVar[list[tuple[Any, str]] | None] = ContextVar("lowcode_stored_files", default=None)


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """transaction.atomic(), and the files stored inside it are deleted again if it ends in an exception (refused,
    or failed): a refused write leaves no file behind. A block that ends well hands its files to the enclosing
    one, so they go if that one fails; a transaction opened outside any such block cannot be followed."""
    outer = _stored_files.get()
    stored: list[tuple[Any, str]] = []
    token = _stored_files.set(stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in reversed(stored):
            try:
                storage.delete(name)
            except OSError:
                logger.exception("could not delete %s, stored by a write that was rolled back", name)
        raise
    else:
        if outer is not None:
            outer.extend(stored)
    finally:
        _stored_files.reset(token)


def file_stored(storage: Any, name: str) -> None:
    """A file was just stored for a row written in the current `atomic_with_files()` block: it goes if that does."""
    stored = _stored_files.get()
    if stored is not None and name:
        stored.append((storage, name))


def _new_files(doc: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The files among `fields` that saving `doc` will store (assigned, not yet in storage), by field."""
    names = set(fields)
    return {
        f.name: value
        for f in doc._meta.concrete_fields
        if isinstance(f, models.FileField)
        and f.name in names
        and (value := getattr(doc, f.attname))
        and not getattr(value, "_committed", True)
    }


def _kept(files: dict[str, Any]) -> None:
    """The files a save just stored go with its transaction (`atomic_with_files`)."""
    for value in files.values():
        if getattr(value, "_committed", False):
            file_stored(value.storage, value.name)


def _has_field(doc: models.Model, name: str) -> bool:
    return any(f.name == name for f in doc._meta.fields)


def insert_context(doc: models.Model, *, user: Any = None, given: Iterable[str] | None = None) -> WriteContext:
    return WriteContext(user=user, writer=current_writer(user), creating=True, changed=given_fields(doc, given))


def validate_insert(doc: models.Model, ctx: WriteContext) -> None:
    """Everything that may refuse a new record, writing nothing: field rules, the controller, the model."""
    controller = controller_for(type(doc))
    check_field_rules(doc, ctx)
    check_uploads(doc, [f.name for f in doc._meta.concrete_fields])
    controller.before_insert(doc, ctx)
    fire(doc, "before_insert")
    controller.validate(doc, ctx)
    fire(doc, "validate")


def insert_doc(
    doc: M, *, user: Any = None, given: Iterable[str] | None = None, relations: dict[str, Any] | None = None
) -> M:
    """Insert a new record. `given`: the fields the writer supplied (else: those differing from a blank one);
    `relations`: many-to-many values the writer supplied, checked by the same rules and set before the
    controller's after_insert (which has the last word)."""
    relations = dict(relations or {})
    if relations:
        given = [*(given if given is not None else given_fields(doc, None)), *relations]
    with atomic_with_files():
        ctx = insert_context(doc, user=user, given=given)
        if user is not None and getattr(user, "pk", None) and _has_field(doc, "owner"):
            doc.owner = doc.modified_by = user  # type: ignore[attr-defined]
        validate_insert(doc, ctx)
        doc.full_clean()
        files = _new_files(doc, [f.name for f in doc._meta.concrete_fields])
        doc.save(force_insert=True)
        _kept(files)
        for name, value in relations.items():
            getattr(doc, name).set(value)
        search.index_doc(doc)
        document_inserted.send(sender=type(doc), doc=doc, user=user)
        controller_for(type(doc)).after_insert(doc, ctx)
        fire(doc, "after_insert")
        fire(doc, "on_change")
    return doc


def save_doc(
    doc: M,
    *,
    update_fields: Iterable[str],
    user: Any = None,
    exclude_from_validation: Iterable[str] = (),
    versioned: bool = True,
) -> M:
    """Save the named fields. `versioned=False` for a writer that keeps its own audit trail (the workflow)."""
    fields = list(dict.fromkeys(update_fields))
    if not fields:
        return doc
    with atomic_with_files():
        ctx = update_context(doc, fields, user=user)
        validate_update(doc, ctx)
        if _has_field(doc, "modified_at") and "modified_at" not in fields:
            fields.append("modified_at")
        if user is not None and getattr(user, "pk", None) and _has_field(doc, "modified_by"):
            doc.modified_by = user  # type: ignore[attr-defined]
            fields.append("modified_by")
        skip = set(exclude_from_validation)
        doc.full_clean(exclude=[f.name for f in doc._meta.fields if f.name not in fields or f.name in skip])
        files = _new_files(doc, fields)
        doc.save(update_fields=fields)
        _kept(files)
        search.index_doc(doc, fields)
        if versioned and ctx.before is not None:
            record_version(doc, ctx.before, fields, user)
        controller_for(type(doc)).on_update(doc, ctx)
        fire(doc, "on_update")
        fire(doc, "on_change")
    return doc


def update_context(doc: models.Model, fields: Iterable[str], *, user: Any = None) -> WriteContext:
    """The write about to happen: which of `fields` really change, and their stored values."""
    names = [f for f in fields if f not in AUDIT_SKIP]
    stored = _stored(doc, names)
    if stored is None:  # not a DocType, or nothing to compare: every named field counts as changed
        return WriteContext(user=user, writer=current_writer(user), creating=False, changed=set(names))
    attnames = {n: doc._meta.get_field(n).attname for n in names}
    changed = {n for n, a in attnames.items() if a not in stored or stored[a] != getattr(doc, a)}
    changed |= set(_new_files(doc, names))  # a new file is a change, whatever its name
    return WriteContext(user=user, writer=current_writer(user), creating=False, changed=changed, before=stored)


def validate_update(doc: models.Model, ctx: WriteContext) -> None:
    """Everything that may refuse a save, writing nothing: field rules and the controller's validate."""
    check_field_rules(doc, ctx)
    check_uploads(doc, ctx.changed)
    controller_for(type(doc)).validate(doc, ctx)
    fire(doc, "validate")


AUDIT_SKIP = {"modified_at", "modified_by", "fixture_hash"}


def _stored(doc: models.Model, fields: list[str]) -> dict[str, Any] | None:
    """The stored values of the fields about to change (for the audit trail), or None for a non-DocType."""
    from lowcode.core import registry

    if registry.for_model(type(doc)) is None or doc.pk is None:
        return None
    columns = [doc._meta.get_field(f).attname for f in fields if f not in AUDIT_SKIP]
    if not columns:
        return None
    return type(doc)._default_manager.filter(pk=doc.pk).values(*columns).first() or {}


def record_version(doc: models.Model, before: dict[str, Any], fields: list[str], user: Any) -> None:
    """Frappe's Version: one entry per save that changed something, with each field's old and new value."""
    from django.utils import timezone

    from lowcode.core import registry
    from lowcode.core.models import Version

    changes = []
    for name in fields:
        if name in AUDIT_SKIP:
            continue
        field = doc._meta.get_field(name)
        old, new = before.get(field.attname), getattr(doc, field.attname)
        if name == "custom":
            changes += _custom_changes(doc, old or {}, new or {})
        elif old != new:
            changes.append([name, str(field.verbose_name), jsonable(old), jsonable(new)])
    if changes:
        Version.objects.create(
            doctype=registry.for_model(type(doc)).name,  # type: ignore[union-attr]
            doc_id=str(doc.pk),
            user=user if getattr(user, "pk", None) else None,
            at=timezone.now(),
            changed=changes,
        )


def _custom_changes(doc: models.Model, old: dict[str, Any], new: dict[str, Any]) -> list[list[Any]]:
    from lowcode.customization.meta import custom_field, doctype_name

    doctype = doctype_name(type(doc))
    result = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            cf = custom_field(doctype, key)
            result.append([key, cf.label if cf else key, old.get(key), new.get(key)])
    return result


def jsonable(value: Any) -> Any:
    """A value as JSON keeps it: text, number, true/false or null; dates in ISO form; anything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows_context(doc: models.Model, *, user: Any = None) -> WriteContext:
    return WriteContext(user=user, writer=current_writer(user), creating=False)


def save_rows(
    doc: models.Model,
    model: type[models.Model],
    *,
    changed: Iterable[models.Model],
    deleted: Iterable[models.Model] = (),
    table: Iterable[models.Model],
    user: Any = None,
) -> None:
    """Write rows of a child table of `doc` (Frappe's child DocType): the parent's controller sees the whole
    table as it would be (`table`) and may refuse; then the changed rows are saved and the deleted removed."""
    with atomic_with_files():
        table = list(table)
        ctx = rows_context(doc, user=user)
        controller_for(type(doc)).validate_rows(doc, model, table, ctx)
        changed = list(changed)
        for row in changed:
            check_uploads(row, [f.name for f in row._meta.concrete_fields])
        for row in changed:
            row.full_clean()
            files = _new_files(row, [f.name for f in row._meta.concrete_fields])
            row.save()
            _kept(files)
        for row in deleted:
            row.delete()
        controller_for(type(doc)).on_rows_saved(doc, model, table, ctx)


@transaction.atomic
def delete_doc(doc: models.Model, *, user: Any = None) -> None:
    ctx = WriteContext(user=user, writer=current_writer(user), creating=False)
    controller_for(type(doc)).on_trash(doc, ctx)
    fire(doc, "on_trash")
    pk = doc.pk
    doc.delete()
    search.unindex_doc(doc, pk)
    fire(doc, "after_delete")


@transaction.atomic
def upsert_doc(model: type[M], lookup: dict[str, Any], values: dict[str, Any], *, user: Any = None) -> tuple[M, str]:
    """Insert the record matched by `lookup`, or update only the fields of `values` that differ.

    Returns the record and "created", "updated" or "unchanged" — what fixtures, imports and demo data need
    to stay idempotent.
    """
    doc = model._default_manager.filter(**lookup).first()
    if doc is None:
        return insert_doc(model(**lookup, **values), user=user), "created"
    changed = [name for name, value in values.items() if getattr(doc, name) != value]
    if not changed:
        return doc, "unchanged"
    for name in changed:
        setattr(doc, name, values[name])
    save_doc(doc, update_fields=changed, user=user)
    return doc, "updated"
