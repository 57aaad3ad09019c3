"""The fields a DocType's active workflow owns: its state field, the fields its transitions set, and — once a
record is past the transition — the fields a transition requires.

Core's write path refuses any other writer of these (lowcode.core.controller.register_field_owner);
only apply_transition, inside workflow_write(), changes them.

A required field (a denial's `decision_reason`, a review's `review_note`) is filled in by a person before the
action is taken: the desk's and the API's workflow actions send no field values, so the form or a PUT saves it
first. It stays writable while the record is in a state a transition requiring it leaves from, and in the
states before it; in every state after such a transition (reachable from where it leads) it is what was
decided, and only the workflow writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction

from lowcode.workflow.engine import workflow_for
from lowcode.workflow.models import Workflow


@dataclass(frozen=True)
class _Owned:
    always: frozenset[str]  # the state field and the set_field effects' fields
    decided: dict[str, frozenset[str]]  # state → the required fields that are the workflow's in it


def _owned(workflow: Workflow) -> _Owned:
    """Worked out once per loaded workflow (the active workflow is cached per process and reloaded on change)."""
    cached = workflow.__dict__.get("_lowcode_owned")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    transitions = list(workflow.transitions.all())
    always = {workflow.state_field}
    leads_to: dict[str, set[str]] = {}
    requiring: dict[str, list[tuple[str, str]]] = {}  # field → (from state, to state) of the transitions needing it
    for transition in transitions:
        leads_to.setdefault(transition.from_state, set()).add(transition.to_state)
        for effect in transition.effects or []:
            if effect.get("type") == "set_field" and effect.get("field"):
                always.add(str(effect["field"]))
        for name in transition.required_field_names:
            requiring.setdefault(name, []).append((transition.from_state, transition.to_state))
    decided: dict[str, set[str]] = {}
    for name, steps in requiring.items():
        if name in always:
            continue
        open_in = {source for source, _ in steps}
        for state in _reachable(leads_to, {target for _, target in steps}) - open_in:
            decided.setdefault(state, set()).add(name)
    owned = _Owned(frozenset(always), {state: frozenset(names) for state, names in decided.items()})
    workflow.__dict__["_lowcode_owned"] = owned
    return owned


def _reachable(leads_to: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for state in leads_to.get(todo.pop(), ()):
            if state not in seen:
                seen.add(state)
                todo.append(state)
    return seen


def _state(workflow: Workflow, doc: models.Model, stored: bool) -> str:
    """The record's state: as stored (locking the row, so a transition cannot slip in before this write) or as
    `doc` holds it — a new record's, or a form's just loaded."""
    if stored and doc.pk is not None and not doc._state.adding:
        rows = type(doc)._default_manager.filter(pk=doc.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        found = rows.values_list(workflow.state_field, flat=True).first()
        if found is not None:
            return str(found)
    return str(getattr(doc, workflow.state_field))


def owned_fields(model: type[models.Model], doc: models.Model | None = None, *, stored: bool = False) -> set[str]:
    workflow = workflow_for(model)
    if workflow is None:
        return set()
    owned = _owned(workflow)
    if doc is None or not owned.decided:
        return set(owned.always)
    return set(owned.always | owned.decided.get(_state(workflow, doc, stored), frozenset()))
