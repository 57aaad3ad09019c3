"""What the desk shows of a workflow on a record: its state, the actions the user may take now, the joint
approvals, and the timeline of transitions."""

from __future__ import annotations

from typing import Any

from django.db import models

from lowcode.core import registry
from lowcode.workflow import engine
from lowcode.workflow.models import Workflow, WorkflowAction, WorkflowApproval

COLOURS = {c: c for c in ("info", "success", "warning", "danger", "primary")}


def state_badge(doc: models.Model, workflow: Workflow | None = None) -> tuple[str, str] | None:
    """(colour, label) of the document's workflow state, or None without a workflow. Pass the workflow
    when showing many documents of one DocType, so it is read once."""
    workflow = workflow or engine.workflow_for(type(doc))
    if workflow is None:
        return None
    value = getattr(doc, workflow.state_field)
    state = next((s for s in _states(workflow) if s.name == value), None)
    return (state.colour, state.label) if state else ("info", str(value))


def _states(workflow: Workflow) -> list[Any]:
    cache = getattr(workflow, "_states_cache", None)
    if cache is None:
        cache = list(workflow.states.all())
        workflow._states_cache = cache  # type: ignore[attr-defined]
    return cache


def panel(doc: models.Model, user: Any) -> dict[str, Any] | None:
    workflow = engine.workflow_for(type(doc))
    doctype = registry.for_model(type(doc))
    if workflow is None or doctype is None:
        return None
    current = getattr(doc, workflow.state_field)
    state = next((s for s in _states(workflow) if s.name == current), None)
    approval = None
    if state is not None and state.approval_mode:
        groups = engine.approval_groups(state, doc)
        done = engine.approvals(doctype.name, doc, state)
        mine = engine.user_groups(user, state) & set(groups)
        approval = {
            "groups": [{"group": g, "label": _group_label(state, doc, g), "approval": done.get(g)} for g in groups],
            "outstanding": engine.approvals_outstanding(doctype.name, doc, state),
            "can_approve": bool(mine - set(done)),
        }
    timeline: list[dict[str, Any]] = [
        {
            "at": a.at,
            "user": a.user,
            "label": a.action_label,
            "from": _label(workflow, a.from_state),
            "to": _label(workflow, a.to_state),
            "comment": a.comment,
            "kind": "action",
        }
        for a in WorkflowAction.objects.filter(doctype=doctype.name, doc_id=str(doc.pk)).select_related("user")
    ]
    timeline += [
        {
            "at": a.at,
            "user": a.user,
            "label": "",
            "group": _group_label(state, doc, a.group) if state else a.group,
            "comment": a.comment,
            "kind": "approval",
        }
        for a in WorkflowApproval.objects.filter(doctype=doctype.name, doc_id=str(doc.pk)).select_related("user")
    ]
    timeline.sort(key=lambda row: row["at"], reverse=True)
    return {
        "workflow": workflow,
        "state": state,
        "state_value": current,
        "actions": engine.available_transitions(doc, user),
        "approval": approval,
        "timeline": timeline,
    }


def _label(workflow: Workflow, name: str) -> str:
    state = next((s for s in _states(workflow) if s.name == name), None)
    return state.label if state else name


def _group_label(state: Any, doc: models.Model, group: str) -> str:
    if state is not None and state.approval_groups_field:
        field = doc._meta.get_field(state.approval_groups_field)
        target = field.related_model
        if target is not None:
            obj = target._default_manager.filter(pk=group).first()
            return str(obj) if obj else group
    return group
