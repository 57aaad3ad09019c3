"""Serial and parallel joint review (issue 17; S001 三(四)1(2), 三(五); S000 art. 9(3)).

Starting the joint review of an application asks each co-department of its matter for an opinion. Serial review
(前后置) opens them one at a time in the matter's order — a later department cannot answer before the one before
it — and parallel review (并联) opens them all at once; each open opinion runs a clock of its own, charged to its
department. The lead department finishes the joint review only when every department has answered. Each rule is
checked through the services and through the REST API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from gov_services.gov_services.doctype.matter.services import matter_set_co_departments
from gov_services.models import Application, JointReviewOpinion, MatterCoDepartment
from lowcode.api.models import credential_generate
from lowcode.core.documents import insert_doc, save_doc
from lowcode.core.models import NotificationLog
from lowcode.deadlines import services
from lowcode.deadlines.models import Deadline, DeadlinePolicy, SupervisionNotice
from lowcode.deadlines.sweep import sweep
from lowcode.workflow import engine
from tests.gov_services.factories import catalogue, make_application, make_user

SH = ZoneInfo("Asia/Shanghai")
SECOND = timedelta(seconds=1)
S = JointReviewOpinion.Status


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    planning = departments["planning"]
    matter = next(m for m in matters if m.department_id == planning.pk and m.promised_limit_unit == "working_days")
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "lead": make_user("lead", "Department Reviewer", planning),
        "housing": make_user("housing", "Department Reviewer", departments["housing"]),
        "market": make_user("market", "Department Reviewer", departments["market"]),
        "supervisor": make_user("supervisor", "Supervisor", departments["centre"]),
    }
    with translation.override("zh-hans"):
        yield {"departments": departments, "matter": matter, "users": users}


def _joint(world, mode: str, *keys: str, days: tuple[int, ...] = ()) -> None:
    matter = world["matter"]
    matter.joint_mode = mode
    save_doc(matter, update_fields=["joint_mode"])
    matter_set_co_departments(matter=matter, departments=[world["departments"][k] for k in keys], user=None)
    for step, n in zip(MatterCoDepartment.objects.filter(matter=matter).order_by("idx"), days, strict=False):
        step.review_days = n
        step.save()


def _in_joint_review(world, starter: str = "lead") -> Application:
    users = world["users"]
    app = make_application(world["matter"], user=users["clerk"])
    app = engine.apply_transition(app, "accept", users["clerk"])
    app = engine.apply_transition(app, "start_review", users["lead"])
    return engine.apply_transition(app, "start_joint_review", users[starter], comment="请协办部门会签")


def _opinions(app: Application) -> list[JointReviewOpinion]:
    return list(JointReviewOpinion.objects.filter(application=app).select_related("department").order_by("step"))


def _answer(world, who: str, opinion: JointReviewOpinion, action: str = "agree", text: str = "同意") -> None:
    opinion = JointReviewOpinion.objects.get(pk=opinion.pk)
    opinion.opinion = text
    save_doc(opinion, update_fields=["opinion"], user=world["users"][who])
    engine.apply_transition(JointReviewOpinion.objects.get(pk=opinion.pk), action, world["users"][who])


def _clock(opinion: JointReviewOpinion):
    return Deadline.objects.filter(doctype="Joint Review Opinion", doc_id=opinion.pk)


def _client(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def _api_agree(world, who: str, opinion: JointReviewOpinion, text: str):
    client = _client(world["users"][who])
    put = client.put(
        f"/api/resource/Joint Review Opinion/{opinion.pk}",
        data=json.dumps({"opinion": text}),
        content_type="application/json",
    )
    if put.status_code != 200:
        return put
    return client.post(
        "/api/method/lowcode.api.methods.apply_workflow",
        data=json.dumps({"doctype": "Joint Review Opinion", "name": opinion.pk, "action": "agree"}),
        content_type="application/json",
    )


def test_serial_review_passes_the_file_in_the_matters_order(world) -> None:
    _joint(world, "serial", "housing", "market", days=(3, 2))
    app = _in_joint_review(world)
    first, second = _opinions(app)
    assert (first.department.name, second.department.name) == (
        world["departments"]["housing"].name,
        world["departments"]["market"].name,
    )
    assert [(o.step, o.status, o.review_days) for o in (first, second)] == [(1, S.REVIEWING, 3), (2, S.WAITING, 2)]
    assert first.lead_department_id == app.department_id and first.opened_at is not None
    # Only the department whose turn it is has a clock, charged to it.
    assert list(_clock(first).values_list("status", "department_key")) == [
        (Deadline.Status.RUNNING, str(world["departments"]["housing"].pk))
    ]
    assert not _clock(second).exists()

    # The second department cannot answer before the first — through the engine or the API.
    with pytest.raises(engine.WorkflowError, match="等待前序部门"):
        _answer(world, "market", second)
    refused = _api_agree(world, "market", second, "同意")
    assert refused.status_code == 417, refused.content.decode()[:300]
    assert JointReviewOpinion.objects.get(pk=second.pk).status == S.WAITING
    assert JointReviewOpinion.objects.get(pk=second.pk).opinion == "同意"  # its draft, kept (writing is not acting)

    # Nor can the lead finish while opinions are outstanding.
    with pytest.raises(engine.WorkflowError, match="尚未提出意见"):
        engine.apply_transition(Application.objects.get(pk=app.pk), "finish_joint_review", world["users"]["lead"])

    # The first agrees: its clock stops and the second's turn (and clock) begins.
    _answer(world, "housing", first, text="符合住房保障要求，同意。")
    first.refresh_from_db()
    assert (first.status, first.answered_by) == (S.AGREED, world["users"]["housing"])
    assert _clock(first).get().status == Deadline.Status.DONE
    second.refresh_from_db()
    assert second.status == S.REVIEWING
    assert _clock(second).get().department_key == str(world["departments"]["market"].pk)

    # Another department's reviewer cannot write or answer it (the housing reviewer on the market's opinion).
    with pytest.raises(engine.WorkflowError, match="不在您的办理范围"):
        engine.apply_transition(JointReviewOpinion.objects.get(pk=second.pk), "agree", world["users"]["housing"])
    foreign = _api_agree(world, "housing", second, "代为同意")
    assert foreign.status_code in (403, 404), foreign.content.decode()[:300]
    assert JointReviewOpinion.objects.get(pk=second.pk).opinion == "同意"  # the market's own draft, untouched
    # Nor does a co-department decide the application: the lead department does (S001 三(五)).
    with pytest.raises(engine.WorkflowError):
        engine.apply_transition(
            Application.objects.get(pk=app.pk),
            "deny",
            world["users"]["market"],
            values={"decision_reason": "不符合"},
        )

    made = _api_agree(world, "market", second, "经营范围符合规定，同意。")
    assert made.status_code == 200, made.content.decode()[:300]
    assert JointReviewOpinion.objects.get(pk=second.pk).status == S.AGREED
    engine.apply_transition(Application.objects.get(pk=app.pk), "finish_joint_review", world["users"]["lead"])
    assert Application.objects.get(pk=app.pk).status == Application.Status.UNDER_REVIEW


def test_a_disagreement_in_serial_review_ends_the_chain_for_the_lead_to_decide(world) -> None:
    _joint(world, "serial", "housing", "market")
    app = _in_joint_review(world)
    first, second = _opinions(app)
    _answer(world, "housing", first, action="disagree", text="不符合住房保障规划，不同意。")
    second.refresh_from_db()
    assert second.status == S.WITHDRAWN and not _clock(second).exists()
    engine.apply_transition(Application.objects.get(pk=app.pk), "finish_joint_review", world["users"]["lead"])


def test_parallel_review_opens_every_department_at_once_with_a_clock_each(world) -> None:
    _joint(world, "parallel", "housing", "market", days=(5, 3))
    app = _in_joint_review(world)
    opinions = _opinions(app)
    assert [(o.step, o.status) for o in opinions] == [(1, S.REVIEWING), (1, S.REVIEWING)]
    clocks = Deadline.objects.filter(doctype="Joint Review Opinion", doc_id__in=[o.pk for o in opinions])
    assert sorted(clocks.values_list("department_key", "status")) == sorted(
        [
            (str(world["departments"]["housing"].pk), Deadline.Status.RUNNING),
            (str(world["departments"]["market"].pk), Deadline.Status.RUNNING),
        ]
    )
    # Each department answers in its own time; the lead finishes when all have.
    housing, market = opinions
    _answer(world, "market", market)
    with pytest.raises(engine.WorkflowError, match=world["departments"]["housing"].name):
        engine.apply_transition(Application.objects.get(pk=app.pk), "finish_joint_review", world["users"]["lead"])
    assert _clock(market).get().status == Deadline.Status.DONE
    assert _clock(housing).get().status == Deadline.Status.RUNNING
    _answer(world, "housing", housing)
    engine.apply_transition(Application.objects.get(pk=app.pk), "finish_joint_review", world["users"]["lead"])


def test_each_departments_clock_runs_its_working_days_across_national_day_to_yellow_and_red(world) -> None:
    _joint(world, "parallel", "housing", "market", days=(5, 3))
    housing, market = _opinions(_in_joint_review(world))
    policy = DeadlinePolicy.objects.get(name="joint_review_opinion")
    Deadline.objects.filter(doctype="Joint Review Opinion").delete()  # placed again at fixed instants

    # Opened on Friday 09-26 at 15:00. Housing's 5 working days: Sun 09-28 (make-up), 09-29, 09-30, National
    # Day, Thu 10-09, Fri 10-10 → 10-10 17:30; working time 2.5 h + 5 × 7 h = 37.5 h. Yellow with 20 % (7.5 h)
    # left: 2.5 + 7 + 7 + 7 = 23.5 h to 09-30's close, then 6.5 h of 10-09 (3 h to noon, 3.5 h from 13:30) → 17:00.
    clock = services.start(policy, housing, now=at(9, 26, 15))
    assert (clock.total, clock.due_at, clock.yellow_at) == (timedelta(hours=37.5), at(10, 10, 17, 30), at(10, 9, 17))
    # Market's 3 working days: 09-28, 09-29, 09-30 → 09-30 17:30; 23.5 h; yellow 4.7 h (4 h 42 min) before: 09-30
    # has 7 h, so 2 h 18 min into it → 11:18.
    other = services.start(policy, market, now=at(9, 26, 15))
    assert (other.total, other.due_at, other.yellow_at) == (timedelta(hours=23.5), at(9, 30, 17, 30), at(9, 30, 11, 18))
    assert (clock.department_key, other.department_key) == (
        str(world["departments"]["housing"].pk),
        str(world["departments"]["market"].pk),
    )

    assert sweep(now=at(9, 30, 11, 18) + SECOND) == {"yellow": 1, "red": 0, "notices": 0, "failed": 0}
    assert sweep(now=at(9, 30, 17, 30) + SECOND) == {"yellow": 0, "red": 1, "notices": 1, "failed": 0}
    notice = SupervisionNotice.objects.get()
    assert (notice.doctype, notice.doc_id, notice.department) == (
        "Joint Review Opinion",
        market.pk,
        world["departments"]["market"].name,
    )
    message = NotificationLog.objects.get()
    assert message.user == world["users"]["supervisor"] and message.subject.startswith("红灯：")
    # Housing's own clock is untouched by the market's lateness.
    clock.refresh_from_db()
    assert clock.light == Deadline.Light.GREEN
    # Answering stops the clock, red as it was.
    services.follow(market, user=None, to_state="agreed", action="agree", is_final=True, now=at(10, 9, 10))
    other.refresh_from_db()
    assert (other.status, other.light, other.finished_at) == (Deadline.Status.DONE, Deadline.Light.RED, at(10, 9, 10))


def test_the_centre_may_start_a_joint_review_and_it_needs_co_departments(world) -> None:
    _joint(world, "parallel", "housing")
    app = _in_joint_review(world, starter="clerk")  # the window (服务中心) starts it on the department's behalf
    assert [o.status for o in _opinions(app)] == [S.REVIEWING]

    _joint(world, "parallel")  # none left
    users = world["users"]
    app = make_application(world["matter"], user=users["clerk"])
    app = engine.apply_transition(app, "accept", users["clerk"])
    app = engine.apply_transition(app, "start_review", users["lead"])
    with pytest.raises(engine.WorkflowError):
        engine.apply_transition(app, "start_joint_review", users["lead"])
    assert Application.objects.get(pk=app.pk).status == Application.Status.UNDER_REVIEW


def test_leaving_joint_review_otherwise_withdraws_the_open_opinions(world) -> None:
    _joint(world, "parallel", "housing", "market")
    app = _in_joint_review(world)
    app.decision_reason = "规划条件不符"
    engine.apply_transition(app, "deny", world["users"]["lead"], values={"decision_reason": "规划条件不符"})
    assert {o.status for o in _opinions(app)} == {S.WITHDRAWN}
    assert not Deadline.objects.filter(doctype="Joint Review Opinion", status__in=["running", "paused"]).exists()


def test_opinions_are_asked_for_by_the_joint_review_and_an_answer_is_the_record(world) -> None:
    _joint(world, "parallel", "housing")
    app = _in_joint_review(world)
    (opinion,) = _opinions(app)
    with pytest.raises(ValidationError):
        insert_doc(
            JointReviewOpinion(
                application=app,
                department=world["departments"]["market"],
                lead_department=app.department,
                mode="parallel",
            ),
            user=world["users"]["market"],
        )
    created = _client(world["users"]["market"]).post(
        "/api/resource/Joint Review Opinion",
        data=json.dumps({"application": app.pk, "department": world["departments"]["market"].pk}),
        content_type="application/json",
    )
    assert created.status_code in (403, 417), created.content.decode()[:300]
    assert JointReviewOpinion.objects.filter(application=app).count() == 1

    # An answer without an opinion is refused; once answered it is not rewritten.
    with pytest.raises(engine.WorkflowError):
        engine.apply_transition(opinion, "agree", world["users"]["housing"])
    _answer(world, "housing", opinion, text="同意。")
    opinion.refresh_from_db()
    opinion.opinion = "改写"
    with pytest.raises(ValidationError):
        save_doc(opinion, update_fields=["opinion"], user=world["users"]["housing"])


def test_co_departments_keep_their_order_and_the_lead_is_not_one_of_them(world) -> None:
    matter = world["matter"]
    _joint(world, "serial", "market", "housing")
    assert list(MatterCoDepartment.objects.filter(matter=matter).values_list("department__name", "idx")) == [
        (world["departments"]["market"].name, 1),
        (world["departments"]["housing"].name, 2),
    ]
    with pytest.raises(ValidationError):
        matter_set_co_departments(matter=matter, departments=[world["departments"]["planning"]], user=None)
    assert MatterCoDepartment.objects.filter(matter=matter).count() == 2
