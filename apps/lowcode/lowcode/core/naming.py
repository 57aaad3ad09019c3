"""Naming series (Frappe's autoname "BJ-.YYYY.MM.DD.-.#####"): human-readable numbers, unique under
concurrent creation.

A pattern is split on "."; the parts YYYY, YY, MM, DD are the date, a run of "#" is the counter with that
many digits, anything else is literal. The counter is kept per prefix (everything before the "#"s) in
`NamingSeries`, advanced with one UPDATE … SET current = current + 1, whose row lock is held until the
creating transaction commits: two creators of the same prefix queue behind each other, never share a number.
"""

from __future__ import annotations

from datetime import date

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from lowcode.core.models import NamingSeries


def _render(pattern: str, today: date) -> tuple[str, int, str]:
    prefix, digits, suffix = "", 0, ""
    for part in pattern.split("."):
        if not part:
            continue
        if set(part) == {"#"}:
            digits = len(part)
            continue
        text = {"YYYY": f"{today:%Y}", "YY": f"{today:%y}", "MM": f"{today:%m}", "DD": f"{today:%d}"}.get(part, part)
        if digits:
            suffix += text
        else:
            prefix += text
    if not digits:
        raise ValueError(f"naming series {pattern!r} has no '#' counter")
    return prefix, digits, suffix


def _create_series(prefix: str) -> None:
    """Make the counter row of a new prefix, committed at once.

    On a server database it is inserted through a connection of its own in autocommit, so concurrent
    first users of a prefix never deadlock on each other's uncommitted insert; they all then queue on the
    committed row. SQLite locks the whole database for a writing transaction, so there the row is simply
    made inside it.
    """
    if connection.vendor == "sqlite":
        try:
            with transaction.atomic():
                NamingSeries.objects.create(name=prefix, current=0)
        except IntegrityError:
            pass
        return
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        table = own.ops.quote_name(NamingSeries._meta.db_table)
        with own.cursor() as cursor:
            cursor.execute(f"INSERT IGNORE INTO {table} (name, current) VALUES (%s, 0)", [prefix])  # noqa: S608
    finally:
        own.close()


def next_value(prefix: str, count: int = 1) -> int:
    """Advance the counter of `prefix` by `count` and return its new value (the last number reserved); call
    inside the transaction that creates the records."""
    with transaction.atomic():
        if not NamingSeries.objects.filter(name=prefix).update(current=F("current") + count):
            _create_series(prefix)
            NamingSeries.objects.filter(name=prefix).update(current=F("current") + count)
        return NamingSeries.objects.values_list("current", flat=True).get(name=prefix)


def make_name(pattern: str, today: date | None = None) -> str:
    return make_names(pattern, 1, today)[0]


def make_names(pattern: str, count: int, today: date | None = None) -> list[str]:
    """`count` consecutive numbers of the series, reserved with one UPDATE (for records made in bulk)."""
    if count <= 0:
        return []
    prefix, digits, suffix = _render(pattern, today or timezone.localdate())
    last = next_value(prefix, count)
    return [f"{prefix}{n:0{digits}d}{suffix}" for n in range(last - count + 1, last + 1)]
