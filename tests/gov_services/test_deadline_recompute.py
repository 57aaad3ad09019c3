"""An administrator adds a holiday in the desk: the open deadlines on that calendar are recomputed by a real
background worker, and the calendar's form shows the progress."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from redis import Redis
from rq import Queue

from lowcode.deadlines.models import CalendarDay, Deadline, DeadlineRecompute, WorkingCalendar
from lowcode.deadlines.selectors import calendar_snapshot
from lowcode.deadlines.services import open_deadlines
from lowcode.sites import get_site
from lowcode.workflow import engine
from tests.conftest import run_bench
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _form_data(calendar: WorkingCalendar, extra_day: dict[str, str]) -> dict[str, str]:
    days = list(calendar.days.order_by("date"))
    data = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "weekdays": json.dumps(calendar.weekdays),
        "windows": json.dumps(calendar.windows),
        "is_default": "on",
        "days-TOTAL_FORMS": str(len(days) + 1),
        "days-INITIAL_FORMS": str(len(days)),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, day in enumerate(days):
        data.update(
            {
                f"days-{i}-id": str(day.pk),
                f"days-{i}-calendar": str(calendar.pk),
                f"days-{i}-date": day.date.isoformat(),
                f"days-{i}-kind": day.kind,
                f"days-{i}-note": day.note,
            }
        )
    data.update({f"days-{len(days)}-{k}": v for k, v in extra_day.items()})
    return data


def test_adding_a_holiday_recomputes_open_deadlines_in_the_background(settings, redis: Redis) -> None:
    for q in ("short", "default", "long"):
        Queue(get_site(settings.SITE_NAME).queue_name(q), connection=redis).empty()
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    make_user("sysmgr", "System Manager", departments["centre"])
    matter = next(m for m in matters if m.promised_limit_unit == "working_days" and m.promised_limit >= 3)
    app = engine.apply_transition(make_application(matter, user=clerk), "accept", clerk)
    running = {d.policy.name: d for d in open_deadlines(app)}
    promised, window = running["application_promised_limit"], running["application_supplement_window"]
    calendar = WorkingCalendar.objects.get(is_default=True)
    cal = calendar_snapshot()
    # A new holiday on the first working day after acceptance: the limit ends one working day later.
    holiday = cal.next_working_day(promised.started_at.astimezone(cal.tz).date())

    client = Client()
    assert client.login(username="sysmgr", password=PASSWORD)
    url = reverse("admin:lowcode_deadlines_workingcalendar_change", args=[calendar.pk])
    response = client.post(
        url, _form_data(calendar, {"date": holiday.isoformat(), "kind": "holiday", "note": "临时调整"})
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CalendarDay.objects.filter(calendar=calendar, date=holiday, kind="holiday").exists()
    job = DeadlineRecompute.objects.get()
    on_calendar = Deadline.objects.filter(calendar=calendar, status__in=["running", "paused"]).count()
    assert (job.status, job.total, job.done, job.requested_by) == ("queued", on_calendar, 0, "sysmgr")
    assert (
        "正在后台重新计算" in client.get(reverse("admin:lowcode_deadlines_workingcalendar_changelist")).content.decode()
    )

    result = run_bench("--site", settings.SITE_NAME, "worker", "--burst")
    assert result.returncode == 0, result.stderr[-3000:]
    job.refresh_from_db()
    assert job.status == "complete" and job.done == job.total and job.progress == 100 and job.changed >= 1
    promised.refresh_from_db()
    new_cal = calendar_snapshot()
    assert not new_cal.is_working_day(holiday)
    assert promised.due_at == new_cal.add_working_days(promised.started_at, matter.promised_limit)
    assert promised.due_at > cal.add_working_days(promised.started_at, matter.promised_limit)
    assert promised.next_check_at == min(promised.yellow_at, promised.due_at)
    # The supplement window (3 working days, or the promised limit when sooner) reads the document too.
    window.refresh_from_db()
    assert window.due_at == min(new_cal.add_working_days(window.started_at, 3), promised.due_at)
    assert window.due_at > cal.add_working_days(window.started_at, 3) or window.due_at == promised.due_at
    page = client.get(url).content.decode()
    assert "已完成" in page and "100%" in page


def test_a_recompute_places_a_clock_that_reads_its_document_again() -> None:
    """The supplement window is 3 working days or the promised limit when sooner: recomputing it reads the
    application, as recomputing the promised limit does."""
    from lowcode.deadlines.recompute import request, run

    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    matter = next(m for m in matters if m.promised_limit_unit == "working_days" and m.promised_limit >= 3)
    app = engine.apply_transition(make_application(matter, user=clerk), "accept", clerk)
    window = next(d for d in open_deadlines(app) if d.policy.name == "application_supplement_window")
    # Alone in its batch (a batch of 500 can end between an application's two clocks): no other clock of the
    # application brings the document along.
    Deadline.objects.filter(doc_id=app.pk).exclude(pk=window.pk).update(status=Deadline.Status.DONE)
    calendar = WorkingCalendar.objects.get(is_default=True)
    cal = calendar_snapshot()
    holiday = cal.next_working_day(window.started_at.astimezone(cal.tz).date())
    CalendarDay.objects.create(calendar=calendar, date=holiday, kind="holiday", note="临时调整")
    job = request(calendar)
    run(job.pk)
    job.refresh_from_db()
    window.refresh_from_db()
    assert (job.status, job.error) == ("complete", "")
    assert window.due_at == calendar_snapshot().add_working_days(window.started_at, 3)
    assert window.due_at > cal.add_working_days(window.started_at, 3)
