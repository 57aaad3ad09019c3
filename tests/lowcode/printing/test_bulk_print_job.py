"""Desk bulk print: a few records print within the request; more are printed by a background job on the site's
rq queues — run here by a real worker process — with the asking user's scope and rights, its progress on a page
only that user (and superusers) may open, the PDF downloadable by them alone, and a desk notification."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from redis import Redis
from rq import Queue

from gov_services.models import Application
from lowcode.core.models import NotificationLog
from lowcode.printing import bulk
from lowcode.printing.bulk import BulkPrintError, BulkPrintErrorCode, bulk_print_request, bulk_print_run
from lowcode.printing.models import BulkPrintJob, PrintFormat
from lowcode.printing.services import IN_REQUEST_MAX, format_for, in_request_max
from lowcode.sites import get_site
from tests.conftest import run_bench
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

CHANGELIST = "admin:gov_services_application_changelist"
LARGE = IN_REQUEST_MAX + 2  # above what the request prints itself
# Queries of a job of LARGE records (91 when pinned): the job's own few, and per record what the Application's
# print_context hook reads (materials, the calendar for the promised date) — the platform's part is prefetched.
JOB_MAX = 95


def _world(with_other_department: int = 0, market: int = LARGE) -> dict:
    departments, matters = catalogue()
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", departments["market"]),
        "other": make_user("other-reviewer", "Department Reviewer", departments["planning"]),
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
        "admin": get_user_model().objects.create_superuser("admin", password=PASSWORD),
    }
    in_market = next(m for m in matters if m.department_id == departments["market"].pk)
    in_planning = next(m for m in matters if m.department_id == departments["planning"].pk)
    apps = [make_application(in_market, user=users["clerk"]) for _ in range(market)]
    others = [make_application(in_planning, user=users["clerk"]) for _ in range(with_other_department)]
    return {"users": users, "apps": apps, "others": others}


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _print(client: Client, apps: list[Application]):
    return client.post(reverse(CHANGELIST), {"action": "print_selected", "_selected_action": [a.pk for a in apps]})


def _pdf(pdf: bytes, path: Path) -> tuple[int, str]:
    """(pages, text without white space) of a PDF, read by poppler as a person's viewer would."""
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, "".join(text.split())


@pytest.fixture()
def queues(redis: Redis, settings) -> Redis:
    site = get_site(settings.SITE_NAME)
    for q in ("short", "default", "long"):
        Queue(site.queue_name(q), connection=redis).empty()
    return redis


def _run_worker(settings) -> None:
    result = run_bench("--site", settings.SITE_NAME, "worker", "--burst")
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.django_db
def test_a_few_print_within_the_request_more_go_to_a_job_too_many_are_refused(monkeypatch, settings, tmp_path) -> None:
    world = _world(market=4)
    clerk = _client(world["users"]["clerk"])
    assert in_request_max() == IN_REQUEST_MAX == 10

    # A few: the PDF in the response, every record on its own page, and no job.
    response = _print(clerk, world["apps"][:3])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pages, text = _pdf(response.content, tmp_path / "small.pdf")
    assert pages == 3 and all(a.number in text for a in world["apps"][:3])
    assert not BulkPrintJob.objects.exists()

    # A site whose site_config.json lets the request print 2, and a cap of 3: more than 3 is refused, saying so.
    settings.CONFIG = {**settings.CONFIG, "bulk_print_in_request": 2}
    monkeypatch.setattr(bulk, "MAX_BULK", 3)
    refused = _print(clerk, world["apps"])
    assert refused.status_code == 302
    assert not BulkPrintJob.objects.exists()
    shown = [str(m) for m in clerk.get(reverse(CHANGELIST)).context["messages"]]
    with translation.override("zh-hans"):  # the desk's language
        expected = gettext(
            "More than %(max)s records are selected; at most %(max)s are printed at once. Narrow the selection."
        ) % {"max": 3}
    assert shown == [expected]

    # Three, within the cap and above the site's 2: a job.
    assert _print(clerk, world["apps"][:3]).status_code == 302
    assert BulkPrintJob.objects.get().total == 3


@pytest.mark.django_db(transaction=True)
def test_a_large_selection_is_printed_by_a_background_job_for_its_owner_alone(queues, settings, tmp_path) -> None:
    world = _world()
    users, apps = world["users"], world["apps"]
    clerk = _client(users["clerk"])

    # Given a clerk selecting more than the request prints, when they print: a job, at once, and a message.
    asked = _print(clerk, apps)
    assert asked.status_code == 302 and asked["Location"] == reverse(CHANGELIST)
    job = BulkPrintJob.objects.get()
    assert (job.user, job.doctype, job.print_format, job.status, job.done, job.total) == (
        users["clerk"],
        "Application",
        format_for(Application),
        "queued",
        0,
        LARGE,
    )
    assert sorted(job.doc_ids) == sorted(str(a.pk) for a in apps)
    progress_url = reverse("desk_bulk_print", args=[job.pk])
    listing = clerk.get(reverse(CHANGELIST)).content.decode()
    assert f'href="{progress_url}"' in listing
    queued = clerk.get(progress_url)
    assert queued.status_code == 200
    page = queued.content.decode()
    assert "排队中" in page and f"0/{LARGE}" in page
    assert '<meta http-equiv="refresh" content="3">' in page  # refreshes itself while it waits
    assert NotificationLog.objects.count() == 0

    # When the worker runs it: every record in one PDF, progress at its total, the clerk notified.
    _run_worker(settings)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.error_code, job.error) == ("done", LARGE, LARGE, "", "")
    assert job.finished_at is not None and job.file.name.startswith(f"bulk_print/{job.pk}/")
    note = NotificationLog.objects.get()
    assert (note.user, note.doctype, note.doc_id, note.read) == (users["clerk"], "Bulk Print Job", str(job.pk), False)
    assert progress_url in note.body and f"{LARGE}" in note.body
    done = clerk.get(progress_url).content.decode()
    download_url = reverse("desk_bulk_print_download", args=[job.pk])
    assert "已完成" in done and f"{LARGE}/{LARGE}" in done and f'href="{download_url}"' in done
    assert 'http-equiv="refresh"' not in done

    pdf = clerk.get(download_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    pages, text = _pdf(b"".join(pdf.streaming_content), tmp_path / "bulk.pdf")
    assert pages == LARGE and all(a.number in text for a in apps)
    assert job.file.url == download_url  # the API's link to the file is the owner-checked download too

    # Nobody else reaches it: another desk user, a reviewer of another department, nor the private file route.
    for outsider in (users["sysmgr"], users["other"], users["reviewer"]):
        client = _client(outsider)
        assert client.get(progress_url).status_code == 404
        assert client.get(download_url).status_code == 404
        assert client.get(f"/private/{job.file.name}").status_code == 404
    assert Client().get(download_url).status_code == 302  # to the desk's login
    admin = _client(users["admin"])
    assert admin.get(progress_url).status_code == 200 and admin.get(download_url).status_code == 200
    log = admin.get(reverse("admin:lowcode_printing_bulkprintjob_changelist"))  # the desk's read-only log
    assert log.status_code == 200 and "clerk" in log.content.decode()
    assert admin.get(reverse("admin:lowcode_printing_bulkprintjob_add")).status_code == 403
    assert clerk.get(reverse("desk_bulk_print", args=[job.pk + 1])).status_code == 404

    # Running the same job again changes nothing (it is no longer queued).
    bulk_print_run(job.pk)
    assert NotificationLog.objects.count() == 1 and BulkPrintJob.objects.get().finished_at == job.finished_at


@pytest.mark.django_db(transaction=True)
def test_a_failing_print_format_fails_the_job_with_its_message(queues, settings) -> None:
    world = _world()
    clerk = _client(world["users"]["clerk"])
    print_format = format_for(Application)
    PrintFormat.objects.filter(pk=print_format.pk).update(template="{{ doc.number.nothing.deeper }}")

    assert _print(clerk, world["apps"]).status_code == 302
    job = BulkPrintJob.objects.get()
    _run_worker(settings)

    job.refresh_from_db()
    assert (job.status, job.error_code, job.file.name) == ("failed", BulkPrintErrorCode.TEMPLATE, "")
    assert job.error.startswith("该打印格式出错：") and job.finished_at is not None
    note = NotificationLog.objects.get()
    assert (note.user, note.doc_id) == (world["users"]["clerk"], str(job.pk))
    assert job.error in note.body
    page = clerk.get(reverse("desk_bulk_print", args=[job.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "失败" in body and job.error in body.replace("&quot;", '"').replace("&#x27;", "'")
    assert clerk.get(reverse("desk_bulk_print_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_selection_is_scoped_when_asking(settings) -> None:
    world = _world(with_other_department=3)
    reviewer = world["users"]["reviewer"]
    mine, theirs = world["apps"], world["others"]

    # A crafted POST naming another department's rows as well: only the reviewer's own are kept.
    assert _print(_client(reviewer), [*mine, *theirs]).status_code == 302
    job = BulkPrintJob.objects.get()
    assert sorted(job.doc_ids) == sorted(str(a.pk) for a in mine) and job.total == len(mine)

    # The service scopes whatever queryset it is handed, not only the desk list's.
    again = bulk_print_request(user=reviewer, queryset=Application.objects.all(), print_format=format_for(Application))
    assert sorted(again.doc_ids) == sorted(str(a.pk) for a in mine)
    with pytest.raises(BulkPrintError) as refused:
        bulk_print_request(
            user=reviewer,
            queryset=Application.objects.filter(pk__in=[a.pk for a in theirs]),
            print_format=format_for(Application),
        )
    assert refused.value.code == BulkPrintErrorCode.NOTHING_TO_PRINT
    assert BulkPrintJob.objects.count() == 2


@pytest.mark.django_db
def test_the_job_s_queries_are_pinned(django_assert_max_num_queries) -> None:
    world = _world()
    clerk = world["users"]["clerk"]
    job = bulk_print_request(
        user=clerk,
        queryset=Application.objects.filter(pk__in=[a.pk for a in world["apps"]]),
        print_format=format_for(Application),
    )
    with django_assert_max_num_queries(JOB_MAX):
        bulk_print_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", LARGE, LARGE)
