"""Working-time additions per second on the site's default calendar (2024–2026 official holidays).

    ./bench --site NAME benchmark worktime [--seconds 2]

Starts are random instants of 2024–2026 (nights, weekends and holidays included); amounts are random:
1–40 working hours, 1–20 working days, 1–60 calendar days, the handover cut-off.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta

from lowcode.deadlines.selectors import calendar_snapshot


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench benchmark worktime")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    cal = calendar_snapshot()
    rng = random.Random(1)
    origin = datetime(2024, 1, 1, tzinfo=cal.tz)
    starts = [origin + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60 - 90 * 24 * 60)) for _ in range(10_000)]
    operations = {
        "working hours": lambda t, r: cal.add_working_hours(t, 1 + r.randrange(40)),
        "working days": lambda t, r: cal.add_working_days(t, 1 + r.randrange(20)),
        "calendar days": lambda t, r: cal.add_calendar_days(t, 1 + r.randrange(60)),
        "handover cut-off": lambda t, r: cal.handover_cutoff(t),
        "time left (pause)": lambda t, r: cal.remaining_working_time(t, t + timedelta(days=1 + r.randrange(30))),
    }
    for name, operation in operations.items():
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            for t in starts[:1000]:
                operation(t, rng)
            done += 1000
            starts.append(starts.pop(0))
        elapsed = time.perf_counter() - started
        print(f"{name:18} {done / elapsed:12,.0f} per second  ({done:,} in {elapsed:.2f} s)")
    return 0
