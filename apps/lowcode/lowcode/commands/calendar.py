"""`bench calendar add …` and `bench calendar is-working-day DATE`: working-time arithmetic from the shell."""

from __future__ import annotations

import argparse
import importlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lowcode.commands.util import CommandError, info, setup_django
from lowcode.deadlines.worktime import Calendar


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calendar", help="working-time arithmetic on the site's working calendar")
    cal = p.add_subparsers(dest="calendar_command", metavar="CALENDAR_COMMAND")
    add = cal.add_parser("add", help="print the due instant (ISO 8601 with offset)")
    add.add_argument("--start", required=True, help='"YYYY-MM-DD HH:MM", in the calendar\'s time zone')
    unit = add.add_mutually_exclusive_group(required=True)
    unit.add_argument("--working-hours", type=float)
    unit.add_argument("--working-days", type=int)
    unit.add_argument("--calendar-days", type=int)
    unit.add_argument("--cutoff", choices=["handover"])
    add.add_argument("--calendar", help="calendar name (default: the default calendar)")
    day = cal.add_parser("is-working-day", help="print yes or no")
    day.add_argument("date", help="YYYY-MM-DD")
    day.add_argument("--calendar")


def shipped_calendar(name: str | None) -> Calendar:
    """The calendar as the installed apps ship it (fixtures/working_calendar.json), read without a site."""
    from lowcode.sites import installed_apps

    for app in installed_apps():
        folder = Path(importlib.import_module(app).__file__ or "").parent
        path = folder / "fixtures" / "working_calendar.json"
        if not path.exists():
            continue
        for record in json.loads(path.read_text(encoding="utf-8")):
            if record["name"] == name or (name is None and record.get("is_default")):
                return _build(record)
    raise CommandError(f"no working calendar {name!r}" if name else "no default working calendar is shipped")


def _build(record: dict[str, Any]) -> Calendar:
    days = record.get("days", [])
    return Calendar.build(
        time_zone=record.get("time_zone", "Asia/Shanghai"),
        weekdays=record["weekdays"],
        windows=record["windows"],
        holidays=[date.fromisoformat(d["date"]) for d in days if d["kind"] == "holiday"],
        workdays=[date.fromisoformat(d["date"]) for d in days if d["kind"] == "workday"],
    )


def run(site: str | None, args: argparse.Namespace) -> int:
    """On the site's calendar; with no site at all (e.g. right after `bench test`), on the shipped one."""
    if site is None:
        info("no site yet: using the working calendar shipped with the apps")
        cal = shipped_calendar(args.calendar)
    else:
        setup_django(site)
        from lowcode.deadlines.selectors import NoCalendar, calendar_snapshot

        try:
            cal = calendar_snapshot(args.calendar)
        except NoCalendar as exc:
            raise CommandError(str(exc)) from None
    if args.calendar_command == "is-working-day":
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise CommandError(f"{args.date!r} is not a date (YYYY-MM-DD)") from None
        print("yes" if cal.is_working_day(day) else "no")
        return 0
    if args.calendar_command != "add":
        raise CommandError("use `bench calendar add …` or `bench calendar is-working-day DATE`")
    try:
        start = datetime.strptime(args.start, "%Y-%m-%d %H:%M").replace(tzinfo=cal.tz)
    except ValueError:
        raise CommandError(f"--start {args.start!r} is not “YYYY-MM-DD HH:MM”") from None
    amounts = {"working_hours": args.working_hours, "working_days": args.working_days}
    amounts["calendar_days"] = args.calendar_days
    given = next(((unit, value) for unit, value in amounts.items() if value is not None), None)
    due = cal.add(start, given[1], given[0]) if given else cal.handover_cutoff(start)
    print(due.isoformat())
    return 0
