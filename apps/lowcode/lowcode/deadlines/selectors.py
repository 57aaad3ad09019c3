from __future__ import annotations

from lowcode.deadlines.models import CalendarDay, WorkingCalendar
from lowcode.deadlines.worktime import Calendar


class NoCalendar(LookupError):
    pass


def calendar_snapshot(name: str | None = None) -> Calendar:
    """The named calendar (or the default one) as a snapshot for working-time arithmetic."""
    queryset = WorkingCalendar.objects.all()
    stored = queryset.filter(name=name).first() if name else queryset.filter(is_default=True).first()
    if stored is None:
        raise NoCalendar(f"no working calendar {name!r}" if name else "no default working calendar")
    return snapshot_of(stored)


def snapshot_of(stored: WorkingCalendar) -> Calendar:
    days = list(stored.days.values_list("date", "kind"))
    return Calendar.build(
        time_zone=stored.time_zone,
        weekdays=stored.weekdays,
        windows=stored.windows,
        holidays=[d for d, k in days if k == CalendarDay.Kind.HOLIDAY],
        workdays=[d for d, k in days if k == CalendarDay.Kind.WORKDAY],
    )
