"""Special procedures as records (issue 17, 行政许可法 art. 45): recording one moves the application into 特别程序,
pauses its promised limit and issues the 特别程序告知书 with the kind and the expected duration; ending it with its
findings resumes the review and the limit, its time excluded. The state cannot be entered or left around the
record, from the engine or the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from gov_services.models import Application, SpecialProcedure
from lowcode.api.models import credential_generate
from lowcode.core.documents import delete_doc, insert_doc, save_doc
from lowcode.deadlines import services
from lowcode.deadlines.models import Deadline, DeadlinePolicy
from lowcode.printing.models import PrintedDocument
from lowcode.workflow import engine
from tests.gov_services.factories import catalogue, make_application, make_user

TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
        "other": make_user("other-reviewer", "Department Reviewer", departments["planning"]),
    }
    matter = next(
        m
        for m in matters
        if m.department_id == market.pk and m.handling_type == "promised" and m.promised_limit_unit == "working_days"
    )
    with translation.override("zh-hans"):
        yield {"users": users, "matter": matter}


def _under_review(world) -> Application:
    app = make_application(world["matter"], user=world["users"]["clerk"])
    app = engine.apply_transition(app, "accept", world["users"]["clerk"])
    return engine.apply_transition(app, "start_review", world["users"]["reviewer"])


def _start(world, app: Application, days: int = 10) -> SpecialProcedure:
    return insert_doc(
        SpecialProcedure(
            application=app, kind="expert_review", reason="涉及食品安全风险，需组织专家论证", expected_days=days
        ),
        user=world["users"]["reviewer"],
    )


def test_recording_a_special_procedure_pauses_the_limit_and_issues_the_notice(
    world, django_capture_on_commit_callbacks
):
    app = _under_review(world)
    with django_capture_on_commit_callbacks(execute=True):
        procedure = _start(world, app)
    app.refresh_from_db()
    assert app.status == Application.Status.SPECIAL_PROCEDURE
    assert procedure.department_id == app.department_id and procedure.started_at is not None
    assert procedure.expected_end is not None and procedure.expected_end > procedure.started_at + timedelta(days=10)
    promised = Deadline.objects.get(doc_id=app.pk, policy__name="application_promised_limit")
    assert promised.status == Deadline.Status.PAUSED
    notice = PrintedDocument.objects.get(doctype="Application", doc_id=str(app.pk), print_format__name="特别程序告知书")
    assert notice.size > 1000 and notice.action == "start_special_procedure"

    # Ending it needs what it found; then the review and the clock resume.
    procedure.ended_at = timezone.now()
    with pytest.raises(ValidationError) as refused:
        save_doc(procedure, update_fields=["ended_at"], user=world["users"]["reviewer"])
    assert "findings" in refused.value.message_dict
    procedure.findings = "专家组论证认为风险可控，同意许可。"
    save_doc(procedure, update_fields=["ended_at", "findings"], user=world["users"]["reviewer"])
    app.refresh_from_db()
    promised.refresh_from_db()
    assert app.status == Application.Status.UNDER_REVIEW and promised.status == Deadline.Status.RUNNING
    # An ended procedure is the record.
    procedure.findings = "改写"
    with pytest.raises(ValidationError):
        save_doc(procedure, update_fields=["findings"], user=world["users"]["reviewer"])


def test_the_notice_tells_the_kind_and_the_expected_duration(world) -> None:
    from lowcode.printing.services import document_html, format_for

    app = _under_review(world)
    _start(world, app, days=10)
    app.refresh_from_db()
    html = document_html(format_for(Application, "特别程序告知书"), app, world["users"]["reviewer"])
    assert "专家评审" in html and "10 个工作日" in html and "不计算在办理时限内" in html
    assert "涉及食品安全风险" in html


def test_a_special_procedures_10_days_are_excluded_from_the_promised_limit(world) -> None:
    matter = world["matter"]
    matter.promised_limit, matter.promised_limit_unit = 5, "working_days"
    save_doc(matter, update_fields=["promised_limit", "promised_limit_unit"])
    app = _under_review(world)
    policy = DeadlinePolicy.objects.get(name="application_promised_limit")
    Deadline.objects.filter(doctype="Application", doc_id=app.pk).delete()  # replay at fixed instants
    clock = services.start(policy, app, now=at(9, 15, 10))  # accepted on Monday 09-15 at 10:00
    assert clock.due_at == at(9, 22, 17, 30)  # the close of the 5th working day
    assert clock.total == timedelta(hours=6 + 5 * 7)

    # Expert review from Wednesday 09-17 10:00 for 10 days, to Saturday 09-27 10:00 (a rest day).
    follow = {"user": None, "is_final": False}
    services.follow(app, to_state="special_procedure", action="start_special_procedure", now=at(9, 17, 10), **follow)
    clock.refresh_from_db()
    assert clock.status == Deadline.Status.PAUSED
    assert clock.remaining == timedelta(hours=41 - 14)  # used: 6 h on Monday, 7 on Tuesday, 1 on Wednesday
    services.follow(app, to_state="under_review", action="resume_review", now=at(9, 27, 10), **follow)
    clock.refresh_from_db()
    # The 27 h left run from the make-up Sunday 09-28 09:00: 7 + 7 + 7 to 09-30, then National Day, then 6 h of
    # Thursday 10-09 — 16:30. The ten days of the procedure are not counted.
    assert clock.due_at == at(10, 9, 16, 30)
    assert clock.paused_total == timedelta(days=10)


def test_the_state_is_not_entered_or_left_around_the_record(world) -> None:
    app = _under_review(world)
    reviewer = world["users"]["reviewer"]
    with pytest.raises(engine.WorkflowError, match="特别程序"):
        engine.apply_transition(app, "start_special_procedure", reviewer, comment="专家评审")
    assert Application.objects.get(pk=app.pk).status == Application.Status.UNDER_REVIEW

    _start(world, app)
    app.refresh_from_db()
    with pytest.raises(engine.WorkflowError, match="特别程序"):
        engine.apply_transition(app, "resume_review", reviewer, comment="结束")
    credential, secret = credential_generate(user=reviewer)
    client = Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
    response = client.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Application", "name": app.number, "action": "resume_review", "comment": "结束"}),
        content_type="application/json",
    )
    assert response.status_code == 417, response.content.decode()[:300]
    assert Application.objects.get(pk=app.pk).status == Application.Status.SPECIAL_PROCEDURE

    # A second procedure while one runs, or one on an application not under review, is refused.
    with pytest.raises(ValidationError):
        _start(world, Application.objects.get(pk=app.pk))
    fresh = make_application(world["matter"], user=world["users"]["clerk"])
    with pytest.raises(ValidationError) as refused:
        _start(world, fresh)
    assert "application" in refused.value.message_dict
    assert not SpecialProcedure.objects.filter(application=fresh).exists()


def test_the_api_records_a_procedure_for_its_own_department_only_and_a_running_one_is_not_deleted(world) -> None:
    app = _under_review(world)
    payload = {"application": app.pk, "kind": "site_inspection", "reason": "需现场核查经营场所", "expected_days": 3}

    def post(user):
        credential, secret = credential_generate(user=user)
        client = Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
        return client.post("/api/resource/Special Procedure", data=json.dumps(payload), content_type="application/json")

    refused = post(world["users"]["other"])  # another department's reviewer: a refusal, not a server error
    assert refused.status_code == 417, refused.content.decode()[:300]
    assert refused.json()["exc_type"] == "ValidationError"
    assert not SpecialProcedure.objects.exists()
    assert Application.objects.get(pk=app.pk).status == Application.Status.UNDER_REVIEW

    made = post(world["users"]["reviewer"])
    assert made.status_code == 200, made.content.decode()[:300]
    procedure = SpecialProcedure.objects.get()
    assert Application.objects.get(pk=app.pk).status == Application.Status.SPECIAL_PROCEDURE
    with pytest.raises(ValidationError):
        delete_doc(procedure, user=world["users"]["reviewer"])
    assert SpecialProcedure.objects.filter(pk=procedure.pk).exists()
