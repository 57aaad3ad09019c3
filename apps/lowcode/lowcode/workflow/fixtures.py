"""Workflow fixtures: an app ships its workflows in fixtures/workflow.json.

A shipped workflow is applied when new, and updated when the app's definition changes — unless an
administrator has edited it in the desk since (its stored definition no longer matches the fingerprint
of what was last shipped): then the site's version is kept, and the sync says so.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction

from lowcode.core.fixtures import FixtureError, fingerprint
from lowcode.core.models import Role
from lowcode.workflow.active import writing_whole
from lowcode.workflow.definition import validate_definition
from lowcode.workflow.models import Workflow, WorkflowState, WorkflowTransition

logger = logging.getLogger(__name__)

STATE_DEFAULTS = {
    "label_en": "",
    "colour": "info",
    "is_initial": False,
    "is_final": False,
    "edit_roles": [],
    "approval_mode": "",
    "approval_groups_field": "",
    "approvals_required": 0,
    "approval_roles": [],
}
TRANSITION_DEFAULTS = {
    "label_en": "",
    "condition": "",
    "require_comment": False,
    "required_fields": [],
    "allow_self_approval": True,
    "bypass_approvals": False,
    "effects": [],
}


def _canonical(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "doctype": record["document_type"],
        "state_field": record.get("state_field", "status"),
        "description": record.get("description", ""),
        "states": [{**STATE_DEFAULTS, **s} for s in record["states"]],
        "transitions": [{**TRANSITION_DEFAULTS, **t} for t in record["transitions"]],
    }


def stored_definition(workflow: Workflow) -> dict[str, Any]:
    return {
        "doctype": workflow.doctype,
        "state_field": workflow.state_field,
        "description": workflow.description,
        "states": [
            {
                "name": s.name,
                "label_zh": s.label_zh,
                "label_en": s.label_en,
                "colour": s.colour,
                "is_initial": s.is_initial,
                "is_final": s.is_final,
                "edit_roles": sorted(r.name for r in s.edit_roles.all()),
                "approval_mode": s.approval_mode,
                "approval_groups_field": s.approval_groups_field,
                "approvals_required": s.approvals_required,
                "approval_roles": sorted(r.name for r in s.approval_roles.all()),
            }
            for s in workflow.states.order_by("idx", "id")
        ],
        "transitions": [
            {
                "from_state": t.from_state,
                "action": t.action,
                "label_zh": t.label_zh,
                "label_en": t.label_en,
                "to_state": t.to_state,
                "roles": sorted(r.name for r in t.roles.all()),
                "condition": t.condition,
                "require_comment": t.require_comment,
                "required_fields": t.required_field_names,
                "allow_self_approval": t.allow_self_approval,
                "bypass_approvals": t.bypass_approvals,
                "effects": t.effects,
            }
            for t in workflow.transitions.order_by("idx", "id")
        ],
    }


def _normalised(definition: dict[str, Any]) -> dict[str, Any]:
    """Role lists sorted, so the fixture's order and the database's compare equal."""
    out = json.loads(json.dumps(definition))
    for s in out["states"]:
        s["edit_roles"] = sorted(s["edit_roles"])
        s["approval_roles"] = sorted(s["approval_roles"])
    for t in out["transitions"]:
        t["roles"] = sorted(t["roles"])
    return out


@transaction.atomic
def workflow_upsert(record: dict[str, Any]) -> str:
    name = record.get("name")
    if not name:
        raise FixtureError(f"Workflow fixture without a name: {record.get('document_type')}")
    definition = _normalised(_canonical(record))
    errors = validate_definition(
        definition["doctype"], definition["state_field"], definition["states"], definition["transitions"]
    )
    if errors:
        raise FixtureError(f"workflow {name!r} is unsound: " + "; ".join(errors))
    wanted = fingerprint(definition)
    workflow = Workflow.objects.filter(name=name).first()
    if workflow is not None:
        current = fingerprint(_normalised(stored_definition(workflow)))
        if current == wanted:
            if workflow.fixture_hash != wanted:
                Workflow.objects.filter(pk=workflow.pk).update(fixture_hash=wanted)
            return "unchanged"
        if workflow.fixture_hash and current != workflow.fixture_hash:
            logger.warning("workflow %r was edited on this site; the shipped version is not applied", name)
            return "unchanged"
    roles = {r.name: r for r in Role.objects.all()}
    created = workflow is None
    if created:
        workflow = Workflow(name=name)
    workflow.doctype = definition["doctype"]
    conflicts = workflow.active_conflicts()
    if conflicts:
        raise FixtureError(f"workflow {name!r}: " + "; ".join(p.message for p in conflicts))
    workflow.state_field = definition["state_field"]
    workflow.description = definition["description"]
    workflow.fixture_hash = wanted
    workflow.save()
    with writing_whole(workflow):
        workflow.states.all().delete()
        workflow.transitions.all().delete()
        for idx, s in enumerate(definition["states"]):
            state = WorkflowState.objects.create(
                workflow=workflow, idx=idx, **{k: v for k, v in s.items() if k not in ("edit_roles", "approval_roles")}
            )
            state.edit_roles.set([roles[r] for r in s["edit_roles"]])
            state.approval_roles.set([roles[r] for r in s["approval_roles"]])
        for idx, t in enumerate(definition["transitions"]):
            values = {k: v for k, v in t.items() if k != "roles"}
            values["required_fields"] = ",".join(t["required_fields"])
            transition = WorkflowTransition.objects.create(workflow=workflow, idx=idx, **values)
            transition.roles.set([roles[r] for r in t["roles"]])
    return "created" if created else "updated"
