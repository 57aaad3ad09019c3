"""Issue 17: one row per shipped deadline policy, driven through the deadline services at fixed instants.

Each row names a real document in the state the policy's clock starts in (brought there by the real services
and the workflow engine), starts the clock with `services.follow` at a fixed instant chosen so that the limit
runs across National Day 2025 or a make-up working day, and gives the due and yellow instants as literals,
worked out by hand from the shipped calendar (中国法定工作日, Asia/Shanghai):

    working windows  09:00-12:00 and 13:30-17:30, Monday to Friday: 7 working hours a day
    2025 holidays    10-01 … 10-08 (National Day and Mid-Autumn, Wednesday to Wednesday)
    make-up days     Sunday 2025-09-28 and Saturday 2025-10-11 (调休); Saturday 2025-09-27 is a rest day

    N working days from t   the close (17:30) of the N-th working day after t's date
    N working hours from t  the earliest instant at which N hours of window time have passed since t
    yellow (fraction 0.2)   the instant at which 80 % of the working time from start to due has passed

The policies whose rules are being reworked (application_supplement_window, work_order_complaint_reply,
handover_materials_cutoff) are tested in tests/gov_services/test_time_limits_from_receipt.py, which names them in
POLICIES_TESTED; the meta-tests at the end hold the two files together against the fixture.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from gov_services.gov_services.codes import IdType
from gov_services.gov_services.doctype.evaluation.services import evaluation_create
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import Application, Evaluation, WorkOrder
from lowcode.core import registry
from lowcode.core.fixtures import sync_fixtures
from lowcode.core.models import NotificationLog
from lowcode.deadlines import services
from lowcode.deadlines.models import Deadline, DeadlinePolicy, SupervisionNotice
from lowcode.deadlines.sweep import sweep
from lowcode.workflow import engine
from tests.gov_services.factories import catalogue, make_application, make_user

SH = ZoneInfo("Asia/Shanghai")
SECOND = timedelta(seconds=1)
NOTHING = {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
FIXTURE = Path(__file__).resolve().parents[2] / "apps" / "gov_services" / "fixtures" / "deadline_policy.json"
SUPERVISE = [{"type": "supervise", "working_days": 3, "notify_roles": ["Supervisor"]}]
OPEN = (Deadline.Status.RUNNING, Deadline.Status.PAUSED)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of 2025 on the calendar's clock (Asia/Shanghai)."""
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


def hours(h: int, m: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m)


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", departments["market"]),
        "issuer": make_user("issuer", "Issuing Clerk", departments["centre"]),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "supervisor": make_user("supervisor", "Supervisor", departments["centre"]),
        "citizen": make_user("citizen", "Applicant"),
    }
    # the demo's matter keys end their implementation codes: SPJYBG 食品经营许可（变更） (market, online level 3,
    # promised 5 working days, issues a licence); GHHS 建设工程规划条件核实 (planning, online level 2)
    by_key = {m.implementation_code.rsplit("0", 1)[-1]: m for m in matters}
    with translation.override("zh-hans"):
        yield {"departments": departments, "matters": by_key, "users": users}


# --- the documents, brought to the state a clock starts in --------------------------------------------------

STEPS: dict[str, tuple[str, dict[str, Any], str]] = {  # workflow action: who takes it, with which fields and comment
    "accept": ("clerk", {}, ""),
    "start_review": ("reviewer", {}, ""),
    "approve": ("reviewer", {"decision_reason": "经审查，符合法定条件。"}, ""),
    "issue_licence": ("reviewer", {}, ""),
    "hand_over_result": ("reviewer", {}, ""),
    "reject_result": ("issuer", {}, "证照载明的经营场所与决定不符"),
    "deliver": ("issuer", {"delivery_method": "pickup"}, ""),
}


def _through(world, app: Application, *actions: str) -> Application:
    for action in actions:
        if action == "issue_licence":
            licence_issue(
                licence_type=app.matter.licence_type,
                issuer=app.department,
                holder_name=app.applicant_name,
                holder_id_type=IdType.RESIDENT_ID,
                holder_id_number=app.id_number,
                issued_on=timezone.localdate(),
                application=app,
                user=None,
            )
        who, values, comment = STEPS[action]
        app = engine.apply_transition(app, action, world["users"][who], comment=comment, values=values)
    return app


def online(key: str) -> Callable[[Any], Application]:
    def build(world) -> Application:
        return make_application(world["matters"][key], user=world["users"]["citizen"], channel="online")

    build.__name__ = f"online_{key}"
    return build


def at_the_window(key: str) -> Callable[[Any], Application]:
    def build(world) -> Application:
        return make_application(world["matters"][key], user=world["users"]["clerk"], channel="window")

    build.__name__ = f"window_{key}"
    return build


def accepted(world) -> Application:
    return _through(world, at_the_window("SPJYBG")(world), "accept")


def approved(world) -> Application:
    return _through(world, at_the_window("SPJYBG")(world), "accept", "start_review", "approve")


def result_rejected(world) -> Application:
    return _through(world, approved(world), "issue_licence", "hand_over_result", "reject_result")


def delivered(world) -> Application:
    return _through(world, approved(world), "issue_licence", "hand_over_result", "deliver")


def work_order(world, order_type: str = WorkOrder.Type.CONSULTATION) -> WorkOrder:
    return work_order_create(
        user=world["users"]["hotline"],
        order_type=order_type,
        source=WorkOrder.Source.HOTLINE,
        subject="食品经营许可变更咨询",
        content="变更经营场所需要哪些材料？",
        applicant_name="王五",
        phone="13800000000",
    )


def transferred(world, order_type: str = WorkOrder.Type.CONSULTATION) -> WorkOrder:
    order = work_order(world, order_type)
    values = {"department": world["departments"]["market"]}
    return engine.apply_transition(order, "transfer", world["users"]["hotline"], values=values)


def complaint_transferred(world) -> WorkOrder:
    return transferred(world, WorkOrder.Type.COMPLAINT)


def replied(world) -> WorkOrder:
    values = {"reply": "变更经营场所需提交新场所的使用证明，三个工作日内办结。"}
    return engine.apply_transition(work_order(world), "reply", world["users"]["hotline"], values=values)


def poor_evaluation(world) -> Evaluation:
    return evaluation_create(
        user=None,
        application=approved(world),
        level=Evaluation.Level.DISSATISFIED,
        reason="材料要求前后说法不一，多跑了一趟",
        channel=Evaluation.Channel.PC,
        evaluator_name="张伟",
    )


# --- the table --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    policy: str
    build: Callable[[Any], Any]
    actor: str | None  # who takes the step that starts the clock
    department: str | None  # the demo department that answers for the deadline (None: the policy names none)
    facts: dict[str, Any]  # what the policy's condition reads, as the built document has it
    starts: tuple[tuple[str, str], ...]  # (state entered, action) that start the clock; the first is the row's
    stops: tuple[tuple[str, str], ...]  # (state entered, action) that stop it; the first is the row's
    started_at: datetime
    total: timedelta  # the limit in working time, from start to due
    due: datetime
    yellow: datetime
    notice_due: datetime  # the supervision notice's answer: 3 working days after the red sweep (due + 1 s)


ROWS = [
    Row(
        # Tue 09-30 10:00 + 2 working days: 09-30 does not count, 10-01..08 are holidays → Thu 10-09, Fri 10-10.
        # Working time: 09-30 10:00-17:30 6 h + 7 h + 7 h = 20 h; yellow after 16 h: 09-30 6 h, 10-09 7 h,
        # then 3 h of 10-10 → 12:00 sharp (the earliest instant, not 13:30), 4 h = 20 % left.
        # The red sweep at 10-10 17:30:01 + 3 working days: Sat 10-11 (make-up), Mon 10-13, Tue 10-14.
        policy="application_pre_review",
        build=online("SPJYBG"),
        actor="citizen",
        department="market",
        facts={"channel": "online", "online_level": 3},
        starts=(("submitted", ""), ("submitted", "resubmit")),
        stops=(
            ("accepted", "accept"),
            ("one_time_notice", "notify_incomplete"),
            ("not_accepted", "reject"),
            ("approved", "approve_immediately"),
        ),
        started_at=at(9, 30, 10),
        total=hours(20),
        due=at(10, 10, 17, 30),
        yellow=at(10, 10, 12),
        notice_due=at(10, 14, 17, 30),
    ),
    Row(
        # Tue 09-30 15:00 + 4 working hours: 2.5 h to 17:30, National Day passes, 1.5 h on Thu 10-09 → 10:30.
        # Yellow after 3 h 12 min: 2.5 h, then 42 min of 10-09 → 09:42. Notice: 10-10, Sat 10-11, 10-13.
        policy="application_sign_for",
        build=online("GHHS"),
        actor="citizen",
        department="planning",
        facts={"channel": "online", "online_level": 2},
        starts=(("submitted", ""), ("submitted", "resubmit")),
        stops=(
            ("pre_review", "start_pre_review"),
            ("accepted", "accept"),
            ("one_time_notice", "notify_incomplete"),
            ("not_accepted", "reject"),
            ("approved", "approve_immediately"),
        ),
        started_at=at(9, 30, 15),
        total=hours(4),
        due=at(10, 9, 10, 30),
        yellow=at(10, 9, 9, 42),
        notice_due=at(10, 13, 17, 30),
    ),
    Row(
        # Fri 10-10 14:00 + 1 working day: the make-up Saturday 10-11 is it → 10-11 17:30.
        # Working time 3.5 h + 7 h = 10.5 h; yellow after 8 h 24 min: 3.5 h, then 3 h + 1 h 54 min of 10-11 →
        # 15:24 (2 h 06 min = 20 % left). Notice: Mon 10-13, 10-14, 10-15.
        policy="application_acceptance_opinion",
        build=online("GHHS"),
        actor="citizen",
        department="planning",
        facts={"channel": "online", "online_level": 2},
        starts=(("submitted", ""), ("submitted", "resubmit")),
        stops=(
            ("accepted", "accept"),
            ("one_time_notice", "notify_incomplete"),
            ("not_accepted", "reject"),
            ("approved", "approve_immediately"),
        ),
        started_at=at(10, 10, 14),
        total=hours(10, 30),
        due=at(10, 11, 17, 30),
        yellow=at(10, 11, 15, 24),
        notice_due=at(10, 15, 17, 30),
    ),
    Row(
        # SPJYBG promises 5 working days. Fri 09-26 10:00: Sun 09-28 (make-up), 09-29, 09-30, 10-09, 10-10 →
        # 10-10 17:30. Working time 6 h + 5 × 7 h = 41 h; yellow after 32 h 48 min: 6 + 7 + 7 + 7 = 27 h to
        # 09-30's close, then 5 h 48 min of 10-09 → 16:18 (8 h 12 min = 20 % left). Notice as for pre-review.
        policy="application_promised_limit",
        build=accepted,
        actor="clerk",
        department="market",
        facts={"matter.promised_limit": 5, "matter.promised_limit_unit": "working_days"},
        starts=(("accepted", "accept"),),
        stops=(("approved", "approve"), ("denied", "deny")),
        started_at=at(9, 26, 10),
        total=hours(41),
        due=at(10, 10, 17, 30),
        yellow=at(10, 9, 16, 18),
        notice_due=at(10, 14, 17, 30),
    ),
    Row(
        # Fri 10-10 16:00 + 1 working day → the make-up Saturday 10-11 17:30. Working time 1.5 h + 7 h = 8.5 h;
        # yellow after 6 h 48 min: 1.5 h, then 5 h 18 min of 10-11 → 15:48. Notice: 10-13, 10-14, 10-15.
        policy="application_result_feedback",
        build=approved,
        actor="reviewer",
        department="market",
        facts={},
        starts=(("approved", "approve"), ("denied", "deny")),
        stops=(
            ("licence_issued", "issue_licence"),
            ("result_handed_over", "hand_over_result"),
            ("delivered", "deliver"),
        ),
        started_at=at(10, 10, 16),
        total=hours(8, 30),
        due=at(10, 11, 17, 30),
        yellow=at(10, 11, 15, 48),
        notice_due=at(10, 15, 17, 30),
    ),
    Row(
        # Tue 09-30 09:00 + 1 working day → Thu 10-09 17:30 (National Day between). Working time 7 h + 7 h =
        # 14 h; yellow after 11 h 12 min: 7 h, then 4 h 12 min of 10-09 → 14:42. Notice: 10-10, 10-11, 10-13.
        policy="application_licence_correction",
        build=result_rejected,
        actor="issuer",
        department="market",
        facts={},
        starts=(("licence_issued", "reject_result"),),
        stops=(("result_handed_over", "hand_over_result"),),
        started_at=at(9, 30, 9),
        total=hours(14),
        due=at(10, 9, 17, 30),
        yellow=at(10, 9, 14, 42),
        notice_due=at(10, 13, 17, 30),
    ),
    Row(
        # Fri 09-26 15:00 + 1 working day: Saturday 09-27 rests, Sunday 09-28 is a make-up day → 09-28 17:30.
        # Working time 2.5 h + 7 h = 9.5 h; yellow after 7 h 36 min: 2.5 h, then 5 h 06 min of 09-28 → 15:36.
        # Notice: 09-29, 09-30, then National Day → 10-09.
        policy="application_archive",
        build=delivered,
        actor="issuer",
        department="market",
        facts={},
        starts=(("delivered", "deliver"),),
        stops=(("archived", "archive"),),
        started_at=at(9, 26, 15),
        total=hours(9, 30),
        due=at(9, 28, 17, 30),
        yellow=at(9, 28, 15, 36),
        notice_due=at(10, 9, 17, 30),
    ),
    Row(
        # Fri 09-26 16:00 + 4 working hours: 1.5 h to 17:30, Saturday rests, 2.5 h of the make-up Sunday 09-28
        # → 11:30. Yellow after 3 h 12 min → 09-28 10:42. The policy names no department.
        policy="work_order_transfer",
        build=work_order,
        actor="hotline",
        department=None,
        facts={},
        starts=(("new", ""), ("returned", "return"), ("reopened", "revisit_unsatisfied")),  # returned: again 4 h
        stops=(("transferred", "transfer"), ("replied", "reply"), ("closed", "revisit_satisfied")),
        started_at=at(9, 26, 16),
        total=hours(4),
        due=at(9, 28, 11, 30),
        yellow=at(9, 28, 10, 42),
        notice_due=at(10, 9, 17, 30),
    ),
    Row(
        # Mon 09-29 09:30 + 3 working days: 09-30, 10-09, 10-10 → 10-10 17:30. Working time 6.5 h + 21 h =
        # 27.5 h; yellow after 22 h: 6.5 + 7 + 7 = 20.5 h to 10-09's close, then 1.5 h of 10-10 → 10:30.
        policy="work_order_completion",
        build=transferred,
        actor="hotline",
        department="market",
        facts={"order_type": "consultation"},
        starts=(("transferred", "transfer"),),
        stops=(("replied", "reply"), ("returned", "return"), ("closed", "revisit_satisfied")),
        started_at=at(9, 29, 9, 30),
        total=hours(27, 30),
        due=at(10, 10, 17, 30),
        yellow=at(10, 10, 10, 30),
        notice_due=at(10, 14, 17, 30),
    ),
    Row(
        # Transferred Tue 09-30 15:00 + 1 working day (the return limit, S000 art. 7): National Day between → Thu
        # 10-09 17:30. Working time 2.5 h + 7 h = 9.5 h; yellow after 7 h 36 min: 2.5 h, then 3 h + 2 h 06 min of
        # 10-09 → 15:36 (1 h 54 min = 20 % left). Notice: 10-10, the make-up Saturday 10-11, Mon 10-13.
        policy="work_order_return",
        build=transferred,
        actor="hotline",
        department="market",
        facts={},
        starts=(("transferred", "transfer"),),
        stops=(("accepted", "accept"), ("returned", "return")),
        started_at=at(9, 30, 15),
        total=hours(9, 30),
        due=at(10, 9, 17, 30),
        yellow=at(10, 9, 15, 36),
        notice_due=at(10, 13, 17, 30),
    ),
    Row(
        # Replied on the make-up Sunday 09-28 at 10:00 + 3 working days: 09-29, 09-30, 10-09 → 10-09 17:30.
        # Working time 6 h + 21 h = 27 h; yellow after 21 h 36 min: 6 + 7 + 7 = 20 h, then 1 h 36 min of
        # 10-09 → 10:36. Notice: 10-10, 10-11, 10-13. The policy names no department.
        policy="work_order_revisit",
        build=replied,
        actor="hotline",
        department=None,
        facts={},
        starts=(("replied", "reply"),),
        stops=(("closed", "revisit_satisfied"), ("reopened", "revisit_unsatisfied")),
        started_at=at(9, 28, 10),
        total=hours(27),
        due=at(10, 9, 17, 30),
        yellow=at(10, 9, 10, 36),
        notice_due=at(10, 13, 17, 30),
    ),
    Row(
        # Tue 09-30 16:30 + 1 working day → Thu 10-09 17:30. Working time 1 h + 7 h = 8 h; yellow after
        # 6 h 24 min: 1 h, then 3 h + 2 h 24 min of 10-09 → 15:54. Notice: 10-10, 10-11, 10-13.
        policy="evaluation_callback",
        build=poor_evaluation,
        actor=None,
        department="market",
        facts={"level": 2},
        starts=(("poor", ""), ("poor", "flag_poor")),
        stops=(("called_back", "call_back"), ("appealed", "appeal"), ("removed", "remove")),
        started_at=at(9, 30, 16, 30),
        total=hours(8),
        due=at(10, 9, 17, 30),
        yellow=at(10, 9, 15, 54),
        notice_due=at(10, 13, 17, 30),
    ),
    Row(
        # Fri 09-26 09:00 + 15 working days: 09-28 (make-up), 09-29, 09-30, 10-09, 10-10, 10-11 (make-up),
        # 10-13..17, 10-20..23 → Thu 10-23 17:30. Working time 7 h + 15 × 7 h = 112 h; yellow after 89 h 36 min:
        # 12 whole days (09-26 … 10-17) = 84 h, then 5 h 36 min of Mon 10-20 → 16:06 (22 h 24 min = 20 % left).
        # Notice: Fri 10-24, Mon 10-27, Tue 10-28.
        policy="evaluation_rectification",
        build=poor_evaluation,
        actor=None,
        department="market",
        facts={"level": 2},
        starts=(("poor", ""), ("poor", "flag_poor")),
        stops=(("rectified", "rectified"), ("removed", "remove")),
        started_at=at(9, 26, 9),
        total=hours(112),
        due=at(10, 23, 17, 30),
        yellow=at(10, 20, 16, 6),
        notice_due=at(10, 28, 17, 30),
    ),
]
ROW = {row.policy: row for row in ROWS}


@dataclass(frozen=True)
class Pause:
    policy: str
    pause: tuple[str, str]
    paused_at: datetime
    remaining: timedelta  # the working time from the pause to the row's due instant
    resume: tuple[str, str]
    resumed_at: datetime  # after the row's own due instant: a paused clock is not lit meanwhile
    due: datetime  # the remainder placed from the resume
    yellow: datetime  # when 20 % of the row's whole limit is left, counted from the resume
    paused_total: timedelta


# The promised limit (due Fri 10-10 17:30) paused Mon 09-29 10:00: 09-29 6 h + 09-30 7 h + 10-09 7 h + 10-10 7 h
# = 27 h left. Resumed Friday 10-10 at 18:00, after hours, so counting starts with the make-up Saturday 10-11:
# 7 h (10-11) + 7 h (10-13) + 7 h (10-14) + 6 h of Wed 10-15 → 16:30. Yellow when 8 h 12 min (20 % of 41 h)
# are left, i.e. after 18 h 48 min: 10-11, 10-13, then 4 h 48 min of 10-14 → 15:18.
PROMISED_PAUSE = {
    "paused_at": at(9, 29, 10),
    "remaining": hours(27),
    "resumed_at": at(10, 10, 18),
    "due": at(10, 15, 16, 30),
    "yellow": at(10, 14, 15, 18),
    "paused_total": timedelta(days=11, hours=8),
}
PAUSES = [
    Pause(
        "application_promised_limit",
        ("supplement_requested", "request_supplement"),
        resume=("accepted", "supplemented"),
        **PROMISED_PAUSE,
    ),
    Pause(
        "application_promised_limit",
        ("special_procedure", "start_special_procedure"),
        resume=("under_review", "resume_review"),
        **PROMISED_PAUSE,
    ),
    # Rectification (due Thu 10-23 17:30) paused by an appeal on Tue 09-30 14:00: 3.5 h + 12 working days
    # (10-09, 10-10, 10-11, 10-13..17, 10-20..23) × 7 h = 87.5 h left. The appeal upheld on Fri 10-24 09:00:
    # 12 days (10-24, 10-27..31, 11-03..07, 11-10) = 84 h, then 3.5 h of Tue 11-11 → 14:00. Yellow when
    # 22 h 24 min are left, after 65 h 06 min: 9 days to 11-05's close, then 2 h 06 min of 11-06 → 11:06.
    Pause(
        "evaluation_rectification",
        ("appealed", "appeal"),
        paused_at=at(9, 30, 14),
        remaining=hours(87, 30),
        resume=("rectifying", "uphold"),
        resumed_at=at(10, 24, 9),
        due=at(11, 11, 14),
        yellow=at(11, 6, 11, 6),
        paused_total=timedelta(days=23, hours=19),
    ),
]

# Documents that fail a policy's condition, with what the condition reads on them.
MISSES = [
    ("application_pre_review", at_the_window("SPJYBG"), {"channel": "window", "online_level": 3}),
    ("application_sign_for", online("SPJYBG"), {"channel": "online", "online_level": 3}),
    ("application_sign_for", at_the_window("GHHS"), {"channel": "window", "online_level": 2}),
    ("application_acceptance_opinion", online("SPJYBG"), {"channel": "online", "online_level": 3}),
    ("application_acceptance_opinion", at_the_window("GHHS"), {"channel": "window", "online_level": 2}),
    ("work_order_completion", complaint_transferred, {"order_type": "complaint"}),
]


# --- helpers ----------------------------------------------------------------------------------------------


def _doctype(doc: Any) -> str:
    return registry.for_model(type(doc)).name


def _clocks(doc: Any):
    return Deadline.objects.filter(doctype=_doctype(doc), doc_id=doc.pk)


def _user(world, row: Row) -> Any:
    return world["users"][row.actor] if row.actor else None


def _follow(world, row: Row, doc: Any, step: tuple[str, str], now: datetime) -> None:
    state, action = step
    services.follow(doc, user=_user(world, row), to_state=state, action=action, is_final=False, now=now)


def _start(world, row: Row, doc: Any, step: tuple[str, str], now: datetime) -> Deadline:
    """The row's clock on `doc`, started by `step` at `now`.

    The clocks the services started while the document was brought here ran from the wall-clock now: they are
    removed first. Other policies' clocks started by the same step are removed after it (each has its own
    row), so what the sweep does afterwards is this policy's alone."""
    _clocks(doc).filter(status__in=OPEN).delete()
    _follow(world, row, doc, step, now)
    _clocks(doc).filter(status__in=OPEN).exclude(policy__name=row.policy).delete()
    return _clocks(doc).get(policy__name=row.policy, status__in=OPEN)


def _facts(doc: Any, names) -> dict[str, Any]:
    return {name: services.resolve(doc, name) for name in names}


def _shipped() -> dict[str, dict[str, Any]]:
    return {record["name"]: record for record in json.loads(FIXTURE.read_text(encoding="utf-8"))}


# --- the tests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.policy)
def test_due_and_yellow_instants_the_sweep_at_yellow_and_red_and_every_stop_state(world, row: Row) -> None:
    policy = DeadlinePolicy.objects.get(name=row.policy)
    assert (policy.on_yellow, policy.on_red) == ([], SUPERVISE)
    doc = row.build(world)
    assert _facts(doc, row.facts) == row.facts  # the policy's condition holds for this document
    department = world["departments"][row.department] if row.department else None

    deadline = _start(world, row, doc, row.starts[0], row.started_at)

    assert (deadline.status, deadline.light, deadline.wall_clock) == (
        Deadline.Status.RUNNING,
        Deadline.Light.GREEN,
        False,
    )
    assert (deadline.started_at, deadline.total) == (row.started_at, row.total)
    assert deadline.due_at == row.due
    assert deadline.yellow_at == row.yellow
    assert deadline.next_check_at == row.yellow
    assert (deadline.department_key, deadline.department) == (
        (str(department.pk), department.name) if department else ("", "")
    )

    # Not a second early: nothing is lit before the yellow instant.
    assert sweep(now=row.yellow - SECOND) == NOTHING
    deadline.refresh_from_db()
    assert (deadline.light, deadline.lit_at) == (Deadline.Light.GREEN, None)

    # Just after it: yellow, next looked at when due; the policy does nothing more on yellow.
    lit_yellow = row.yellow + SECOND
    assert sweep(now=lit_yellow) == {"yellow": 1, "red": 0, "notices": 0, "failed": 0}
    deadline.refresh_from_db()
    assert (deadline.light, deadline.lit_at, deadline.next_check_at) == (Deadline.Light.YELLOW, lit_yellow, row.due)
    assert not SupervisionNotice.objects.exists() and not NotificationLog.objects.exists()
    assert sweep(now=row.due - SECOND) == NOTHING

    # Just after due: red, one supervision notice for the department and a message to the supervisor.
    lit_red = row.due + SECOND
    assert sweep(now=lit_red) == {"yellow": 0, "red": 1, "notices": 1, "failed": 0}
    deadline.refresh_from_db()
    assert (deadline.light, deadline.lit_at, deadline.next_check_at) == (Deadline.Light.RED, lit_red, None)
    assert deadline.status == Deadline.Status.RUNNING
    notice = SupervisionNotice.objects.get()
    assert (notice.deadline_id, notice.doctype, notice.doc_id, notice.doc_title) == (
        deadline.pk,
        _doctype(doc),
        doc.pk,
        str(doc),
    )
    assert (notice.department_key, notice.department) == (deadline.department_key, deadline.department)
    assert notice.subject == f"督办：{doc} {policy.label_zh}已超期"
    assert (notice.issued_at, notice.due_at, notice.status) == (lit_red, row.notice_due, "open")
    assert notice.number.startswith("DB")
    message = NotificationLog.objects.get()
    assert (message.user, message.doctype, message.doc_id, message.created_at) == (
        world["users"]["supervisor"],
        _doctype(doc),
        str(doc.pk),
        lit_red,
    )
    assert message.subject == f"红灯：{doc} {policy.label_zh}已超期"
    assert message.body == f"责任部门：{department.name if department else '—'}。到期时间：{row.due:%Y-%m-%d %H:%M}。"
    assert sweep(now=lit_red + timedelta(hours=1)) == NOTHING  # once only
    assert (SupervisionNotice.objects.count(), NotificationLog.objects.count()) == (1, 1)

    # The stop state finishes the clock; the record keeps that it was late.
    stopped = row.due + timedelta(hours=2)
    _follow(world, row, doc, row.stops[0], stopped)
    deadline.refresh_from_db()
    assert (deadline.status, deadline.finished_at, deadline.light, deadline.next_check_at) == (
        Deadline.Status.DONE,
        stopped,
        Deadline.Light.RED,
        None,
    )

    # Every way in, and every stop state: each run starts the limit afresh and each stop finishes it.
    early = row.started_at + timedelta(minutes=30)
    for start in row.starts:
        for stop in row.stops:
            again = _start(world, row, doc, start, row.started_at)
            assert (again.due_at, again.yellow_at) == (row.due, row.yellow), start
            _follow(world, row, doc, stop, early)
            again.refresh_from_db()
            assert (again.status, again.finished_at, again.next_check_at, again.light) == (
                Deadline.Status.DONE,
                early,
                None,
                Deadline.Light.GREEN,
            ), (start, stop)
    # A finished clock is never lit, however late it is.
    _clocks(doc).filter(status__in=OPEN).delete()  # what the last stop started belongs to other policies
    assert sweep(now=row.due + timedelta(days=30)) == NOTHING
    finished = _clocks(doc).filter(policy=policy).exclude(pk=deadline.pk)
    assert list(finished.values_list("status", "light").distinct()) == [(Deadline.Status.DONE, Deadline.Light.GREEN)]
    assert finished.count() == len(row.starts) * len(row.stops)
    assert (SupervisionNotice.objects.count(), NotificationLog.objects.count()) == (1, 1)


@pytest.mark.parametrize("case", PAUSES, ids=lambda case: f"{case.policy}-{case.pause[0]}")
def test_pausing_keeps_the_time_left_and_resuming_places_it_from_the_resume(world, case: Pause) -> None:
    row = ROW[case.policy]
    doc = row.build(world)
    deadline = _start(world, row, doc, row.starts[0], row.started_at)

    _follow(world, row, doc, case.pause, case.paused_at)
    deadline.refresh_from_db()
    assert (deadline.status, deadline.paused_at, deadline.remaining, deadline.next_check_at) == (
        Deadline.Status.PAUSED,
        case.paused_at,
        case.remaining,
        None,
    )
    # Paused past its yellow and due instants: nothing lights it.
    assert sweep(now=case.resumed_at - SECOND) == NOTHING
    deadline.refresh_from_db()
    assert (deadline.light, deadline.due_at, deadline.yellow_at) == (Deadline.Light.GREEN, row.due, row.yellow)

    _follow(world, row, doc, case.resume, case.resumed_at)
    deadline.refresh_from_db()
    assert (deadline.status, deadline.resumed_at, deadline.paused_at, deadline.paused_total) == (
        Deadline.Status.RUNNING,
        case.resumed_at,
        None,
        case.paused_total,
    )
    assert (deadline.due_at, deadline.yellow_at, deadline.next_check_at) == (case.due, case.yellow, case.yellow)
    assert (deadline.total, deadline.light) == (row.total, Deadline.Light.GREEN)
    assert sweep(now=case.yellow + SECOND) == {"yellow": 1, "red": 0, "notices": 0, "failed": 0}
    assert sweep(now=case.due + SECOND) == {"yellow": 0, "red": 1, "notices": 1, "failed": 0}
    deadline.refresh_from_db()
    assert deadline.light == Deadline.Light.RED


@pytest.mark.parametrize(
    ("policy", "build", "facts"), MISSES, ids=[f"{policy}-{build.__name__}" for policy, build, _ in MISSES]
)
def test_a_document_outside_the_policy_condition_starts_no_clock(world, policy: str, build, facts) -> None:
    row = ROW[policy]
    doc = build(world)
    assert _facts(doc, facts) == facts
    assert not _clocks(doc).filter(policy__name=policy).exists()  # nor did the services on the way here

    _clocks(doc).delete()
    _follow(world, row, doc, row.starts[0], row.started_at)

    assert not _clocks(doc).filter(policy__name=policy).exists()
    # The same step at the same instant on the row's own document does start it.
    assert _start(world, row, row.build(world), row.starts[0], row.started_at).due_at == row.due


def test_every_shipped_policy_is_tested_here_or_in_time_limits_from_receipt() -> None:
    elsewhere = importlib.import_module("tests.gov_services.test_time_limits_from_receipt").POLICIES_TESTED
    untested = set(_shipped()) - set(ROW) - set(elsewhere)
    assert untested == set()


def test_every_row_is_a_shipped_active_policy_and_covers_its_states(db) -> None:
    shipped = _shipped()
    sync_fixtures()
    assert len(ROWS) == len(ROW) == 13
    assert not set(ROW) & {"application_supplement_window", "work_order_complaint_reply", "handover_materials_cutoff"}
    conditional = {policy for policy, _, _ in MISSES}
    for row in ROWS:
        assert row.policy in shipped, row.policy
        record = shipped[row.policy]
        assert record.get("is_active", True) is True, row.policy
        assert DeadlinePolicy.objects.get(name=row.policy).is_active, row.policy
        start_states, start_actions = set(record.get("start_states", [])), set(record.get("start_actions", []))
        assert all(state in start_states or action in start_actions for state, action in row.starts), row.policy
        assert start_states <= {state for state, _ in row.starts}, row.policy
        assert start_actions <= {action for _, action in row.starts}, row.policy
        assert {state for state, _ in row.stops} == set(record.get("stop_states", [])), row.policy
        paused = {case.pause[0] for case in PAUSES if case.policy == row.policy}
        assert paused == set(record.get("pause_states", [])), row.policy
        assert (row.policy in conditional) == bool(record.get("condition")), row.policy
