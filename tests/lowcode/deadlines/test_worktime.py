"""Working-time arithmetic on the official calendar (国务院办公厅 notices 2024–2026)."""

from datetime import date, datetime, timedelta

import pytest

from lowcode.core.fixtures import sync_fixtures
from lowcode.deadlines.selectors import calendar_snapshot
from tests.lowcode.commands.helpers import bench, bench_env, make_sites_dir


@pytest.fixture()
def cal(db):
    sync_fixtures()
    return calendar_snapshot()


def at(text: str, cal) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=cal.tz)


def iso(value: datetime) -> str:
    return value.isoformat()


@pytest.mark.parametrize(("year", "working_days"), [(2024, 251), (2025, 248), (2026, 248)])
def test_working_days_per_year(cal, year, working_days) -> None:
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    assert sum(1 for d in days if d.year == year and cal.is_working_day(d)) == working_days


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2025-09-22 10:00", 4, "2025-09-22T15:30:00+08:00"),  # across the lunch break
        ("2025-09-22 12:30", 1, "2025-09-22T14:30:00+08:00"),  # starting in the lunch break
        ("2025-09-22 16:00", 4, "2025-09-23T11:30:00+08:00"),  # across the night
        ("2025-09-22 20:00", 4, "2025-09-23T14:30:00+08:00"),  # starting at night
        ("2025-09-26 16:00", 4, "2025-09-28T11:30:00+08:00"),  # Friday → Sunday 09-28, a make-up working day
        ("2025-09-30 16:00", 4, "2025-10-09T11:30:00+08:00"),  # National Day 10-01..10-08
        ("2026-02-13 17:00", 2, "2026-02-14T10:30:00+08:00"),  # Saturday 02-14 is a make-up day
        ("2025-12-31 16:30", 4, "2026-01-04T12:00:00+08:00"),  # year end: 01-01..01-03 off, 01-04 Sunday make-up
    ],
)
def test_working_hours(cal, start, hours, due) -> None:
    assert iso(cal.add_working_hours(at(start, cal), hours)) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-09-30 09:00", 1, "2025-10-09T17:30:00+08:00"),
        ("2025-09-30 16:00", 3, "2025-10-11T17:30:00+08:00"),  # 10-11 Saturday, make-up
        ("2026-02-13 10:00", 1, "2026-02-14T17:30:00+08:00"),
        ("2026-02-14 10:00", 1, "2026-02-24T17:30:00+08:00"),  # Spring Festival 02-15..02-23
        ("2026-02-24 10:00", 3, "2026-02-27T17:30:00+08:00"),  # 02-25, 02-26, 02-27
        ("2025-12-31 10:00", 1, "2026-01-04T17:30:00+08:00"),
        ("2025-10-04 10:00", 1, "2025-10-09T17:30:00+08:00"),  # received on a holiday
    ],
)
def test_working_days(cal, start, days, due) -> None:
    assert iso(cal.add_working_days(at(start, cal), days)) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2025-09-22 11:59", "2025-09-22T14:00:00+08:00"),
        ("2025-09-22 12:00", "2025-09-23T09:30:00+08:00"),
        ("2025-09-30 15:00", "2025-10-09T09:30:00+08:00"),
        ("2025-10-03 10:00", "2025-10-09T14:00:00+08:00"),  # a holiday counts as the next working morning
        ("2026-02-13 16:00", "2026-02-14T09:30:00+08:00"),
    ],
)
def test_handover_cutoff(cal, received, due) -> None:
    assert iso(cal.handover_cutoff(at(received, cal))) == due


def test_calendar_days(cal) -> None:
    assert iso(cal.add_calendar_days(at("2025-12-31 10:00", cal), 1)) == "2026-01-02T00:00:00+08:00"


def test_a_paused_clock_resumes_with_what_it_had_left_across_a_holiday(cal) -> None:
    due = cal.add_working_days(at("2025-09-29 09:00", cal), 3)  # 09-30, 10-09, 10-10
    assert iso(due) == "2025-10-10T17:30:00+08:00"
    paused = at("2025-09-30 10:00", cal)
    left = cal.remaining_working_time(paused, due)
    assert left == timedelta(hours=6 + 7 + 7)  # rest of 09-30 (10:00–12:00, 13:30–17:30), then 10-09 and 10-10
    resumed = cal.add_working_hours(at("2025-10-09 09:00", cal), left / timedelta(hours=1))
    assert iso(resumed) == "2025-10-11T16:30:00+08:00"  # 10-11 is a make-up day; the pause moved it by 1 day


def test_the_command_line(tmp_path) -> None:
    sites = make_sites_dir(tmp_path)
    env = bench_env(sites)
    assert bench("new-site", "cal.test", env=env).returncode == 0
    assert bench("use", "cal.test", env=env).returncode == 0
    out = bench("calendar", "add", "--start", "2025-09-30 16:00", "--working-days", "3", env=env)
    assert (out.returncode, out.stdout) == (0, "2025-10-11T17:30:00+08:00\n")
    out = bench("calendar", "add", "--start", "2025-09-30 16:00", "--cutoff", "handover", env=env)
    assert out.stdout == "2025-10-09T09:30:00+08:00\n"
    assert bench("calendar", "is-working-day", "2025-10-11", env=env).stdout == "yes\n"
    assert bench("calendar", "is-working-day", "2025-10-08", env=env).stdout == "no\n"
    bad = bench("calendar", "add", "--start", "30/09/2025", "--working-hours", "4", env=env)
    assert bad.returncode == 1 and "is not “YYYY-MM-DD HH:MM”" in bad.stderr


def test_the_command_line_before_any_site_exists(tmp_path) -> None:
    """Right after `./bench test` there is no site: the shipped calendar answers, the same way."""
    env = bench_env(make_sites_dir(tmp_path))
    out = bench("calendar", "add", "--start", "2026-02-13 16:00", "--working-hours", "4", env=env)
    assert (out.returncode, out.stdout) == (0, "2026-02-14T11:30:00+08:00\n")  # 02-14 is a make-up day
    assert "shipped with the apps" in out.stderr
    out = bench("calendar", "add", "--start", "2026-02-14 16:00", "--working-days", "1", env=env)
    assert out.stdout == "2026-02-24T17:30:00+08:00\n"  # Spring Festival 02-15..02-23
    assert bench("calendar", "is-working-day", "2026-02-28", env=env).stdout == "yes\n"
    assert bench("calendar", "is-working-day", "2026-01-02", env=env).stdout == "no\n"
    missing = bench("calendar", "is-working-day", "2026-01-02", "--calendar", "无此日历", env=env)
    assert missing.returncode == 1 and "no working calendar" in missing.stderr and missing.stdout == ""
