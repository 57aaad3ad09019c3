"""`bench sync-fixtures`: load each app's fixtures/ by natural key, idempotently.

hooks.py names the DocTypes to sync, in order: `fixtures = ["Role", "Workflow", ...]`. For each, every
installed app's `fixtures/<doctype name in snake case>.json` (a JSON list of objects) is read. A record
is matched by its DocType's natural key; a missing one is inserted, a differing one updated (only the
fields that differ), an equal one left alone — so a second run changes nothing.

A DocType whose records need more than plain fields (child tables, many-to-many) registers an importer
with `register_importer(doctype, func)`; it returns "created", "updated" or "unchanged".
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction

from lowcode.core import registry
from lowcode.core.documents import upsert_doc
from lowcode.core.hooks import get_hooks
from lowcode.sites import installed_apps

logger = logging.getLogger(__name__)

Importer = Callable[[dict[str, Any]], str]
_importers: dict[str, Importer] = {}


class FixtureError(Exception):
    pass


def register_importer(doctype: str, importer: Importer) -> None:
    _importers[doctype] = importer


def scrub(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def fixture_files(doctype: str) -> list[Path]:
    files = []
    for app in installed_apps():
        module = importlib.import_module(app)
        folder = Path(module.__file__ or "").parent
        path = folder / "fixtures" / f"{scrub(doctype)}.json"  # Frappe's layout: fixtures/ beside hooks.py
        if path.exists():
            files.append(path)
    return files


def upsert_plain(doctype: registry.DocType, record: dict[str, Any]) -> str:
    """Insert or update one record that has only plain (non-relational or foreign-key-by-id) fields."""
    key = doctype.natural_key
    if not key or key not in record:
        raise FixtureError(f"{doctype.name}: fixture record lacks its natural key {key!r}: {record}")
    values = {k: v for k, v in record.items() if k not in ("doctype", key)}
    return upsert_doc(doctype.model, {key: record[key]}, values)[1]


def fingerprint(values: dict[str, Any]) -> str:
    """A stable hash of a record's shipped values, to tell later whether the site has edited it."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def upsert_unless_edited(
    model: type[Any],
    lookup: dict[str, Any],
    shipped: dict[str, Any],
    values: dict[str, Any],
    stored: Callable[[Any], dict[str, Any]],
) -> str:
    """Apply an app's shipped record unless an administrator edited it on this site since it was last shipped.

    `shipped` is the app's version in canonical form, `stored(existing)` the site's in the same form, `values`
    the field values to write. The record's `fixture_hash` keeps the fingerprint of what was last shipped.
    """
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None and existing.fixture_hash != fingerprint(stored(existing)):
        logger.warning("%s %s was edited on this site; the shipped version is not applied", model.__name__, lookup)
        return "unchanged"
    return upsert_doc(model, lookup, {**values, "fixture_hash": fingerprint(shipped)})[1]


def load_records(doctype_name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in fixture_files(doctype_name):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise FixtureError(f"{path}: a fixture file holds a JSON list of records")
        records.extend(data)
    return records


@transaction.atomic
def sync_fixtures() -> dict[str, Counter[str]]:
    """Sync every app's fixtures; all or nothing. Returns per DocType the count of created/updated/unchanged."""
    summary: dict[str, Counter[str]] = {}
    for doctype_name in dict.fromkeys(get_hooks("fixtures", []) or []):
        doctype = registry.get(doctype_name)
        importer = _importers.get(doctype_name) or (lambda rec, dt=doctype: upsert_plain(dt, rec))
        counts: Counter[str] = Counter()
        for record in load_records(doctype_name):
            counts[importer(record)] += 1
        summary[doctype_name] = counts
    return summary
