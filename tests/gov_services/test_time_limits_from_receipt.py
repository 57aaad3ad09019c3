"""Clocks that run from the instant the rule names (issue 17): the material handover cut-off from when the materials
were received (S001 三(四)1(2)), the supplement window as the lesser of 3 working days and the promised limit
(S001 三(四)1(1)), a complaint's 3 working days from its receipt on every path (S000 art. 6(4)), and the same-day
clock of a 即办件 (S001). Instants are fixed and the expected due instants written out from the shipped calendar:
09:00–12:00 and 13:30–17:30, National Day 2025-10-01…08, make-up working days Sunday 09-28 and Saturday 10-11."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import Application, ApplicationMaterial, Handover, Matter, WorkOrder
from lowcode.api.models import credential_generate
from lowcode.core.documents import save_doc, save_rows
from lowcode.deadlines import services
from lowcode.deadlines.models import Deadline, DeadlinePolicy, SupervisionNotice
from lowcode.deadlines.sweep import sweep
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

# The shipped policies whose rules these tests drive (tests/gov_services/test_policy_table.py covers the rest).
POLICIES_TESTED = frozenset(
    {
        "handover_materials_cutoff",
        "application_supplement_window",
        "work_order_complaint_reply",
        "work_order_complaint_reopened",
        "application_same_day",
        "joint_review_opinion",  # in tests/gov_services/test_joint_review.py
    }
)

TZ = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "reviewer": make_user("reviewer", "Department Reviewer", market),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "liaison": make_user("liaison", "Department Liaison", market),
        "supervisor": make_user("supervisor", "Supervisor", departments["centre"]),
    }
    promised = [m for m in matters if m.department_id == market.pk and m.handling_type == "promised"]
    immediate = [m for m in matters if m.handling_type == "immediate"]
    with translation.override("zh-hans"):
        yield {
            "departments": departments,
            "market": market,
            "users": users,
            "promised": promised,
            "immediate": immediate,
        }


def _clock(doc, policy: str) -> Deadline:
    return Deadline.objects.get(doc_id=doc.pk, policy__name=policy)


def _received(world, received: datetime, matter: Matter | None = None) -> Application:
    """An application whose materials the mail room received at `received`: the clerk records the receipt on the
    application and ticks the materials in hand, which are stamped with it."""
    return make_application(matter or world["promised"][0], user=world["users"]["clerk"], received_at=received)


# -- Material handover: the cut-off from receipt ----------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due", "yellow"),
    [
        # yellow with one working hour left (the lunch break 12:00–13:30 is not working time)
        (
            at(2025, 9, 23, 10, 15),
            at(2025, 9, 23, 14, 0),
            at(2025, 9, 23, 11, 30),
        ),  # a Tuesday morning: by 14:00 that day
        (
            at(2025, 9, 23, 15, 0),
            at(2025, 9, 24, 9, 30),
            at(2025, 9, 23, 17, 0),
        ),  # the afternoon: 9:30 the next working day
        (
            at(2025, 9, 26, 15, 0),
            at(2025, 9, 28, 9, 30),
            at(2025, 9, 26, 17, 0),
        ),  # Friday afternoon: the make-up Sunday before National Day
        (
            at(2025, 9, 30, 14, 0),
            at(2025, 10, 9, 9, 30),
            at(2025, 9, 30, 17, 0),
        ),  # the afternoon before National Day: after the holiday
    ],
)
def test_the_handover_cut_off_runs_from_when_the_materials_were_received(world, received, due, yellow) -> None:
    app = _received(world, received)
    handover = handover_create(
        kind=Handover.Kind.MATERIALS, department=app.department, applications=[app], user=world["users"]["clerk"]
    )
    assert handover.received_at == received
    clock = _clock(handover, "handover_materials_cutoff")
    assert clock.started_at == received  # not when the handover record was made (today)
    assert clock.due_at == due
    assert clock.yellow_at == yellow
    sweep(now=yellow + timedelta(minutes=1))
    clock.refresh_from_db()
    assert clock.light == Deadline.Light.YELLOW

    counts = sweep(now=due + timedelta(minutes=1))
    clock.refresh_from_db()
    assert counts["red"] >= 1 and clock.light == Deadline.Light.RED
    assert SupervisionNotice.objects.get(deadline=clock).department_key == str(app.department_id)
    engine.apply_transition(handover, "send", world["users"]["clerk"])
    engine.apply_transition(Handover.objects.get(pk=handover.pk), "sign", world["users"]["reviewer"])
    clock.refresh_from_db()
    assert clock.status == Deadline.Status.DONE and clock.light == Deadline.Light.RED


def test_a_handover_of_several_applications_runs_from_the_earliest_receipt_and_a_supplement_from_its_own(
    world,
) -> None:
    morning = _received(world, at(2025, 9, 24, 9, 40))
    afternoon = _received(world, at(2025, 9, 24, 16, 0))
    handover = handover_create(
        kind=Handover.Kind.MATERIALS,
        department=morning.department,
        applications=[afternoon, morning],
        user=world["users"]["clerk"],
    )
    assert _clock(handover, "handover_materials_cutoff").due_at == at(2025, 9, 24, 14, 0)

    # The applicant brings one material again on Thursday afternoon: that application's materials were last
    # received then, and a handover of it alone is due 9:30 on Friday.
    later = _received(world, at(2025, 9, 24, 9, 40))
    table = list(later.materials.all())
    supplied = next(row for row in table if row.received)
    supplied.status = ApplicationMaterial.Status.DEFECTIVE
    save_rows(later, ApplicationMaterial, changed=[supplied], table=table, user=world["users"]["reviewer"])
    supplied.refresh_from_db()
    assert supplied.received_at is None  # found defective: no longer in hand
    later.received_at = at(2025, 9, 25, 15, 10)  # the clerk records when the material came again
    save_doc(later, update_fields=["received_at"], user=world["users"]["clerk"])
    supplied.status, supplied.received_at = ApplicationMaterial.Status.SUBMITTED, at(2020, 1, 1, 9, 0)  # ignored
    save_rows(later, ApplicationMaterial, changed=[supplied], table=table, user=world["users"]["clerk"])
    supplied.refresh_from_db()
    assert supplied.received_at == at(2025, 9, 25, 15, 10)  # the system's stamp, not the writer's
    alone = handover_create(
        kind=Handover.Kind.MATERIALS, department=later.department, applications=[later], user=world["users"]["clerk"]
    )
    assert _clock(alone, "handover_materials_cutoff").due_at == at(2025, 9, 26, 9, 30)


def test_a_new_material_is_stamped_when_received_and_a_receipt_in_the_future_is_refused(world) -> None:
    app = make_application(world["promised"][0], user=world["users"]["clerk"])
    stamped = [row.received_at for row in app.materials.all() if row.received]
    assert stamped and all(s is not None for s in stamped)
    assert all(row.received_at is None for row in app.materials.all() if not row.received)
    assert app.received_at == app.submitted_at

    app.received_at = app.submitted_at + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        save_doc(app, update_fields=["received_at"], user=world["users"]["clerk"])
    assert "received_at" in refused.value.message_dict
    assert Application.objects.get(pk=app.pk).received_at == app.submitted_at

    # Only the window records a receipt: a reviewer in the desk, an applicant through the API are refused.
    app.received_at = app.submitted_at - timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        save_doc(app, update_fields=["received_at"], user=world["users"]["reviewer"])
    assert "received_at" in refused.value.message_dict
    citizen = make_user("citizen", "Applicant")
    own = make_application(world["promised"][0], user=world["users"]["clerk"], applicant_user=citizen)
    credential, secret = credential_generate(user=citizen)
    client = Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
    response = client.put(
        f"/api/resource/Application/{own.number}",
        data=json.dumps({"received_at": "2025-01-01 09:00:00"}),
        content_type="application/json",
    )
    assert response.status_code == 417 and response.json()["exc_type"] == "ValidationError"
    assert Application.objects.get(pk=own.pk).received_at == own.submitted_at


def test_a_desk_handover_runs_its_cut_off_from_its_items_receipt_and_nobody_types_it(world) -> None:
    app = _received(world, at(2025, 9, 23, 10, 15))
    clerk = world["users"]["clerk"]
    client = Client()
    assert client.login(username="clerk", password=PASSWORD)
    page = client.post(
        reverse("admin:gov_services_handover_add"),
        {
            "kind": Handover.Kind.MATERIALS,
            "department": app.department_id,
            "received_at_0": "2026-12-01",  # read-only on the form: not taken
            "received_at_1": "09:00:00",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-application": app.pk,
            "items-0-pieces": "1",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    handover = Handover.objects.get(items__application=app)
    assert handover.received_at == at(2025, 9, 23, 10, 15)
    clock = _clock(handover, "handover_materials_cutoff")
    assert (clock.started_at, clock.due_at) == (at(2025, 9, 23, 10, 15), at(2025, 9, 23, 14, 0))
    handover.received_at = timezone.now()
    with pytest.raises(ValidationError) as refused:
        save_doc(handover, update_fields=["received_at"], user=clerk)
    assert "received_at" in refused.value.message_dict


# -- Supplement window: 3 working days, or the promised limit when shorter -------------------------------------


def _accepted_at(world, matter: Matter, accepted: datetime) -> Application:
    app = make_application(matter, user=world["users"]["clerk"])
    app = engine.apply_transition(app, "accept", world["users"]["clerk"])
    Deadline.objects.filter(doctype="Application", doc_id=app.pk).delete()  # replay acceptance at a fixed instant
    services.follow(app, user=None, to_state="accepted", action="accept", is_final=False, now=accepted)
    return app


def test_a_matter_promising_2_working_days_gets_a_2_day_supplement_window(world) -> None:
    short, usual = world["promised"][0], world["promised"][1]
    short.promised_limit, short.promised_limit_unit = 2, "working_days"
    save_doc(short, update_fields=["promised_limit", "promised_limit_unit"])
    assert (usual.promised_limit_unit, usual.promised_limit >= 3) == ("working_days", True)
    accepted = at(2025, 9, 30, 10, 0)  # Tuesday before National Day

    app = _accepted_at(world, short, accepted)
    window, promised = _clock(app, "application_supplement_window"), _clock(app, "application_promised_limit")
    assert window.due_at == promised.due_at == at(2025, 10, 10, 17, 30)  # Thursday 10-09 and Friday 10-10
    other = _accepted_at(world, usual, accepted)
    assert _clock(other, "application_supplement_window").due_at == at(2025, 10, 11, 17, 30)  # make-up Saturday

    # Passing the shorter window still deems the application accepted.
    sweep(now=at(2025, 10, 10, 17, 31))
    assert Application.objects.get(pk=app.pk).status == Application.Status.UNDER_REVIEW
    assert Application.objects.get(pk=other.pk).status == Application.Status.ACCEPTED


def test_or_document_limit_needs_the_limit_fields(world) -> None:
    policy = DeadlinePolicy.objects.get(name="application_supplement_window")
    policy.limit_amount_field = ""
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "limit_amount_field" in refused.value.message_dict
    policy.refresh_from_db()
    policy.start_field = "matter"
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "start_field" in refused.value.message_dict


# -- Complaints: 3 working days from receipt, on every path ----------------------------------------------------


def _complaint(world, received: datetime, order_type: str = WorkOrder.Type.COMPLAINT) -> WorkOrder:
    return work_order_create(
        user=world["users"]["hotline"],
        order_type=order_type,
        source=WorkOrder.Source.HOTLINE,
        subject="窗口态度",
        content="工作人员态度生硬",
        applicant_name="王五",
        phone="13800000000",
        received_at=received,
    )


def test_a_complaint_answered_directly_still_runs_its_3_working_day_clock(world) -> None:
    order = _complaint(world, at(2025, 9, 26, 16, 0))  # Friday afternoon
    clock = _clock(order, "work_order_complaint_reply")
    assert clock.started_at == at(2025, 9, 26, 16, 0)
    assert clock.due_at == at(2025, 9, 30, 17, 30)  # Sunday 09-28 (make-up), Monday, Tuesday
    assert clock.department_key == ""  # the hotline's until it is transferred
    engine.apply_transition(order, "reply", world["users"]["hotline"], values={"reply": "已向当事窗口核实并致歉"})
    clock.refresh_from_db()
    assert clock.status == Deadline.Status.DONE and clock.finished_at is not None
    # A consultation has no complaint clock.
    consultation = _complaint(world, at(2025, 9, 26, 16, 0), WorkOrder.Type.CONSULTATION)
    assert not Deadline.objects.filter(doc_id=consultation.pk, policy__name="work_order_complaint_reply").exists()


def test_a_transferred_complaint_is_charged_to_the_department_and_a_reopened_one_runs_again(world) -> None:
    order = _complaint(world, at(2025, 9, 30, 11, 0))
    market = world["market"]
    order = engine.apply_transition(order, "transfer", world["users"]["hotline"], values={"department": market})
    clock = _clock(order, "work_order_complaint_reply")
    assert clock.status == Deadline.Status.RUNNING and clock.due_at == at(2025, 10, 11, 17, 30)
    assert (clock.department_key, clock.department) == (str(market.pk), str(market))
    counts = sweep(now=at(2025, 10, 11, 17, 31))
    assert counts["notices"] >= 1
    assert SupervisionNotice.objects.get(deadline=clock).department_key == str(market.pk)

    order = engine.apply_transition(order, "accept", world["users"]["liaison"])
    answer = {"reply": "已整改", "outcome": "cannot_complete", "explanation": "当事窗口人员已调离，无法当面致歉。"}
    order = engine.apply_transition(order, "reply", world["users"]["liaison"], values=answer)
    clock.refresh_from_db()
    assert clock.status == Deadline.Status.DONE
    order = engine.apply_transition(order, "revisit_unsatisfied", world["users"]["hotline"], comment="未解决")
    again = _clock(order, "work_order_complaint_reopened")
    assert again.status == Deadline.Status.RUNNING and again.started_at > clock.started_at


# -- 即办件: done the same working day -------------------------------------------------------------------------


def test_an_immediate_matter_runs_a_same_day_clock_to_the_close_of_the_working_day(world) -> None:
    matter = world["immediate"][0]
    app = make_application(matter, user=world["users"]["clerk"], submitted_at=at(2025, 9, 30, 10, 0))
    clock = _clock(app, "application_same_day")
    assert (clock.started_at, clock.due_at) == (at(2025, 9, 30, 10, 0), at(2025, 9, 30, 17, 30))
    assert clock.yellow_at == at(2025, 9, 30, 16, 30)
    evening = make_application(matter, user=world["users"]["clerk"], submitted_at=at(2025, 9, 30, 18, 5))
    assert _clock(evening, "application_same_day").due_at == at(2025, 10, 9, 17, 30)  # after National Day
    sunday = make_application(matter, user=world["users"]["clerk"], submitted_at=at(2025, 9, 28, 8, 0))
    assert _clock(sunday, "application_same_day").due_at == at(2025, 9, 28, 17, 30)  # a make-up working day
    promised = make_application(world["promised"][0], user=world["users"]["clerk"])
    assert not Deadline.objects.filter(doc_id=promised.pk, policy__name="application_same_day").exists()

    sweep(now=at(2025, 9, 30, 17, 31))
    clock.refresh_from_db()
    assert clock.light == Deadline.Light.RED
    assert SupervisionNotice.objects.filter(deadline=clock).count() == 1
    # Decided at the window, the clock runs on; issued, it stops (late, as the record keeps).
    app = engine.apply_transition(
        app, "approve_immediately", world["users"]["clerk"], values={"decision_reason": "符合条件"}
    )
    assert _clock(app, "application_same_day").status == Deadline.Status.RUNNING
    services.follow(
        app, user=None, to_state="licence_issued", action="issue_licence", is_final=False, now=at(2025, 9, 30, 17, 40)
    )
    clock.refresh_from_db()
    assert (clock.status, clock.light, clock.finished_at) == (
        Deadline.Status.DONE,
        Deadline.Light.RED,
        at(2025, 9, 30, 17, 40),
    )


def test_an_immediate_matter_sent_back_and_resubmitted_runs_again_from_the_resubmission(world) -> None:
    matter = world["immediate"][0]
    clerk = world["users"]["clerk"]
    app = make_application(matter, user=clerk, submitted_at=at(2025, 9, 30, 10, 0))
    first = _clock(app, "application_same_day")
    app = engine.apply_transition(app, "notify_incomplete", clerk, comment="请补齐经营场所证明")
    first.refresh_from_db()
    assert first.status == Deadline.Status.DONE
    app = engine.apply_transition(app, "resubmit", clerk)
    again = Deadline.objects.filter(doc_id=app.pk, policy__name="application_same_day").exclude(pk=first.pk).get()
    assert again.started_at > first.finished_at - timedelta(seconds=1)  # now, not the first receipt of 2025
    assert again.due_at > again.started_at and again.light == Deadline.Light.GREEN


def test_a_material_in_hand_before_receipts_were_stamped_came_with_its_application(world) -> None:
    app = make_application(world["promised"][0], user=world["users"]["clerk"])
    app = engine.apply_transition(app, "accept", world["users"]["clerk"])
    ApplicationMaterial.objects.filter(application=app).update(received_at=None)  # as before migration 0013
    table = list(app.materials.all())
    held = next(row for row in table if row.received)
    held.note = "原件已核对"
    save_rows(app, ApplicationMaterial, changed=[held], table=table, user=world["users"]["clerk"])
    held.refresh_from_db()
    assert held.received_at == app.submitted_at  # not the instant of this later edit
