"""`bench make-benchmark-data`: bulk applications with running deadlines, topped up, never duplicated."""

from __future__ import annotations

import pytest

from gov_services.models import Application
from lowcode.deadlines.models import Deadline
from lowcode.deadlines.selectors import calendar_snapshot
from tests.conftest import run_bench

pytestmark = pytest.mark.django_db(transaction=True)


def _made(*args: str, site: str) -> None:
    result = run_bench("--site", site, "make-benchmark-data", *args)
    assert result.returncode == 0, result.stderr[-3000:]


def test_benchmark_data_is_made_topped_up_and_consistent(settings) -> None:
    _made("--applications", "400", "--open-fraction", "0.5", site=settings.SITE_NAME)
    bench_apps = Application.objects.filter(number__startswith="BM")
    assert bench_apps.count() == 400
    open_apps = bench_apps.filter(status="under_review")
    clocks = Deadline.objects.filter(doctype="Application", policy__name="application_promised_limit")
    assert clocks.count() == open_apps.count() and 120 < open_apps.count() < 280
    assert set(clocks.values_list("doc_id", flat=True)) == set(open_apps.values_list("pk", flat=True))

    opened = open_apps.count()
    _made("--applications", "400", site=settings.SITE_NAME)  # already there: nothing new
    assert bench_apps.count() == 400
    _made("--applications", "450", "--open-fraction", "1", site=settings.SITE_NAME)
    assert bench_apps.count() == 450 and open_apps.count() == opened + 50

    cal = calendar_snapshot()
    for clock in clocks.select_related("policy")[:25]:
        app = Application.objects.select_related("matter").get(pk=clock.doc_id)
        assert clock.started_at == app.accepted_at
        if app.matter.promised_limit_unit == "working_days":
            assert clock.due_at == cal.add_working_days(app.accepted_at, app.matter.promised_limit)
        assert clock.department_key == str(app.department_id)
        assert clock.next_check_at == min(clock.yellow_at, clock.due_at)
