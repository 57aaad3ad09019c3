"""`bench calendar add …` and `bench calendar is-working-day DATE`: working-time arithmetic from the shell."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from lowcode.commands.util import CommandError, setup_django


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


def run(site: str, args: argparse.Namespace) -> int:
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
    if args.working_hours is not None:
        due = cal.add_working_hours(start, args.working_hours)
    elif args.working_days is not None:
        due = cal.add_working_days(start, args.working_days)
    elif args.calendar_days is not None:
        due = cal.add_calendar_days(start, args.calendar_days)
    else:
        due = cal.handover_cutoff(start)
    print(due.isoformat())
    return 0
