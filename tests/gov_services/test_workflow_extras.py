"""Workflow fixtures, events after a transition, and bulk transitions from the desk list."""

import pytest
from django.test import Client
from django.urls import reverse

from gov_services.models import Application
from lowcode.core.fixtures import sync_fixtures
from lowcode.core.hooks import override_hooks
from lowcode.workflow import engine
from lowcode.workflow.models import Workflow, WorkflowAction, WorkflowState
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.support import handlers

pytestmark = pytest.mark.django_db


def test_shipped_workflows_sync_once_and_an_edited_one_is_kept() -> None:
    first = sync_fixtures()
    assert dict(first["Workflow"]) == {"created": 5}
    assert dict(sync_fixtures()["Workflow"]) == {"unchanged": 5}

    edited = Workflow.objects.get(doctype="Application")
    WorkflowState.objects.filter(workflow=edited, name="archived").update(label_zh="已归档（本站）")
    assert dict(sync_fixtures()["Workflow"]) == {"unchanged": 5}
    assert WorkflowState.objects.get(workflow=edited, name="archived").label_zh == "已归档（本站）"


def test_events_and_after_commit_effects_follow_a_committed_transition(django_capture_on_commit_callbacks) -> None:
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    app = make_application(matters[0], user=clerk)
    handlers.CALLS.clear()
    with override_hooks(
        doc_events={
            "Application": {
                "on_workflow_action": "tests.support.handlers.record",
                "on_update": "tests.support.handlers.record",
            }
        }
    ):
        with django_capture_on_commit_callbacks(execute=False) as pending:
            engine.apply_transition(app, "accept", clerk)
        assert handlers.CALLS == []  # nothing goes out before the commit
        for callback in pending:
            callback()
    assert sorted(event for _, _, event in handlers.CALLS) == ["on_update", "on_workflow_action"]


def test_bulk_transition_from_the_list() -> None:
    departments, matters = catalogue()
    make_user("clerk", "Window Clerk", departments["centre"])
    clerk_client = Client()
    clerk_client.login(username="clerk", password=PASSWORD)
    apps_ = [make_application(matters[0]) for _ in range(3)]
    done = Application.objects.filter(pk=apps_[2].pk)
    done.update(status="archived")

    response = clerk_client.post(
        reverse("admin:gov_services_application_changelist"),
        {"action": "workflow_accept", "_selected_action": [a.pk for a in apps_]},
        follow=True,
    )

    body = response.content.decode()
    assert "已处理 2 条记录。" in body
    assert f"{apps_[2].number}：当前状态“已归档”下不能执行“accept”。" in body
    assert sorted(Application.objects.filter(pk__in=[a.pk for a in apps_]).values_list("status", flat=True)) == [
        "accepted",
        "accepted",
        "archived",
    ]
    assert WorkflowAction.objects.filter(action="accept").count() == 2


def test_a_state_limits_who_edits_the_record() -> None:
    departments, matters = catalogue()
    make_user("clerk", "Window Clerk", departments["centre"])
    client = Client()
    client.login(username="clerk", password=PASSWORD)
    app = make_application(matters[0])
    url = reverse("admin:gov_services_application_change", args=[app.pk])
    assert 'name="phone"' in client.get(url).content.decode()  # submitted: the clerk edits

    Application.objects.filter(pk=app.pk).update(status="archived")  # archived: only System Manager edits
    body = client.get(url).content.decode()
    assert 'name="phone"' not in body
    client.post(url, {"phone": "13000000000", "applicant_name": "改名"})
    assert Application.objects.get(pk=app.pk).phone == app.phone
