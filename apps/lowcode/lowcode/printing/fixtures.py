"""Print formats and letter heads shipped by apps (fixtures/print_format.json, letter_head.json): applied
when new or changed by the app, unless an administrator edited them on this site (then kept)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lowcode.core.documents import upsert_doc
from lowcode.core.fixtures import upsert_unless_edited
from lowcode.printing.models import LetterHead, PrintFormat

FORMAT_FIELDS = {
    "doctype": "",
    "is_default": False,
    "disabled": False,
    "template": "",
    "css": "",
    "page_size": "A4",
    "margin_top": 25,
    "margin_bottom": 20,
    "margin_left": 25,
    "margin_right": 20,
    "letter_head": "",
}


def _values(source: Any) -> dict[str, Any]:
    get = source.get if isinstance(source, dict) else lambda k, d=None: getattr(source, k, d)
    values = {name: get(name, default) for name, default in FORMAT_FIELDS.items()}
    values["letter_head"] = getattr(values["letter_head"], "name", values["letter_head"]) or ""
    return values


@transaction.atomic
def print_format_upsert(record: dict[str, Any]) -> str:
    shipped = _values(record)
    values = {**shipped}
    values["letter_head"] = LetterHead.objects.get(name=shipped["letter_head"]) if shipped["letter_head"] else None
    return upsert_unless_edited(PrintFormat, {"name": record["name"]}, shipped, values, _values)


@transaction.atomic
def letter_head_upsert(record: dict[str, Any]) -> str:
    values = {k: record.get(k, "") for k in ("header_html", "footer_html")}
    values["is_default"] = bool(record.get("is_default", False))
    return upsert_doc(LetterHead, {"name": record["name"]}, values)[1]
