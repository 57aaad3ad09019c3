"""Which orders an index serves — the desk offers only those sorts on a DocType that grows with the work.

A DocType registered with `large=True` (applications, work orders, clocks, audit entries: tables that reach
millions of rows) offers a column for sorting only when an index leads with its column, so that sorting is
an index walk and not a sort of the table; its default order must be served the same way (a test checks every
registered one). Small tables (configuration, catalogues) sort by anything.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from lowcode.core import registry


def is_large(model: type[models.Model]) -> bool:
    doctype = registry.for_model(model)
    return bool(doctype and doctype.extra.get("large"))


def leading_columns(model: type[models.Model]) -> set[str]:
    """The columns that lead an index on their own (followed by the primary key, as InnoDB and SQLite keep it)."""
    opts = model._meta
    composite = {opts.get_field(i.fields[0].lstrip("-")).attname for i in opts.indexes if len(i.fields) > 1}
    found = {opts.pk.attname}
    for field in opts.concrete_fields:
        if field.unique:
            found.add(field.attname)
        elif field.db_index and not (field.many_to_one and field.attname in composite):
            # InnoDB folds a foreign key's own index into a composite one that begins with it, which does not
            # serve (key, id): only an explicit single-column index counts then
            found.add(field.attname)
    for index in opts.indexes:
        if len(index.fields) == 1:
            found.add(opts.get_field(index.fields[0].lstrip("-")).attname)
    return found


def serves(model: type[models.Model], path: str) -> bool:
    """Whether an index serves ordering by `path` (a field name, its attname or "pk"; "-" allowed)."""
    name = path.lstrip("-")
    if name == "pk":
        return True
    if "__" in name:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return getattr(field, "attname", name) in leading_columns(model)
