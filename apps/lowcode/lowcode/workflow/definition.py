"""Is a workflow definition sound? Checked when it is saved in the desk, when fixtures load, and by
`manage.py check` — never discovered by a user who opens a form.

A definition is plain data: states and transitions as dicts, so the desk's unsaved forms and the
fixtures are checked by the same code.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from lowcode.core import registry
from lowcode.core.models import Role
from lowcode.core.problems import Problem
from lowcode.workflow import effects
from lowcode.workflow.expressions import ExpressionError, compile_expression


def validate_definition(
    doctype_name: str, state_field: str, states: list[dict[str, Any]], transitions: list[dict[str, Any]]
) -> list[str]:
    """Every reason the definition is unsound, as the desk and fixtures show it (empty when it is sound)."""
    return [p.message for p in definition_problems(doctype_name, state_field, states, transitions)]


def definition_problems(
    doctype_name: str, state_field: str, states: list[dict[str, Any]], transitions: list[dict[str, Any]]
) -> list[Problem]:
    """Every problem of the definition, each with the ID of its rule (empty when it is sound).

    states: name, is_initial, is_final, approval_mode, approval_groups_field, approvals_required
    transitions: from_state, action, to_state, roles (names), condition, required_fields (list), effects
    """
    errors: list[Problem] = []
    try:
        model = registry.get(doctype_name).model
    except registry.UnknownDocType:
        return [
            Problem(
                "lowcode_workflow.E001",
                _("Unknown DocType “%(doctype)s”.") % {"doctype": doctype_name},
                hint=_("Name a registered DocType, or deactivate the workflow."),
            )
        ]
    try:
        model._meta.get_field(state_field)
    except FieldDoesNotExist:
        errors.append(
            Problem(
                "lowcode_workflow.E002",
                _("%(doctype)s has no field “%(field)s” to hold the state.")
                % {"doctype": doctype_name, "field": state_field},
            )
        )
    names = [s["name"] for s in states]
    if not states:
        return [*errors, Problem("lowcode_workflow.E003", _("A workflow has at least one state."))]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.append(
            Problem("lowcode_workflow.E004", _("States appear twice: %(names)s") % {"names": "、".join(duplicates)})
        )
    initial = [s["name"] for s in states if s.get("is_initial")]
    if len(initial) != 1:
        errors.append(
            Problem(
                "lowcode_workflow.E005",
                _("Exactly one state is the initial state (now: %(count)s).") % {"count": len(initial)},
            )
        )
    known_roles = set(Role.objects.values_list("name", flat=True))
    seen_keys = set()
    for t in transitions:
        where = f"{t['from_state']} —{t['action']}→ {t['to_state']}"
        for end in ("from_state", "to_state"):
            if t[end] not in names:
                errors.append(
                    Problem(
                        "lowcode_workflow.E006",
                        _("Transition %(t)s: there is no state “%(state)s”.") % {"t": where, "state": t[end]},
                    )
                )
        key = (t["from_state"], t["action"])
        if key in seen_keys:
            errors.append(
                Problem(
                    "lowcode_workflow.E007",
                    _("Transition %(t)s: the action appears twice from the same state.") % {"t": where},
                )
            )
        seen_keys.add(key)
        if not t.get("roles"):
            errors.append(Problem("lowcode_workflow.E008", _("Transition %(t)s: no role may take it.") % {"t": where}))
        unknown = sorted(set(t.get("roles") or []) - known_roles)
        if unknown:
            errors.append(
                Problem(
                    "lowcode_workflow.E009",
                    _("Transition %(t)s: unknown roles %(roles)s.") % {"t": where, "roles": "、".join(unknown)},
                )
            )
        if (t.get("condition") or "").strip():
            try:
                compile_expression(t["condition"])
            except ExpressionError as exc:
                errors.append(
                    Problem(
                        "lowcode_workflow.E010",
                        _("Transition %(t)s: the condition is invalid: %(error)s") % {"t": where, "error": exc},
                    )
                )
        for field in t.get("required_fields") or []:
            try:
                model._meta.get_field(field)
            except FieldDoesNotExist:
                errors.append(
                    Problem(
                        "lowcode_workflow.E011",
                        _("Transition %(t)s: required field “%(field)s” does not exist.")
                        % {"t": where, "field": field},
                    )
                )
        for effect in t.get("effects") or []:
            if not isinstance(effect, dict):
                errors.append(
                    Problem(
                        "lowcode_workflow.E012", _("Transition %(t)s: a side effect must be an object.") % {"t": where}
                    )
                )
                continue
            errors += [replace(p, message=f"{where}: {p.message}") for p in effects.validate(model, effect)]
    for s in states:
        if s.get("approval_mode") and s.get("approval_groups_field"):
            try:
                model._meta.get_field(s["approval_groups_field"])
            except FieldDoesNotExist:
                errors.append(
                    Problem(
                        "lowcode_workflow.E017",
                        _("State %(state)s: approving groups field “%(field)s” does not exist.")
                        % {"state": s["name"], "field": s["approval_groups_field"]},
                    )
                )
        if s.get("approval_mode") == "n_of_m" and not s.get("approvals_required"):
            errors.append(
                Problem(
                    "lowcode_workflow.E018",
                    _("State %(state)s: say how many approvals are required.") % {"state": s["name"]},
                )
            )
    if len(initial) == 1 and not duplicates:
        reachable = _reachable(initial[0], transitions)
        unreachable = [n for n in names if n not in reachable]
        if unreachable:
            errors.append(
                Problem(
                    "lowcode_workflow.E019",
                    _("States that cannot be reached from the initial state: %(names)s")
                    % {"names": "、".join(unreachable)},
                )
            )
        outgoing = {t["from_state"] for t in transitions}
        dead_ends = [s["name"] for s in states if not s.get("is_final") and s["name"] not in outgoing]
        if dead_ends:
            errors.append(
                Problem(
                    "lowcode_workflow.E020",
                    _("States with no way out that are not marked final: %(names)s") % {"names": "、".join(dead_ends)},
                )
            )
    return errors


def _reachable(start: str, transitions: list[dict[str, Any]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        for t in transitions:
            if t["from_state"] == current and t["to_state"] not in seen:
                seen.add(t["to_state"])
                queue.append(t["to_state"])
    return seen


def definition_of(workflow: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The stored workflow as plain data."""
    states = [
        {
            "name": s.name,
            "label_zh": s.label_zh,
            "colour": s.colour,
            "is_initial": s.is_initial,
            "is_final": s.is_final,
            "approval_mode": s.approval_mode,
            "approval_groups_field": s.approval_groups_field,
            "approvals_required": s.approvals_required,
        }
        for s in workflow.states.all()
    ]
    transitions = [
        {
            "from_state": t.from_state,
            "action": t.action,
            "label_zh": t.label_zh,
            "to_state": t.to_state,
            "roles": [r.name for r in t.roles.all()],
            "condition": t.condition,
            "required_fields": t.required_field_names,
            "effects": t.effects,
        }
        for t in workflow.transitions.prefetch_related("roles")
    ]
    return states, transitions
