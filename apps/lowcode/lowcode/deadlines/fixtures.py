"""Working calendars as fixtures: the calendar by name, and its holidays and make-up days by date."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from lowcode.core.documents import upsert_doc
from lowcode.core.fixtures import upsert_unless_edited
from lowcode.deadlines.models import CalendarDay, DeadlinePolicy, WorkingCalendar


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
# Fields added since the first policies shipped: in the canonical form only when set, so that the fingerprint a
# site took of an unedited policy before they existed still matches it (and the new version is applied).
LATER_FIELDS = {"or_document_limit": False, "start_field": ""}


def _policy_values(source: Any) -> dict[str, Any]:
    get = source.get if isinstance(source, dict) else lambda k, d=None: getattr(source, k, d)
    values = {"label_zh": get("label_zh"), "doctype": get("doctype")}
    for name, default in POLICY_FIELDS.items():
        value = get(name, default)
        values[name] = str(Decimal(str(value)).normalize()) if name in ("amount", "yellow_value") else value
    for name, default in LATER_FIELDS.items():
        value = get(name, default)
        if value != default:
            values[name] = value
    calendar = get("calendar")
    values["calendar"] = getattr(calendar, "name", calendar) or ""
    return values


@transaction.atomic
def policy_upsert(record: dict[str, Any]) -> str:
    """A shipped deadline policy: created when new, updated when the app's version changed — unless an
    administrator edited it since (then the site's version is kept, as with workflows)."""
    shipped = _policy_values(record)
    values = {**LATER_FIELDS, **shipped}
    values["calendar"] = WorkingCalendar.objects.get(name=shipped["calendar"]) if shipped["calendar"] else None
    values["amount"], values["yellow_value"] = Decimal(shipped["amount"]), Decimal(shipped["yellow_value"])
    return upsert_unless_edited(DeadlinePolicy, {"name": record["name"]}, shipped, values, _policy_values)
