"""Generic writes of a document, with doc_events: the bricks that DocType services are built from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from lowcode.core.doc_events import fire
from lowcode.core.signals import document_inserted

M = TypeVar("M", bound=models.Model)


def _has_field(doc: models.Model, name: str) -> bool:
    return any(f.name == name for f in doc._meta.fields)


@transaction.atomic
def insert_doc(doc: M, *, user: Any = None) -> M:
    if user is not None and getattr(user, "pk", None) and _has_field(doc, "owner"):
        doc.owner = doc.modified_by = user  # type: ignore[attr-defined]
    fire(doc, "before_insert")
    fire(doc, "validate")
    doc.full_clean()
    doc.save(force_insert=True)
    document_inserted.send(sender=type(doc), doc=doc, user=user)
    fire(doc, "after_insert")
    fire(doc, "on_change")
    return doc


@transaction.atomic
def save_doc(
    doc: M, *, update_fields: Iterable[str], user: Any = None, exclude_from_validation: Iterable[str] = ()
) -> M:
    fields = list(update_fields)
    if not fields:
        return doc
    if _has_field(doc, "modified_at") and "modified_at" not in fields:
        fields.append("modified_at")
    if user is not None and getattr(user, "pk", None) and _has_field(doc, "modified_by"):
        doc.modified_by = user  # type: ignore[attr-defined]
        fields.append("modified_by")
    fire(doc, "validate")
    skip = set(exclude_from_validation)
    doc.full_clean(exclude=[f.name for f in doc._meta.fields if f.name not in fields or f.name in skip])
    doc.save(update_fields=fields)
    fire(doc, "on_update")
    fire(doc, "on_change")
    return doc


@transaction.atomic
def delete_doc(doc: models.Model) -> None:
    fire(doc, "on_trash")
    doc.delete()
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
