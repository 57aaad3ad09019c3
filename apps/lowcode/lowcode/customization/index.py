"""A custom field marked "in standard filter" gets a generated column over its JSON value, with an index, so
filtering by it uses the index (MariaDB cannot index into JSON directly). Made and dropped after the change
commits; filtering then names the column. Without it, a custom value is read out of the JSON."""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from lowcode.customization.fieldtypes import TYPES, query_field


def _names(model: type[models.Model], cf: Any) -> tuple[str, str, str]:
    table = model._meta.db_table
    return table, cf.column, f"{table[:30]}_{cf.column}"[:60] + "_ix"


def has_column(model: type[models.Model], column: str) -> bool:
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return any(c.name == column for c in described)


def ensure_index(model: type[models.Model], cf: Any) -> None:
    table, column, index = _names(model, cf)
    kind = TYPES[cf.fieldtype]
    qn = connection.ops.quote_name
    path = f'$."{cf.fieldname}"'
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                f"ALTER TABLE {qn(table)} ADD COLUMN IF NOT EXISTS {qn(column)} {kind.mariadb_column} "
                f"AS (JSON_VALUE(`custom`, '{path}')) VIRTUAL"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {qn(index)} ON {qn(table)} ({qn(column)})")
        else:
            if not has_column(model, column):
                cursor.execute(
                    f"ALTER TABLE {qn(table)} ADD COLUMN {qn(column)} {kind.sqlite_column} "
                    f"GENERATED ALWAYS AS (json_extract(\"custom\", '{path}')) VIRTUAL"
                )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {qn(index)} ON {qn(table)} ({qn(column)})")


def drop_index(model: type[models.Model], cf: Any) -> None:
    table, column, index = _names(model, cf)
    qn = connection.ops.quote_name
    if not has_column(model, column):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(f"DROP INDEX IF EXISTS {qn(index)} ON {qn(table)}")
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {qn(index)}")
        cursor.execute(f"ALTER TABLE {qn(table)} DROP COLUMN {qn(column)}")


def expression(model: type[models.Model], cf: Any) -> Any:
    """What to filter and sort by: the indexed column when there is one, else the value inside the JSON."""
    if cf.in_standard_filter and TYPES[cf.fieldtype].mariadb_column:
        qn = connection.ops.quote_name
        # Names only, quoted, from a validated key ([a-z][a-z0-9_]*) and the model's table: no user text.
        column = f"{qn(model._meta.db_table)}.{qn(cf.column)}"
        return RawSQL(column, [], output_field=query_field(cf.fieldtype))  # noqa: S611
    if cf.fieldtype == "Check":
        return KeyTransform(cf.fieldname, "custom")  # JSON true/false, compared as JSON
    text = KeyTextTransform(cf.fieldname, "custom")
    if cf.fieldtype in ("Int", "Float", "Currency", "Date"):
        return Cast(text, output_field=query_field(cf.fieldtype))
    return Cast(text, output_field=models.TextField())  # plain text comparison, not JSON's


def annotate(queryset: models.QuerySet, cf: Any) -> tuple[models.QuerySet, str]:
    alias = f"_custom_{cf.fieldname}"
    return queryset.alias(**{alias: expression(queryset.model, cf)}), alias


def filter_queryset(queryset: models.QuerySet, cf: Any, lookup: str, value: Any) -> models.QuerySet:
    queryset, alias = annotate(queryset, cf)
    return queryset.filter(Q(**{f"{alias}__{lookup}": value}))
