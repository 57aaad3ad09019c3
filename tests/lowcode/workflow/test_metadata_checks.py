"""Workflows and the deadline policies that follow them are checked when saved and by `manage.py check`: a
workflow printing a format or running an effect that does not exist, a deadline action naming a workflow
action the workflow lacks, and a second active workflow on one DocType are each refused on save with their
reason, and — when the metadata went bad afterwards — reported by the system check under their own ID, with
the offending row as `obj` and a hint."""

from __future__ import annotations

import copy

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils import translation

from lowcode.core.fixtures import FixtureError, load_records, sync_fixtures
from lowcode.deadlines.checks import check_deadline_policies
from lowcode.deadlines.fixtures import policy_upsert
from lowcode.deadlines.models import DeadlinePolicy
from lowcode.printing.models import PrintFormat
from lowcode.workflow.checks import check_workflows
from lowcode.workflow.fixtures import stored_definition, workflow_upsert
from lowcode.workflow.models import Workflow, WorkflowTransition

pytestmark = pytest.mark.django_db

APPLICATION_FLOW = "办件审批流程"


@pytest.fixture(autouse=True)
def shipped():
    sync_fixtures()
    with translation.override("en"):  # the reasons as an English-speaking administrator reads them
        yield


def _shipped(name: str, doctype: str = "Workflow") -> dict:
    return copy.deepcopy(next(r for r in load_records(doctype) if r["name"] == name))


def _ours(messages: list[checks.CheckMessage]) -> list[tuple[str, str]]:
    """(id, obj) of the platform's metadata checks, in the order reported."""
    return [(m.id, str(m.obj)) for m in messages if m.id and m.id.startswith("lowcode")]


def _flow() -> Workflow:
    return Workflow.objects.get(name=APPLICATION_FLOW)


def test_the_shipped_metadata_passes_every_check() -> None:
    assert [(m.id, str(m.obj), m.msg) for m in checks.run_checks() if m.level >= checks.WARNING] == []


# -- a print format or an effect that does not exist -------------------------------------------------------------


def test_a_workflow_printing_a_format_that_does_not_exist_is_refused_when_saved() -> None:
    before = stored_definition(_flow())
    record = _shipped(APPLICATION_FLOW)
    supplement = next(t for t in record["transitions"] if t["action"] == "request_supplement")
    supplement["effects"] = [{"type": "print", "format": "不存在的通知书"}]
    with pytest.raises(FixtureError) as refused:
        workflow_upsert(record)
    assert (
        "accepted —request_supplement→ supplement_requested: print: there is no print format “不存在的通知书”."
        in str(refused.value)
    )
    assert stored_definition(_flow()) == before  # nothing saved


def test_a_print_format_removed_or_disabled_after_the_workflow_was_saved_is_reported_by_check() -> None:
    PrintFormat.objects.filter(name="补正通知书").delete()  # a row write: the workflow still names it
    PrintFormat.objects.filter(name="一次性告知单").update(disabled=True)
    found = check_workflows()
    assert [(m.id, m.obj) for m in found] == [
        ("lowcode_printing.E004", _flow()),  # notify_incomplete from submitted
        ("lowcode_printing.E004", _flow()),  # … and from pre_review
        ("lowcode_printing.E003", _flow()),  # request_supplement
    ]
    missing = found[2]
    assert missing.msg == (
        "accepted —request_supplement→ supplement_requested: print: there is no print format “补正通知书”."
    )
    assert missing.hint == "Create the print format (or restore it), or name an existing one."
    assert found[0].msg == (
        "submitted —notify_incomplete→ one_time_notice: print: the print format “一次性告知单” is disabled."
    )
    assert _ours(checks.run_checks()) == [(m.id, APPLICATION_FLOW) for m in found]


def test_a_print_format_of_another_doctype_is_refused() -> None:
    record = _shipped(APPLICATION_FLOW)
    accept = next(t for t in record["transitions"] if t["action"] == "accept")
    accept["effects"] = [{"type": "print", "format": "材料交接表"}]  # a Handover's format
    with pytest.raises(FixtureError) as refused:
        workflow_upsert(record)
    assert "print: the print format “材料交接表” prints Handover, not Application." in str(refused.value)


def test_an_effect_that_does_not_exist_is_refused_when_saved_and_reported_when_stored() -> None:
    record = _shipped(APPLICATION_FLOW)
    accept = next(t for t in record["transitions"] if t["action"] == "accept")
    accept["effects"] = [{"type": "send_fax"}]
    with pytest.raises(FixtureError) as refused:
        workflow_upsert(record)
    assert "submitted —accept→ accepted: unknown side effect 'send_fax'" in str(refused.value)

    # Stored rows gone bad: an effect type nobody registers, and a set_field of a field the model lost.
    transition = WorkflowTransition.objects.get(workflow=_flow(), from_state="submitted", action="accept")
    transition.effects = [{"type": "send_fax"}, {"type": "set_field", "field": "faxed_at", "value": "now"}]
    transition.save(update_fields=["effects"])
    found = check_workflows()
    assert [(m.id, m.obj) for m in found] == [
        ("lowcode_workflow.E013", _flow()),
        ("lowcode_workflow.E015", _flow()),
    ]
    assert found[0].msg.startswith("submitted —accept→ accepted: unknown side effect 'send_fax' (known: ")
    assert found[1].msg == "submitted —accept→ accepted: set_field: Application has no field 'faxed_at'"
    assert found[1].hint == "The field was removed or renamed: name an existing field, or drop the effect."


# -- two active workflows on one DocType --------------------------------------------------------------------------


def test_a_second_active_workflow_on_a_doctype_is_refused_when_saved() -> None:
    record = {**_shipped(APPLICATION_FLOW), "name": "办件审批流程（新版）"}
    with pytest.raises(FixtureError) as refused:
        workflow_upsert(record)
    assert "Application already follows the active workflow “办件审批流程”" in str(refused.value)
    assert not Workflow.objects.filter(name="办件审批流程（新版）").exists()

    with pytest.raises(ValidationError) as refused:
        Workflow(name="草稿流程", doctype="Application", is_active=True).full_clean()
    assert refused.value.message_dict["is_active"] == [
        "Application already follows the active workflow “办件审批流程”; a DocType has one active workflow."
    ]
    Workflow(name="草稿流程", doctype="Application", is_active=False).full_clean()  # an inactive one may wait


def test_two_active_workflows_on_one_doctype_are_reported_by_check() -> None:
    Workflow.objects.filter(name=APPLICATION_FLOW).update(is_active=False)
    workflow_upsert({**_shipped(APPLICATION_FLOW), "name": "办件审批流程（新版）"})  # sound, and alone while saved
    Workflow.objects.filter(name=APPLICATION_FLOW).update(is_active=True)  # a row write: now two are active
    found = check_workflows()
    assert [(m.id, str(m.obj)) for m in found] == [
        ("lowcode_workflow.E021", "办件审批流程"),
        ("lowcode_workflow.E021", "办件审批流程（新版）"),
    ]
    assert found[0].msg == (
        "Application already follows the active workflow “办件审批流程（新版）”; a DocType has one active workflow."
    )
    assert found[0].hint == "Deactivate all but one of the workflows of this DocType."


# -- a deadline action naming a workflow action the workflow lacks ------------------------------------------------


def test_a_deadline_action_naming_an_action_the_workflow_lacks_is_refused_when_saved() -> None:
    record = {
        **_shipped("application_supplement_window", "Deadline Policy"),
        "name": "application_teleport",
        "on_red": [{"type": "transition", "action": "teleport"}],
    }
    with pytest.raises(ValidationError) as refused:
        policy_upsert(record)
    assert refused.value.message_dict == {"on_red": ["The workflow has no action teleport to take."]}
    assert not DeadlinePolicy.objects.filter(name="application_teleport").exists()

    twice = {
        **record,
        "on_yellow": [{"type": "supervise", "working_days": 3}],
        "on_red": [{"type": "supervise", "working_days": 2}],
    }
    with pytest.raises(ValidationError) as refused:
        policy_upsert(twice)
    assert refused.value.message_dict == {
        "on_red": ["A deadline opens one supervision notice: name “supervise” once, on yellow or on red."]
    }


def test_a_workflow_action_removed_under_a_deadline_policy_is_reported_by_check() -> None:
    assert check_deadline_policies() == []
    WorkflowTransition.objects.get(workflow=_flow(), action="deem_accepted").delete()
    found = check_deadline_policies()
    policy = DeadlinePolicy.objects.get(name="application_supplement_window")
    assert [(m.id, m.obj) for m in found] == [("lowcode_deadlines.E013", policy)]
    assert found[0].msg == "The workflow has no action deem_accepted to take."
    assert found[0].hint == "The workflow “办件审批流程” has no such action: name one of its actions."
    assert ("lowcode_deadlines.E013", str(policy)) in _ours(checks.run_checks())
