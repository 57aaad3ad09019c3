"""Working-time arithmetic on a calendar, with exactly these meanings:

- N working hours from t: the earliest instant at which N hours of window time on working days have passed
  since t (a t outside a window starts at the next window).
- N working days from t: the close of the last window of the N-th working day after t's date (t's own date
  does not count).
- Handover cut-off: received on a working day before 12:00 → 14:00 that day; otherwise → 09:30 the next
  working day; a receipt on a non-working day counts as received at the start of the next working day.
- N calendar days from t: 24:00 of the N-th day after t's date.
- End of the working day from t (即办件, done the same day): the close of t's day's last window when t is on a
  working day before it; otherwise the close of the next working day.

A `Calendar` is a plain snapshot (no database access while computing), made from a WorkingCalendar once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # no deadline lies ten years ahead: a calendar without working days fails loudly


def _parse(hhmm: str) -> time:
    if hhmm == "24:00":
        return time.max
    h, m = hhmm.split(":")
    return time(int(h), int(m))


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    weekdays: frozenset[int]
    windows: tuple[tuple[time, time], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(cls, *, time_zone: str, weekdays: list[int], windows: list[list[str]], holidays=(), workdays=()):
        return cls(
            ZoneInfo(time_zone),
            frozenset(weekdays),
            tuple((_parse(a), _parse(b)) for a, b in windows),
            frozenset(holidays),
            frozenset(workdays),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() in self.weekdays

    def next_working_day(self, day: date) -> date:
        for _ in range(MAX_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("the calendar has no working day in the next ten years")

    def _at(self, day: date, moment: time) -> datetime:
        if moment == time.max:
            return datetime.combine(day + timedelta(days=1), time.min, self.tz)
        return datetime.combine(day, moment, self.tz)

    def close_of_day(self, day: date) -> datetime:
        return self._at(day, self.windows[-1][1])

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        remaining = timedelta(hours=hours)
        local = start.astimezone(self.tz)
        day, now = local.date(), local
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                for opens, closes in self.windows:
                    begin, end = self._at(day, opens), self._at(day, closes)
                    if now >= end:
                        continue
                    begin = max(begin, now)
                    if begin + remaining <= end:
                        return begin + remaining
                    remaining -= end - begin
                    now = end
            day += timedelta(days=1)
            now = self._at(day, time.min)
        raise ValueError("the calendar has no working time in the next ten years")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        day = start.astimezone(self.tz).date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.close_of_day(day)

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        return self._at(start.astimezone(self.tz).date() + timedelta(days=days), time.max)

    def add(self, start: datetime, amount: float, unit: str) -> datetime:
        """`amount` of `unit` ("working_hours", "working_days" or "calendar_days") from `start`."""
        if unit == "working_hours":
            return self.add_working_hours(start, amount)
        if unit == "working_days":
            return self.add_working_days(start, int(amount))
        if unit == "calendar_days":
            return self.add_calendar_days(start, int(amount))
        raise ValueError(f"unknown unit {unit!r}")

    def handover_cutoff(self, received: datetime) -> datetime:
        local = received.astimezone(self.tz)
        day = local.date()
        if not self.is_working_day(day):
            return self._at(self.next_working_day(day), time(14, 0))  # as if received at the day's start
        if local.time() < time(12, 0):
            return self._at(day, time(14, 0))
        return self._at(self.next_working_day(day), time(9, 30))

    def end_of_working_day(self, start: datetime) -> datetime:
        local = start.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local < self.close_of_day(day):
            return self.close_of_day(day)
        return self.close_of_day(self.next_working_day(day))

    def remaining_working_time(self, now: datetime, due: datetime) -> timedelta:
        """Working-window time between now and due (for pausing: what a clock has left)."""
        if due <= now:
            return timedelta(0)
        total = timedelta(0)
        local = now.astimezone(self.tz)
        day = local.date()
        while day <= due.astimezone(self.tz).date():
            if self.is_working_day(day):
                for opens, closes in self.windows:
                    begin, end = max(self._at(day, opens), now), min(self._at(day, closes), due)
                    if end > begin:
                        total += end - begin
            day += timedelta(days=1)
        return total
