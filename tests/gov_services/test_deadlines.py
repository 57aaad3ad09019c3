"""The time limits of DOMAIN.md as deadline policies on the real workflows: clocks start, pause, resume and
stop with the state; the sweep lights yellow and red, opens one supervision notice per red light, notifies
the supervisor, and takes "deemed accepted" on its own; the desk shows it all."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.models import Application, Handover, Matter
from lowcode.core.models import NotificationLog
from lowcode.deadlines import services
from lowcode.deadlines.models import Deadline, DeadlinePolicy, SupervisionNotice
from lowcode.deadlines.selectors import calendar_snapshot
from lowcode.deadlines.sweep import sweep
from lowcode.workflow import engine
from lowcode.workflow.models import WorkflowAction
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
        "other_reviewer": make_user("other-reviewer", "Department Reviewer", departments["planning"]),
        "supervisor": make_user("supervisor", "Supervisor", departments["centre"]),
        "citizen": make_user("citizen", "Applicant"),
    }
    by_level = {}
    for m in matters:
        by_level.setdefault(m.online_level, m)
    with translation.override("zh-hans"):
        yield {
            "departments": departments,
            "matters": matters,
            "users": users,
            "by_level": by_level,
            "cal": calendar_snapshot(),
        }


def _open(app) -> dict[str, Deadline]:
    return {d.policy.name: d for d in services.open_deadlines(app)}


def _accepted(world, matter: Matter | None = None) -> Application:
    matter = matter or next(m for m in world["matters"] if m.department_id == world["departments"]["market"].pk)
    app = make_application(matter, user=world["users"]["clerk"])
    return engine.apply_transition(app, "accept", world["users"]["clerk"])


def test_an_online_application_to_a_level_2_matter_runs_pre_review_sign_for_and_opinion_clocks(world) -> None:
    cal = world["cal"]
    level2 = next(m for m in world["matters"] if m.online_level in (1, 2))
    level3 = next(m for m in world["matters"] if m.online_level in (3, 4))
    app = make_application(level2, user=world["users"]["citizen"], channel="online")
    running = _open(app)
    assert set(running) == {"application_pre_review", "application_sign_for", "application_acceptance_opinion"}
    start = running["application_sign_for"].started_at
    assert running["application_sign_for"].due_at == cal.add_working_hours(start, 4)
    assert running["application_pre_review"].due_at == cal.add_working_days(start, 2)
    assert running["application_acceptance_opinion"].due_at == cal.add_working_days(start, 1)
    assert {d.department_key for d in running.values()} == {str(app.department_id)}

    # Signing for it (start of pre-review) stops the 4-hour clock only.
    engine.apply_transition(app, "start_pre_review", world["users"]["clerk"])
    assert set(_open(app)) == {"application_pre_review", "application_acceptance_opinion"}
    done = Deadline.objects.get(policy__name="application_sign_for", doc_id=app.pk)
    assert done.status == Deadline.Status.DONE and done.finished_at is not None

    # Level 3 online: pre-review only; a window application: none of these.
    assert set(_open(make_application(level3, user=world["users"]["citizen"], channel="online"))) == {
        "application_pre_review"
    }
    assert _open(make_application(level2, user=world["users"]["clerk"], channel="window")) == {}


def test_acceptance_starts_the_promised_limit_and_the_supplement_window(world) -> None:
    cal = world["cal"]
    app = _accepted(world)
    running = _open(app)
    assert set(running) == {"application_promised_limit", "application_supplement_window"}
    promised = running["application_promised_limit"]
    unit = app.matter.promised_limit_unit
    expected = {
        "working_days": cal.add_working_days(promised.started_at, app.matter.promised_limit),
        "calendar_days": cal.add_calendar_days(promised.started_at, app.matter.promised_limit),
        "working_hours": cal.add_working_hours(promised.started_at, app.matter.promised_limit),
    }[unit]
    assert promised.due_at == expected
    assert promised.started_at <= promised.yellow_at < promised.due_at
    # 20 % of the limit left at yellow: the working time from yellow to due is a fifth of the whole.
    left = cal.remaining_working_time(promised.yellow_at, promised.due_at)
    assert abs(left - promised.total * 0.2) < timedelta(seconds=1)
    assert running["application_supplement_window"].due_at == cal.add_working_days(promised.started_at, 3)


def test_a_supplement_request_pauses_the_promised_limit_and_the_supplement_resumes_it(world) -> None:
    cal = world["cal"]
    app = _accepted(world)
    policy = DeadlinePolicy.objects.get(name="application_promised_limit")
    # Replay the clock at fixed instants: accepted on Monday 2025-09-29 10:00, supplement asked on
    # Tuesday 09-30 10:00, supplied after National Day on Thursday 10-09 09:00.
    Deadline.objects.filter(doc_id=app.pk, doctype="Application").delete()
    t0 = datetime(2025, 9, 29, 10, 0, tzinfo=cal.tz)
    deadline = services.start(policy, app, now=t0)
    first_due = deadline.due_at
    services.follow(
        app,
        user=None,
        to_state="supplement_requested",
        action="request_supplement",
        is_final=False,
        now=t0 + timedelta(days=1),
    )
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.PAUSED and deadline.next_check_at is None
    assert deadline.remaining == cal.remaining_working_time(t0 + timedelta(days=1), first_due)
    resumed_at = datetime(2025, 10, 9, 9, 0, tzinfo=cal.tz)
    services.follow(app, user=None, to_state="accepted", action="supplemented", is_final=False, now=resumed_at)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.RUNNING
    assert deadline.due_at == cal.add_working_hours(resumed_at, deadline.remaining.total_seconds() / 3600)
    assert deadline.paused_total == resumed_at - (t0 + timedelta(days=1))
    # The working time used before and after the pause adds up to the limit.
    used_before = cal.remaining_working_time(t0, t0 + timedelta(days=1))
    after = cal.remaining_working_time(resumed_at, deadline.due_at)
    assert used_before + after == deadline.total

    # Through the engine: the supplement window stops, the promised limit pauses, then resumes.
    app2 = _accepted(world)
    engine.apply_transition(app2, "request_supplement", world["users"]["reviewer"], comment="请补充经营场所证明")
    states = {d.policy.name: d.status for d in Deadline.objects.filter(doc_id=app2.pk, doctype="Application")}
    assert states == {"application_promised_limit": "paused", "application_supplement_window": "done"}
    engine.apply_transition(Application.objects.get(pk=app2.pk), "supplemented", world["users"]["clerk"])
    assert set(_open(app2)) == {"application_promised_limit"}  # no new window: it started on "accept" only


def test_red_light_opens_one_supervision_notice_and_notifies_the_supervisor(world) -> None:
    app = _accepted(world)
    engine.apply_transition(app, "start_review", world["users"]["reviewer"])
    promised = _open(app)["application_promised_limit"]

    yellow = sweep(now=promised.yellow_at + timedelta(seconds=1))
    promised.refresh_from_db()
    assert yellow["yellow"] >= 1 and promised.light == Deadline.Light.YELLOW
    assert not SupervisionNotice.objects.exists()

    later = promised.due_at + timedelta(minutes=1)
    red = sweep(now=later)
    promised.refresh_from_db()
    assert promised.light == Deadline.Light.RED and promised.next_check_at is None
    notice = SupervisionNotice.objects.get(deadline=promised)
    assert red["notices"] == 1
    assert notice.department_key == str(app.department_id) and notice.department == str(app.department)
    assert notice.due_at == world["cal"].add_working_days(later, 3)
    assert "承诺办结时限" in notice.subject and app.number in notice.subject
    assert notice.number.startswith("DB")
    message = NotificationLog.objects.get(user=world["users"]["supervisor"])
    assert "承诺办结时限" in message.subject and "红灯" in message.subject
    # Idempotent: later sweeps change nothing.
    assert sweep(now=later + timedelta(hours=1)) == {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
    assert SupervisionNotice.objects.count() == 1 and NotificationLog.objects.count() == 1

    # Deciding stops the clock; the record keeps that it was late.
    engine.apply_transition(
        Application.objects.get(pk=app.pk),
        "approve",
        world["users"]["reviewer"],
        values={"decision_reason": "符合条件"},
    )
    promised.refresh_from_db()
    assert promised.status == Deadline.Status.DONE and promised.light == Deadline.Light.RED


def test_the_supplement_window_passing_means_deemed_accepted(world) -> None:
    app = _accepted(world)
    window = _open(app)["application_supplement_window"]
    counts = sweep(now=window.due_at + timedelta(seconds=1))
    app.refresh_from_db()
    assert app.status == "under_review"
    action = WorkflowAction.objects.filter(doctype="Application", doc_id=str(app.pk)).latest("at")
    assert action.action == "deem_accepted" and "受理后补正告知期限" in action.comment
    assert not SupervisionNotice.objects.filter(deadline=window).exists()  # a consequence, not a failure
    assert counts["red"] >= 1
    window.refresh_from_db()
    assert window.light == Deadline.Light.RED and window.status == Deadline.Status.DONE


def test_handover_cut_off_and_withdrawal_stops_every_clock(world) -> None:
    cal = world["cal"]
    app = _accepted(world)
    handover = handover_create(
        kind=Handover.Kind.MATERIALS, department=app.department, applications=[app], user=world["users"]["clerk"]
    )
    cutoff = Deadline.objects.get(doctype="Handover", doc_id=handover.pk)
    assert cutoff.due_at == cal.handover_cutoff(cutoff.started_at)
    engine.apply_transition(app, "withdraw", world["users"]["clerk"], comment="申请人撤回")
    assert _open(app) == {}
    assert set(Deadline.objects.filter(doctype="Application", doc_id=app.pk).values_list("status", flat=True)) == {
        "done"
    }


def test_desk_lists_lights_filters_and_form_text_and_the_supervisor_overview(world) -> None:
    late, on_time = _accepted(world), _accepted(world)
    for app in (late, on_time):
        engine.apply_transition(app, "start_review", world["users"]["reviewer"])
    promised = _open(late)["application_promised_limit"]
    past = timezone.now() - timedelta(minutes=5)
    Deadline.objects.filter(pk=promised.pk).update(due_at=past, next_check_at=past)  # its time has come
    sweep()
    client = Client()
    assert client.login(username="supervisor", password=PASSWORD)
    url = reverse("admin:gov_services_application_changelist")
    page = client.get(url).content.decode()
    assert "超期" in page and "正常" in page  # light badges
    red_only = client.get(url, {"deadline": "red"}).content.decode()
    assert late.number in red_only and on_time.number not in red_only
    yellow = client.get(url, {"deadline": "yellow"}).content.decode()
    assert late.number not in yellow
    form = client.get(reverse("admin:gov_services_application_change", args=[on_time.pk])).content.decode()
    due = timezone.localtime(_open(on_time)["application_promised_limit"].due_at)
    assert f"将于 {due.year}年{due.month}月{due.day}日 {due:%H:%M} 前办结" in form
    overview = client.get(reverse("desk_supervision_overview")).content.decode()
    assert str(late.department) in overview and late.number in overview

    # A reviewer of another department sees neither the notice nor the deadline.
    other = Client()
    assert other.login(username="other-reviewer", password=PASSWORD)
    assert late.number not in other.get(reverse("desk_supervision_overview")).content.decode()
    notices = other.get(reverse("admin:lowcode_deadlines_supervisionnotice_changelist")).content.decode()
    assert late.number not in notices
    mine = Client()
    assert mine.login(username="reviewer", password=PASSWORD)
    assert late.number in mine.get(reverse("admin:lowcode_deadlines_supervisionnotice_changelist")).content.decode()
    # The department answers the notice in the desk; the answer is timed, the notice closed.
    notice = SupervisionNotice.objects.get(deadline=promised)
    url = reverse("admin:lowcode_deadlines_supervisionnotice_change", args=[notice.pk])
    forbidden = other.post(url, {"answer": "不是我们的"})
    assert forbidden.status_code in (403, 302, 404)
    notice.refresh_from_db()
    assert notice.status == "open" and notice.answer == ""
    response = mine.post(url, {"answer": "已补充人员，3日内办结。"})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.answered_at is not None and notice.modified_by.username == "reviewer"


def test_a_policy_edited_in_the_desk_is_checked_and_kept_by_fixture_sync(world) -> None:
    from django.core.exceptions import ValidationError

    from lowcode.core.fixtures import sync_fixtures

    policy = DeadlinePolicy.objects.get(name="application_archive")
    policy.amount = 2
    policy.save()
    sync_fixtures()
    policy.refresh_from_db()
    assert policy.amount == 2  # the site's edit survives the sync
    bad = DeadlinePolicy(name="x", label_zh="x", doctype="Application", rule="working_days", amount=0)
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert {"start_states", "amount"} <= set(error.value.message_dict)
    bad = DeadlinePolicy(
        name="y",
        label_zh="y",
        doctype="Application",
        start_states=["accepted"],
        amount=1,
        condition="doc.(",
        on_red=[{"type": "mail"}],
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert {"condition", "on_red"} <= set(error.value.message_dict)
    bad = DeadlinePolicy(
        name="z", label_zh="z", doctype="Application", start_states=["审核中"], start_actions=["sign"], amount=1
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "审核中" in str(error.value.message_dict["start_states"])
    assert "sign" in str(error.value.message_dict["start_actions"])
    with pytest.raises(ValidationError) as error:
        DeadlinePolicy(name="w", label_zh="w", doctype="Nothing", start_states=["a"], amount=1).full_clean()
    assert "Nothing" in str(error.value.message_dict["doctype"])


def test_an_administrator_ticks_the_states_of_a_policy_in_the_desk(world) -> None:
    make_user("sysmgr", "System Manager", world["departments"]["centre"])
    client = Client()
    assert client.login(username="sysmgr", password=PASSWORD)
    policy = DeadlinePolicy.objects.get(name="application_promised_limit")
    url = reverse("admin:lowcode_deadlines_deadlinepolicy_change", args=[policy.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="pause_states" value="supplement_requested"' in page
    assert "补正中（supplement_requested）" in page and "受理（accept）" in page
    assert 'value="transferred"' not in page  # only the states of the Application workflow
    data = {
        "name": policy.name,
        "label_zh": policy.label_zh,
        "label_en": policy.label_en,
        "doctype": "Application",
        "condition": "",
        "is_active": "on",
        "start_actions": ["accept"],
        "stop_states": ["approved", "denied"],
        "pause_states": ["supplement_requested", "special_procedure", "joint_review"],
        "rule": policy.rule,
        "amount": "0",
        "limit_amount_field": policy.limit_amount_field,
        "limit_unit_field": policy.limit_unit_field,
        "calendar": "",
        "yellow_mode": "hours",
        "yellow_value": "4",
        "department_field": "department",
        "on_yellow": "[]",
        "on_red": '[{"type": "supervise", "working_days": 2, "notify_roles": ["Supervisor"]}]',
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    assert policy.pause_states == ["supplement_requested", "special_procedure", "joint_review"]
    assert (policy.yellow_mode, policy.yellow_value, policy.on_red[0]["working_days"]) == ("hours", 4, 2)

    refused = client.post(url, {**data, "on_red": '[{"type": "supervise"}]', "pause_states": ["accepted"]})
    assert refused.status_code == 200 and "督办通知须有自己的答复时限" in refused.content.decode()
    policy.refresh_from_db()
    assert policy.pause_states == ["supplement_requested", "special_procedure", "joint_review"]  # nothing saved
