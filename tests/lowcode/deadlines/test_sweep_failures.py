"""A yellow or red action that fails in the sweep is never swallowed: it is logged with its traceback, recorded
against its deadline, counted, and listed in the supervisor's overview — while the light is still set and the
rest of the batch goes on. Sweeping again records nothing twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gov_services.models import Application
from lowcode.deadlines import services
from lowcode.deadlines.models import Deadline, DeadlineActionFailure
from lowcode.deadlines.sweep import sweep
from lowcode.workflow import engine
from lowcode.workflow.checks import check_workflows
from lowcode.workflow.models import Workflow, WorkflowAction, WorkflowTransition
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

pytestmark = pytest.mark.django_db

ACTIONS_LOGGER = "lowcode.deadlines.actions"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    make_user("supervisor", "Supervisor", departments["centre"])
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    apps = []
    for name in ("李雷", "韩梅梅"):
        app = make_application(matter, user=clerk, applicant_name=name)
        apps.append(engine.apply_transition(app, "accept", clerk))
    with translation.override("en"):
        yield {"clerk": clerk, "apps": apps}


def _window(app: Application) -> Deadline:
    return next(d for d in services.open_deadlines(app) if d.policy.name == "application_supplement_window")


def _deem_accepted() -> WorkflowTransition:
    return WorkflowTransition.objects.get(workflow__name="办件审批流程", action="deem_accepted")


def _states(*apps: Application) -> list[str]:
    return [Application.objects.get(pk=a.pk).status for a in apps]


def test_a_refused_deemed_acceptance_is_logged_recorded_and_shown_to_the_supervisor(world, caplog) -> None:
    refused, taken = world["apps"]
    transition = _deem_accepted()
    transition.condition = "doc.applicant_name != '李雷'"  # the workflow now refuses it for one of the two
    transition.save(update_fields=["condition"])
    window = _window(refused)
    due = max(window.due_at, _window(taken).due_at)
    caplog.set_level(logging.ERROR, logger=ACTIONS_LOGGER)

    counts = sweep(now=due + timedelta(seconds=1))

    assert counts == {"yellow": 0, "red": 2, "notices": 0, "failed": 1}
    assert _states(refused, taken) == ["accepted", "under_review"]  # the batch went on past the refusal
    window.refresh_from_db()
    assert window.light == Deadline.Light.RED and window.status == Deadline.Status.RUNNING
    failure = DeadlineActionFailure.objects.get()
    assert failure.deadline == window and failure.light == Deadline.Light.RED
    assert failure.action == {"type": "transition", "action": "deem_accepted"}
    assert failure.error == "The condition of “Deemed accepted” is not met."
    assert failure.failed_at == due + timedelta(seconds=1)
    assert failure.summary == "transition deem_accepted"
    logged = [r for r in caplog.records if r.name == ACTIONS_LOGGER]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR and logged[0].exc_info is not None
    assert f"deadline {window.pk}: the workflow action" in logged[0].getMessage()
    assert not WorkflowAction.objects.filter(doc_id=str(refused.pk), action="deem_accepted").exists()

    # Idempotent: the light is set, so the next sweep neither retries nor records the failure again.
    assert sweep(now=due + timedelta(hours=1)) == {"yellow": 0, "red": 0, "notices": 0, "failed": 0}
    assert DeadlineActionFailure.objects.count() == 1

    supervisor = Client()
    assert supervisor.login(username="supervisor", password=PASSWORD)
    page = supervisor.get(reverse("desk_supervision_overview")).content.decode()
    assert 'id="failed-actions"' in page
    assert "自动操作失败：1 项" in page  # the desk speaks Chinese; the error is kept as the sweep wrote it
    assert refused.number in page and "transition deem_accepted" in page
    assert "The condition of “Deemed accepted” is not met." in page

    # Once someone handles the document by hand, its clock stops and the overview no longer lists it.
    engine.apply_transition(Application.objects.get(pk=refused.pk), "start_review", None, as_system=True)
    page = supervisor.get(reverse("desk_supervision_overview")).content.decode()
    assert 'id="failed-actions"' not in page
    assert DeadlineActionFailure.objects.count() == 1  # the record stays with its deadline


def test_an_action_that_raises_is_recorded_with_its_kind_and_the_stored_metadata_is_reported(world, caplog) -> None:
    first, second = world["apps"]
    transition = _deem_accepted()
    transition.required_fields = "inspection_report"  # a row write: a field Application does not have
    transition.save(update_fields=["required_fields"])
    caplog.set_level(logging.ERROR, logger=ACTIONS_LOGGER)
    due = max(_window(first).due_at, _window(second).due_at)

    counts = sweep(now=due + timedelta(seconds=1))

    assert counts == {"yellow": 0, "red": 2, "notices": 0, "failed": 2}
    assert _states(first, second) == ["accepted", "accepted"]
    errors = set(DeadlineActionFailure.objects.values_list("deadline__doc_id", "error"))
    expected = "AttributeError: 'Application' object has no attribute 'inspection_report'"
    assert errors == {(first.pk, expected), (second.pk, expected)}
    assert len([r for r in caplog.records if r.name == ACTIONS_LOGGER and r.exc_info]) == 2
    # The same broken metadata, as `manage.py check` reports it.
    assert [(m.id, m.obj) for m in check_workflows()] == [
        ("lowcode_workflow.E011", Workflow.objects.get(name="办件审批流程"))
    ]
