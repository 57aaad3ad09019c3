"""Generic writes of a document, with doc_events: the bricks that DocType services are built from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models, transaction

from lowcode.core.doc_events import fire

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def insert_doc(doc: M) -> M:
    fire(doc, "before_insert")
    fire(doc, "validate")
    doc.full_clean()
    doc.save(force_insert=True)
    fire(doc, "after_insert")
    fire(doc, "on_change")
    return doc


@transaction.atomic
def save_doc(doc: M, *, update_fields: Iterable[str]) -> M:
    fields = list(update_fields)
    if not fields:
        return doc
    fire(doc, "validate")
    doc.full_clean(exclude=[f.name for f in doc._meta.fields if f.name not in fields])
    doc.save(update_fields=fields)
    fire(doc, "on_update")
    fire(doc, "on_change")
    return doc


@transaction.atomic
def delete_doc(doc: models.Model) -> None:
    fire(doc, "on_trash")
    doc.delete()
    fire(doc, "after_delete")
