"""The domain workflows, through the one engine: who may take which action, conditions, comments and
required fields, self-approval, joint approval (N of M), and two clerks acting at once."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from django.db import close_old_connections
from django.utils import translation

from gov_services.gov_services.codes import IdType
from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.models import Application, Department, Handover, JointReviewOpinion, Matter, SpecialProcedure
from lowcode.workflow import engine
from lowcode.workflow.models import Workflow, WorkflowAction, WorkflowApproval, WorkflowState
from tests.gov_services.factories import catalogue, make_application, make_user

ROLES = [
    "Applicant",
    "Window Clerk",
    "Department Reviewer",
    "Department Liaison",
    "Issuing Clerk",
    "Hotline Agent",
    "Supervisor",
    "System Manager",
]
VALUES = {"decision_reason": "经审查，符合法定条件。", "delivery_method": "pickup"}


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    by_code = {m.implementation_code.rsplit("0", 1)[-1]: m for m in matters}
    users = {}
    for dept in departments.values():
        for role in ("Department Reviewer", "Department Liaison"):
            users[(role, dept.pk)] = make_user(f"{role.split()[1].lower()}-{dept.pk}", role, dept)
    for role in ("Window Clerk", "Issuing Clerk", "Hotline Agent", "Supervisor", "System Manager"):
        users[(role, None)] = make_user(role.lower().replace(" ", "-"), role, departments["centre"])
    users[("Applicant", None)] = make_user("citizen", "Applicant")
    with translation.override("en"):
        yield {"departments": departments, "matters": by_code, "users": users}


def _user(world, role: str, app: Application):
    key = (role, app.department_id) if role.startswith("Department") else (role, None)
    return world["users"][key]


def _matter_for(world, t) -> Matter:
    m = world["matters"]
    if t.action == "approve_immediately":
        return m["GTSL"]  # 个体工商户设立登记: 即办件
    if t.action.startswith("record_higher"):
        return m["DLYS"]  # 上报件
    if t.from_state == "joint_review" or t.action == "start_joint_review":
        return m["GCGH"]  # 联办件 with a co-department
    if t.from_state == "approved" and t.action == "hand_over_result":
        return m["GTZX"]  # issues no licence
    return m["SPJY"]


def _prepare(world, t) -> Application:
    clerk = world["users"][("Window Clerk", None)]
    app = make_application(
        _matter_for(world, t),
        user=clerk,
        applicant_user=world["users"][("Applicant", None)],
        channel="online" if t.action == "start_pre_review" else "window",
    )
    Application.objects.filter(pk=app.pk).update(status=t.from_state)
    app.refresh_from_db()
    if t.action == "issue_licence":
        licence_issue(
            licence_type=app.matter.licence_type,
            issuer=app.department,
            holder_name=app.applicant_name,
            holder_id_type=IdType.RESIDENT_ID,
            holder_id_number=app.id_number,
            issued_on=date(2026, 3, 2),
            application=app,
            user=None,
        )
    if t.action == "start_special_procedure":
        # The procedure as recorded (its controller would take this transition itself; here the matrix does).
        SpecialProcedure.objects.create(
            application=app,
            department=app.department,
            kind=SpecialProcedure.Kind.SITE_INSPECTION,
            reason="现场核查",
            expected_days=5,
            started_at=app.submitted_at,
        )
    if t.from_state == "joint_review" and not t.bypass_approvals:
        for dept in app.co_departments.all():
            WorkflowApproval.objects.create(
                doctype="Application",
                doc_id=str(app.pk),
                state="joint_review",
                round=1,
                group=str(dept.pk),
                user=clerk,
                at=app.submitted_at,
            )
    return app


def _snapshot(app: Application) -> tuple:
    fresh = Application.objects.get(pk=app.pk)
    audit = WorkflowAction.objects.filter(doctype="Application", doc_id=str(app.pk)).count()
    return (
        fresh.status,
        fresh.accepted_at,
        fresh.decided_at,
        fresh.completed_at,
        fresh.archived_at,
        fresh.decision_reason,
        fresh.delivery_method,
        fresh.modified_at,
        audit,
    )


def test_role_by_transition_matrix_of_the_application_workflow(world, django_capture_on_commit_callbacks) -> None:
    workflow = Workflow.objects.get(doctype="Application")
    transitions = list(workflow.transitions.prefetch_related("roles"))
    assert len(transitions) == 34
    allowed_pairs = refused_pairs = 0
    for t in transitions:
        allowed = {r.name for r in t.roles.all()}
        app = _prepare(world, t)
        for role in ROLES:
            if role in allowed:
                continue
            before = _snapshot(app)
            with pytest.raises(engine.WorkflowError), django_capture_on_commit_callbacks(execute=True) as callbacks:
                engine.apply_transition(app, t.action, _user(world, role, app), comment="意见", values=VALUES)
            assert _snapshot(app) == before, (t.action, role)
            assert callbacks == [], (t.action, role)  # no side effect went out
            refused_pairs += 1
        for role in sorted(allowed):
            target = _prepare(world, t)
            user = _user(world, role, target)
            with django_capture_on_commit_callbacks(execute=True):
                try:
                    engine.apply_transition(target, t.action, user, comment="意见", values=VALUES)
                except engine.WorkflowError as exc:
                    raise AssertionError(f"{t.action} by {role}: {exc}") from exc
            target.refresh_from_db()
            assert target.status == t.to_state, (t.action, role)
            entry = WorkflowAction.objects.get(doctype="Application", doc_id=str(target.pk))
            assert (entry.action, entry.from_state, entry.to_state, entry.user_id, entry.comment) == (
                t.action,
                t.from_state,
                t.to_state,
                user.pk,
                "意见",
            )
            allowed_pairs += 1
    assert (allowed_pairs, refused_pairs) == (
        sum(t.roles.count() for t in transitions),
        len(transitions) * len(ROLES) - sum(t.roles.count() for t in transitions),
    )


def test_set_field_effects_record_the_dates(world) -> None:
    clerk = world["users"][("Window Clerk", None)]
    app = make_application(world["matters"]["SPJY"], user=clerk)
    engine.apply_transition(app, "accept", clerk)
    app.refresh_from_db()
    assert app.status == "accepted"
    assert app.accepted_at is not None


def test_conditions_decide_which_actions_exist(world) -> None:
    clerk = world["users"][("Window Clerk", None)]
    window = make_application(world["matters"]["SPJY"], user=clerk, channel="window")
    online = make_application(world["matters"]["SPJY"], user=clerk, channel="online")
    immediate = make_application(world["matters"]["GTSL"], user=clerk)

    def actions(app):
        return {a.transition.action for a in engine.available_transitions(app, clerk)}

    assert "start_pre_review" not in actions(window)
    assert "start_pre_review" in actions(online)
    assert "approve_immediately" in actions(immediate)
    assert "approve_immediately" not in actions(window)
    with pytest.raises(engine.WorkflowError, match=re.escape("The condition of “Start pre-review” is not met.")):
        engine.apply_transition(window, "start_pre_review", clerk)
    assert Application.objects.get(pk=window.pk).status == "submitted"


def test_required_comment_and_fields(world) -> None:
    clerk = world["users"][("Window Clerk", None)]
    app = make_application(world["matters"]["SPJY"], user=clerk)

    with pytest.raises(engine.WorkflowError, match=re.escape("“Issue a one-time notice” needs a comment.")):
        engine.apply_transition(app, "notify_incomplete", clerk, comment="  ")
    with pytest.raises(
        engine.WorkflowError, match=re.escape("Fill in before “Refuse to accept”: reasons of the decision")
    ):
        engine.apply_transition(app, "reject", clerk)
    assert Application.objects.get(pk=app.pk).status == "submitted"

    engine.apply_transition(app, "reject", clerk, values={"decision_reason": "不属于本机关职权范围。"})
    app.refresh_from_db()
    assert (app.status, app.decision_reason) == ("not_accepted", "不属于本机关职权范围。")


def test_self_approval_is_refused_where_the_workflow_says_so(world) -> None:
    departments = world["departments"]
    reviewer = world["users"][("Department Reviewer", departments["market"].pk)]
    other = make_user("second-reviewer", "Department Reviewer", departments["market"])
    app = make_application(world["matters"]["SPJY"], user=world["users"][("Window Clerk", None)])
    handover = handover_create(
        kind=Handover.Kind.RESULTS, department=departments["market"], applications=[app], user=reviewer
    )
    handover = engine.apply_transition(handover, "send", reviewer)

    with pytest.raises(
        engine.WorkflowError, match=re.escape("You created this record, so someone else must take “Sign for”.")
    ):
        engine.apply_transition(handover, "sign", reviewer)
    assert Handover.objects.get(pk=handover.pk).status == "sent"

    engine.apply_transition(Handover.objects.get(pk=handover.pk), "sign", other)
    handover.refresh_from_db()
    assert (handover.status, handover.signed_by) == ("signed", other)


def test_two_of_three_departments_approve_a_joint_review(world) -> None:
    departments = world["departments"]
    state = WorkflowState.objects.get(workflow__doctype="Application", name="joint_review")
    # the engine's joint approval (会签) an administrator may add to a state, here N of the co-departments
    state.approval_mode, state.approvals_required = WorkflowState.ApprovalMode.N_OF_M, 2
    state.approval_groups_field = "co_departments"
    state.save()
    matter = world["matters"]["GCGH"]
    matter.co_departments.set([departments["housing"], departments["market"], departments["health"]])
    planning_reviewer = world["users"][("Department Reviewer", departments["planning"].pk)]
    app = make_application(matter, user=world["users"][("Window Clerk", None)])
    Application.objects.filter(pk=app.pk).update(status="under_review")
    app.refresh_from_db()
    engine.apply_transition(app, "start_joint_review", planning_reviewer)
    app.refresh_from_db()

    with pytest.raises(
        engine.WorkflowError, match=re.escape("Joint approval is not complete: 0 of 2 required approvals are in.")
    ):
        engine.apply_transition(app, "finish_joint_review", planning_reviewer)
    with pytest.raises(
        engine.WorkflowError, match=re.escape("You do not approve for any of the groups this record needs.")
    ):
        engine.record_approval(app, planning_reviewer)

    housing = world["users"][("Department Reviewer", departments["housing"].pk)]
    engine.record_approval(app, housing, "同意")
    with pytest.raises(engine.WorkflowError, match=re.escape("Your group has already approved this record.")):
        engine.record_approval(app, housing)
    with pytest.raises(engine.WorkflowError, match=re.escape("1 of 2 required approvals are in.")):
        engine.apply_transition(app, "finish_joint_review", planning_reviewer)

    engine.record_approval(app, world["users"][("Department Reviewer", departments["health"].pk)], "同意")
    for pk in JointReviewOpinion.objects.filter(application=app).values_list("pk", flat=True):  # and the opinions
        opinion = JointReviewOpinion.objects.get(pk=pk)  # in order: an agreement opens the next step's
        engine.apply_transition(opinion, "agree", None, values={"opinion": "同意"}, as_system=True)
    engine.apply_transition(app, "finish_joint_review", planning_reviewer)
    app.refresh_from_db()
    assert app.status == "under_review"
    approvals = WorkflowApproval.objects.filter(doctype="Application", doc_id=str(app.pk))
    assert sorted(approvals.values_list("group", flat=True)) == sorted(
        [str(departments["housing"].pk), str(departments["health"].pk)]
    )

    # Entering the state again starts a new round: the old approvals do not count.
    engine.apply_transition(app, "start_joint_review", planning_reviewer)
    app.refresh_from_db()
    assert "0 of 2" in engine.approvals_outstanding("Application", app, state)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_exactly_one_wins() -> None:
    _, matters = catalogue()
    matter = next(m for m in matters if m.name == "食品经营许可（新办）")
    clerk_a = make_user("clerk-a", "Window Clerk", Department.objects.get(name="镇江市政务服务管理办公室"))
    clerk_b = make_user("clerk-b", "Window Clerk", Department.objects.get(name="镇江市政务服务管理办公室"))
    app = make_application(matter, user=clerk_a)
    copies = [Application.objects.get(pk=app.pk), Application.objects.get(pk=app.pk)]  # both see "submitted"
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name, doc, user, action, **kw):
        try:
            barrier.wait(10)
            engine.apply_transition(doc, action, user, **kw)
            outcomes[name] = "won"
        except engine.WorkflowError as exc:
            outcomes[name] = str(exc)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=act, args=("accept", copies[0], clerk_a, "accept")),
        threading.Thread(
            target=act,
            args=("reject", copies[1], clerk_b, "reject"),
            kwargs={"values": {"decision_reason": "不属于本机关职权范围。"}},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes.values()).count("won") == 1
    loser = next(v for v in outcomes.values() if v != "won")
    assert loser.startswith("此记录刚刚已被他人办理，当前状态为“")  # threads speak the site's language
    final = Application.objects.get(pk=app.pk)
    winner = next(k for k, v in outcomes.items() if v == "won")
    assert final.status == {"accept": "accepted", "reject": "not_accepted"}[winner]
    assert WorkflowAction.objects.filter(doctype="Application", doc_id=str(app.pk)).count() == 1
