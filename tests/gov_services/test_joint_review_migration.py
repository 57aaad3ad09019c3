"""`bench migrate` of a site with joint reviews running (issue 17): migration 0019 keeps a matter's co-departments
(the many-to-many's own rows, now ordered) and asks each running joint review's co-departments for their opinions
— agreed where the department had approved in the state's current round, open for the rest in the matter's
order — so the lead cannot finish a review its co-departments have not answered."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gov_services.gov_services.doctype.matter.services import matter_set_co_departments
from gov_services.models import Application, JointReviewOpinion, MatterCoDepartment
from lowcode.core.documents import save_doc
from lowcode.workflow import engine
from lowcode.workflow.models import WorkflowApproval
from tests.gov_services.factories import catalogue, make_application, make_user

BEFORE = [("gov_services", "0018_delivery_receipt_locker")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_running_joint_reviews_keep_their_co_departments_and_approvals() -> None:
    departments, matters = catalogue()
    planning, housing, market, health = (departments[k] for k in ("planning", "housing", "market", "health"))
    matter = next(m for m in matters if m.department_id == planning.pk)
    matter.joint_mode = "serial"
    save_doc(matter, update_fields=["joint_mode"])
    # Before 0019 a matter's co-departments had the order they were added in: add them afresh in this order.
    matter_set_co_departments(matter=matter, departments=[], user=None)
    matter_set_co_departments(matter=matter, departments=[market, housing, health], user=None)
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    lead = make_user("lead", "Department Reviewer", planning)
    approver = make_user("market", "Department Reviewer", market)
    app = make_application(matter, user=clerk)
    app = engine.apply_transition(app, "accept", clerk)
    app = engine.apply_transition(app, "start_review", lead)
    app = engine.apply_transition(app, "start_joint_review", lead)
    # Before the upgrade the market had approved in the state's joint approval (its current round).
    WorkflowApproval.objects.create(
        doctype="Application",
        doc_id=str(app.pk),
        state="joint_review",
        round=1,
        group=str(market.pk),
        user=approver,
        at=timezone.now(),
        comment="同意，经营范围符合规定。",
    )
    last = max(MigrationExecutor(connection).loader.graph.leaf_nodes("gov_services"))

    _migrate(BEFORE)  # the site as it was: no opinions, an unordered many-to-many
    _migrate([last])

    assert list(MatterCoDepartment.objects.filter(matter=matter).values_list("department_id", "idx")) == [
        (market.pk, 1),
        (housing.pk, 2),
        (health.pk, 3),
    ]
    assert Application.objects.get(pk=app.pk).status == Application.Status.JOINT_REVIEW
    opinions = list(JointReviewOpinion.objects.filter(application_id=app.pk).order_by("step"))
    assert [(o.department_id, o.step, o.status) for o in opinions] == [
        (market.pk, 1, "agreed"),
        (housing.pk, 2, "reviewing"),
        (health.pk, 3, "waiting"),
    ]
    assert (opinions[0].opinion, opinions[0].answered_by_id) == ("同意，经营范围符合规定。", approver.pk)
    with pytest.raises(engine.WorkflowError, match=r"尚未提出意见|have not given their opinion"):
        engine.apply_transition(Application.objects.get(pk=app.pk), "finish_joint_review", lead)
