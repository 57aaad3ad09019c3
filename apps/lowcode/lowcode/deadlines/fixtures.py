"""Working calendars as fixtures: the calendar by name, and its holidays and make-up days by date."""

from __future__ import annotations

import hashlib
import json
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction

from lowcode.core.documents import upsert_doc
from lowcode.deadlines.models import CalendarDay, DeadlinePolicy, WorkingCalendar

logger = logging.getLogger(__name__)


@transaction.atomic
def calendar_upsert(record: dict[str, Any]) -> str:
    values = {k: record[k] for k in ("time_zone", "weekdays", "windows", "is_default") if k in record}
    calendar, outcome = upsert_doc(WorkingCalendar, {"name": record["name"]}, values)
    for day in record.get("days", []):
        _, day_outcome = upsert_doc(
            CalendarDay, {"calendar": calendar, "date": day["date"]}, {"kind": day["kind"], "note": day.get("note", "")}
        )
        if day_outcome != "unchanged" and outcome == "unchanged":
            outcome = "updated"
    if outcome == "updated":
        from lowcode.deadlines.recompute import request

        request(calendar)
    return outcome


POLICY_FIELDS = {
    "label_en": "",
    "condition": "",
    "start_states": [],
    "start_actions": [],
    "stop_states": [],
    "pause_states": [],
    "rule": "working_days",
    "amount": "0",
    "limit_amount_field": "",
    "limit_unit_field": "",
    "yellow_mode": "fraction",
    "yellow_value": "0.2",
    "department_field": "",
    "on_yellow": [],
    "on_red": [],
    "is_active": True,
}


def _policy_values(source: Any) -> dict[str, Any]:
    get = source.get if isinstance(source, dict) else lambda k, d=None: getattr(source, k, d)
    values = {"label_zh": get("label_zh"), "doctype": get("doctype")}
    for name, default in POLICY_FIELDS.items():
        value = get(name, default)
        values[name] = str(Decimal(str(value)).normalize()) if name in ("amount", "yellow_value") else value
    calendar = get("calendar")
    values["calendar"] = getattr(calendar, "name", calendar) or ""
    return values


def policy_fingerprint(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def policy_upsert(record: dict[str, Any]) -> str:
    """A shipped deadline policy: created when new, updated when the app's version changed — unless an
    administrator edited it since (then the site's version is kept, as with workflows)."""
    shipped = _policy_values(record)
    existing = DeadlinePolicy.objects.filter(name=record["name"]).select_related("calendar").first()
    if existing is not None and existing.fixture_hash != policy_fingerprint(_policy_values(existing)):
        logger.warning("deadline policy %s was edited on this site; the shipped version is not applied", existing.name)
        return "unchanged"
    values = {k: v for k, v in shipped.items() if k != "calendar"}
    values["calendar"] = WorkingCalendar.objects.get(name=shipped["calendar"]) if shipped["calendar"] else None
    values["amount"], values["yellow_value"] = Decimal(shipped["amount"]), Decimal(shipped["yellow_value"])
    values["fixture_hash"] = policy_fingerprint(shipped)
    policy, outcome = upsert_doc(DeadlinePolicy, {"name": record["name"]}, values)
    policy.full_clean()
    return outcome
