"""Working calendars as fixtures: the calendar by name, and its holidays and make-up days by date."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lowcode.core.documents import upsert_doc
from lowcode.deadlines.models import CalendarDay, WorkingCalendar


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
    return outcome
