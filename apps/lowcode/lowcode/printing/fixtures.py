"""Print formats and letter heads shipped by apps (fixtures/print_format.json, letter_head.json): applied
when new or changed by the app, unless an administrator edited them on this site (then kept)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.db import transaction

from lowcode.core.documents import upsert_doc
from lowcode.printing.models import LetterHead, PrintFormat

logger = logging.getLogger(__name__)

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


def _hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def print_format_upsert(record: dict[str, Any]) -> str:
    shipped = _values(record)
    existing = PrintFormat.objects.filter(name=record["name"]).select_related("letter_head").first()
    if existing is not None and existing.fixture_hash != _hash(_values(existing)):
        logger.warning("print format %s was edited on this site; the shipped version is not applied", existing.name)
        return "unchanged"
    values = {**shipped, "fixture_hash": _hash(shipped)}
    values["letter_head"] = LetterHead.objects.get(name=shipped["letter_head"]) if shipped["letter_head"] else None
    return upsert_doc(PrintFormat, {"name": record["name"]}, values)[1]


@transaction.atomic
def letter_head_upsert(record: dict[str, Any]) -> str:
    values = {k: record.get(k, "") for k in ("header_html", "footer_html")}
    values["is_default"] = bool(record.get("is_default", False))
    return upsert_doc(LetterHead, {"name": record["name"]}, values)[1]
