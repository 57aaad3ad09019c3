"""The custom field types: for each, the form field that reads and checks a value, how the value is kept in the
record's `custom` JSON, and the column type of its index. One table, as a form builder keeps it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldType:
    name: str
    label: Any
    build: Callable[[Any], forms.Field]  # CustomField -> form field
    dump: Callable[[Any], Any]  # cleaned value -> JSON
    load: Callable[[Any], Any]  # JSON -> Python value
    mariadb_column: str = ""  # the indexed generated column's type; empty: not indexable
    sqlite_column: str = "TEXT"


def _select_choices(cf: Any) -> list[tuple[str, str]]:
    return [(o, o) for o in cf.option_list()]


def _link_field(cf: Any) -> forms.Field:
    from lowcode.core import registry

    doctype = registry.get(cf.options.strip())
    key = doctype.natural_key or "pk"
    return forms.ModelChoiceField(
        queryset=doctype.model._default_manager.all(), to_field_name=None if key == "pk" else key
    )


def _dump_link(value: Any) -> Any:
    if value is None or value == "":
        return None
    from lowcode.core import registry

    doctype = registry.for_model(type(value))
    key = doctype.natural_key if doctype and doctype.natural_key else "pk"
    return str(getattr(value, key))


def _load_link(raw: Any) -> Any:
    return raw


def _dump_decimal(value: Any) -> Any:
    return None if value is None else str(value)


def _load_decimal(raw: Any) -> Any:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def _load_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


def _dump_datetime(value: datetime | None) -> str | None:
    """Kept in UTC as 'YYYY-MM-DD HH:MM:SS', so text order is time order and the index column can read it."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")


def _load_datetime(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC) if raw else None
    except (TypeError, ValueError):
        return None


def _same(value: Any) -> Any:
    return value


def _blank_none(value: Any) -> Any:
    return None if value in ("", None) else value


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in [
        FieldType(
            "Data", _("Data"), lambda cf: forms.CharField(max_length=140), _blank_none, _same, "VARCHAR(140)", "TEXT"
        ),
        FieldType(
            "Text", _("Text"), lambda cf: forms.CharField(widget=forms.Textarea(attrs={"rows": 3})), _blank_none, _same
        ),
        FieldType(
            "Int",
            _("Integer"),
            lambda cf: forms.IntegerField(min_value=-(2**53), max_value=2**53),
            _same,
            _same,
            "BIGINT",
            "INTEGER",
        ),
        FieldType("Float", _("Float"), lambda cf: forms.FloatField(), _same, _same, "DOUBLE", "REAL"),
        FieldType(
            "Currency",
            _("Currency"),
            lambda cf: forms.DecimalField(max_digits=18, decimal_places=2),
            _dump_decimal,
            _load_decimal,
            "DECIMAL(18,2)",
            "TEXT",
        ),
        FieldType("Check", _("Check"), lambda cf: forms.BooleanField(), bool, bool, "TINYINT", "INTEGER"),
        FieldType(
            "Date",
            _("Date"),
            lambda cf: forms.DateField(widget=forms.DateInput(attrs={"type": "date"})),
            lambda v: v.isoformat() if v else None,
            _load_date,
            "DATE",
            "TEXT",
        ),
        FieldType(
            "Datetime",
            _("Date and time"),
            lambda cf: forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"})),
            _dump_datetime,
            _load_datetime,
            "DATETIME",
            "TEXT",
        ),
        FieldType(
            "Select",
            _("Select"),
            lambda cf: forms.ChoiceField(choices=[("", "---------"), *_select_choices(cf)]),
            _blank_none,
            _same,
            "VARCHAR(140)",
            "TEXT",
        ),
        FieldType("Link", _("Link"), _link_field, _dump_link, _load_link, "VARCHAR(140)", "TEXT"),
        FieldType("Attach", _("Attach"), lambda cf: forms.FileField(), _same, _same),
    ]
}


QUERY_FIELDS: dict[str, Callable[[], models.Field]] = {
    "Data": models.CharField,
    "Text": models.TextField,
    "Select": models.CharField,
    "Link": models.CharField,
    "Int": models.BigIntegerField,
    "Float": models.FloatField,
    "Currency": lambda: models.DecimalField(max_digits=18, decimal_places=2),
    "Check": models.BooleanField,
    "Date": models.DateField,
    "Datetime": models.CharField,  # kept as UTC text that sorts as time does
}


def query_field(fieldtype: str) -> models.Field | None:
    """How a stored value of this type compares in queries (API filters, the index column, desk filters)."""
    factory = QUERY_FIELDS.get(fieldtype)
    return factory() if factory else None
