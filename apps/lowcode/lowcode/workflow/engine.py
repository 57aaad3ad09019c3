"""The one function that moves a document from state to state, and what the desk asks of it.

apply_transition() checks, in this order: the workflow and the action exist for the current state; the
user holds one of the transition's roles; the document is in the user's scope (lowcode.core.permissions);
self-approval; the condition; the comment and required fields; the joint approvals. It locks the row
(SELECT … FOR UPDATE), so of two concurrent transitions exactly one wins and the other is told the
state moved on. Then it sets the state and in-transaction effects, writes the audit entry, and runs the
after-commit effects and doc_events once the transaction commits. Any refusal changes nothing.

An effect's phase says when it runs: "before_save" (it sets fields of the record, saved with the state),
"after_save" (it keeps something beside the record, such as an issued notice and its PDF: only once the
DocType's controller has accepted the new state, still inside the transaction, so its failure refuses the
transition) or "after_commit". The transaction is `atomic_with_files()`: a file an effect stored is deleted
again if the transition is refused or fails afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lowcode.core import permissions, registry
from lowcode.core.controller import workflow_write
from lowcode.core.doc_events import fire
from lowcode.core.documents import atomic_with_files, jsonable, save_doc
from lowcode.core.hooks import get_hooks
from lowcode.core.signals import transition_applied
from lowcode.workflow import effects as effect_types
from lowcode.workflow.active import active_workflow
from lowcode.workflow.expressions import ExpressionError, document_values, evaluate
from lowcode.workflow.models import Workflow, WorkflowAction, WorkflowApproval, WorkflowState, WorkflowTransition


class WorkflowError(Exception):
    """A transition or approval was refused; the message says why, in the user's language. `code`: a stable
    name of the reason when a DocType's controller refused the save (its ValidationError's code)."""

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Available:
    transition: WorkflowTransition
    blocked: str  # "" when it can be taken now, else why not (e.g. joint approvals outstanding)


def workflow_for(model: type[models.Model]) -> Workflow | None:
    doctype = registry.for_model(model)
    if doctype is None:
        return None
    return active_workflow(doctype.name)  # cached per process, its stamp checked once per request


def _roles(user: Any) -> set[str]:
    return set(permissions.user_roles(user))


def _role_allowed(user: Any, transition: WorkflowTransition) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    allowed = {r.name for r in transition.roles.all()}
    return bool(allowed & _roles(user))


def _state(workflow: Workflow, name: str) -> WorkflowState | None:
    return next((s for s in workflow.states.all() if s.name == name), None)


def may_edit_in_state(doc: models.Model, user: Any) -> bool:
    """A state may name the roles that edit the document's fields while it is there (none named: no limit).
    Workflow actions are governed by their transitions, not by this."""
    workflow = workflow_for(type(doc))
    if workflow is None or getattr(user, "is_superuser", False):
        return True
    state = _state(workflow, getattr(doc, workflow.state_field))
    if state is None:
        return True
    allowed = {r.name for r in state.edit_roles.all()}
    return not allowed or bool(allowed & _roles(user))


# -- joint approval -------------------------------------------------------------------------------------------


def approval_groups(state: WorkflowState, doc: models.Model) -> list[str]:
    """Who must approve the document in this state: values of a field, or role names."""
    if state.approval_groups_field:
        field = doc._meta.get_field(state.approval_groups_field)
        if field.many_to_many:
            values = getattr(doc, field.name).values_list("pk", flat=True)
        else:
            values = [getattr(doc, field.attname)]
        return sorted({str(v) for v in values if v not in (None, "")})
    return sorted(r.name for r in state.approval_roles.all())


def user_groups(user: Any, state: WorkflowState) -> set[str]:
    """The approving groups a user speaks for: roles, or what the `workflow_user_groups` hook says."""
    if not state.approval_groups_field:
        return _roles(user)
    groups: set[str] = set()
    for path in get_hooks("workflow_user_groups", []) or []:
        groups |= {str(g) for g in import_string(path)(user)}
    return groups


def _round(doctype: str, doc: models.Model, state: str) -> int:
    return max(1, WorkflowAction.objects.filter(doctype=doctype, doc_id=str(doc.pk), to_state=state).count())


def approvals(doctype: str, doc: models.Model, state: WorkflowState) -> dict[str, WorkflowApproval]:
    rows = WorkflowApproval.objects.filter(
        doctype=doctype, doc_id=str(doc.pk), state=state.name, round=_round(doctype, doc, state.name)
    ).select_related("user")
    return {a.group: a for a in rows}


def approvals_outstanding(doctype: str, doc: models.Model, state: WorkflowState) -> str:
    """ "" if the joint approval of this state is complete, else a sentence saying what is missing."""
    if not state.approval_mode:
        return ""
    groups = approval_groups(state, doc)
    done = set(approvals(doctype, doc, state)) & set(groups)
    needed = len(groups) if state.approval_mode == WorkflowState.ApprovalMode.ALL else state.approvals_required
    needed = min(needed, len(groups))
    if len(done) >= needed:
        return ""
    return _("%(done)s of %(needed)s required approvals are in.") % {"done": len(done), "needed": needed}


@transaction.atomic
def record_approval(doc: models.Model, user: Any, comment: str = "") -> WorkflowApproval:
    model = type(doc)
    doctype = registry.for_model(model)
    workflow = workflow_for(model)
    if doctype is None or workflow is None:
        raise WorkflowError(_("This record has no workflow."))
    doc = model._default_manager.select_for_update().get(pk=doc.pk)
    state = _state(workflow, getattr(doc, workflow.state_field))
    if state is None or not state.approval_mode:
        raise WorkflowError(_("No joint approval is being collected for this record now."))
    # approving for one's group is not editing the record: whoever may read it and speaks for a group it needs
    if not permissions.has_permission(user, doc, "read"):
        raise WorkflowError(_("This record is outside what you may handle."))
    mine = user_groups(user, state) & set(approval_groups(state, doc))
    round_ = _round(doctype.name, doc, state.name)
    already = set(
        WorkflowApproval.objects.filter(
            doctype=doctype.name, doc_id=str(doc.pk), state=state.name, round=round_
        ).values_list("group", flat=True)
    )
    pending = sorted(mine - already)
    if not mine:
        raise WorkflowError(_("You do not approve for any of the groups this record needs."))
    if not pending:
        raise WorkflowError(_("Your group has already approved this record."))
    approval = WorkflowApproval.objects.create(
        doctype=doctype.name,
        doc_id=str(doc.pk),
        state=state.name,
        round=round_,
        group=pending[0],
        user=user,
        at=timezone.now(),
        comment=comment,
    )
    transaction.on_commit(lambda: fire(doc, "on_workflow_approval", immediately=True))
    return approval


# -- transitions -------------------------------------------------------------------------------------------------


def available_transitions(doc: models.Model, user: Any) -> list[Available]:
    """The actions this user may take on this document now (and those held only by joint approval)."""
    model = type(doc)
    workflow = workflow_for(model)
    doctype = registry.for_model(model)
    if workflow is None or doctype is None or not permissions.has_permission(user, doc, "write"):
        return []
    current = getattr(doc, workflow.state_field)
    state = _state(workflow, current)
    result = []
    values: dict[str, Any] | None = None  # the document's values, read once for all the conditions
    for transition in [t for t in workflow.transitions.all() if t.from_state == current]:
        if not _role_allowed(user, transition):
            continue
        if not transition.allow_self_approval and getattr(doc, "owner_id", None) == user.pk:
            continue
        try:
            if transition.condition.strip() and values is None:
                values = document_values(doc)
            if not evaluate(transition.condition, doc, user, values=values):
                continue
        except ExpressionError:
            continue
        blocked = ""
        if state is not None and not transition.bypass_approvals:
            blocked = approvals_outstanding(doctype.name, doc, state)
        result.append(Available(transition, blocked))
    return result


def apply_transition(
    doc: models.Model,
    action: str,
    user: Any,
    *,
    comment: str = "",
    values: dict[str, Any] | None = None,
    as_system: bool = False,
) -> models.Model:
    """Apply `action` to `doc` for `user`; returns the updated document or raises WorkflowError.

    `as_system`: the platform itself acts (e.g. "deemed accepted" when a time limit passes) — no user, so
    no role, scope or self-approval check; the condition, comment, fields and approvals still apply."""
    model = type(doc)
    doctype = registry.for_model(model)
    workflow = workflow_for(model)
    if doctype is None or workflow is None:
        raise WorkflowError(_("This record has no workflow."))
    with atomic_with_files():
        locked = model._default_manager.select_for_update().get(pk=doc.pk)
        seen = getattr(doc, workflow.state_field)
        current = getattr(locked, workflow.state_field)
        if seen != current:
            raise WorkflowError(
                _("Someone else has just handled this record: it is now “%(state)s”. Reload and look again.")
                % {"state": _label(workflow, current)}
            )
        transition = workflow.transitions.filter(from_state=current, action=action).prefetch_related("roles").first()
        if transition is None:
            raise WorkflowError(
                _("“%(action)s” is not possible in state “%(state)s”.")
                % {"action": action, "state": _label(workflow, current)}
            )
        _check(doctype.name, workflow, transition, locked, user, comment, values or {}, as_system=as_system)
        changed = _apply(workflow, transition, locked, user, values or {})
        WorkflowAction.objects.create(
            doctype=doctype.name,
            doc_id=str(locked.pk),
            workflow=workflow,
            action=transition.action,
            action_label=transition.label_zh or transition.action,
            from_state=current,
            to_state=transition.to_state,
            user=user if getattr(user, "pk", None) else None,
            at=timezone.now(),
            comment=comment,
            changed={k: jsonable(v) for k, v in changed.items()},
        )
        target = _state(workflow, transition.to_state)
        transition_applied.send(
            sender=model,
            doc=locked,
            user=user,
            action=transition.action,
            from_state=current,
            to_state=transition.to_state,
            is_final=bool(target and target.is_final),
        )
        after = [e for e in transition.effects if (t := effect_types.get(e["type"])) and t.phase == "after_commit"]
        transaction.on_commit(lambda: _after_commit(locked, transition, after, user))
    return locked


def _label(workflow: Workflow, state: str) -> str:
    found = _state(workflow, state)
    return found.label if found else state


def _check(
    doctype: str,
    workflow: Workflow,
    transition: WorkflowTransition,
    doc: models.Model,
    user: Any,
    comment: str,
    values: dict[str, Any],
    *,
    as_system: bool = False,
) -> None:
    if not as_system and not _role_allowed(user, transition):
        raise WorkflowError(_("Your roles do not allow “%(action)s”.") % {"action": transition.label})
    if not as_system and not permissions.has_permission(user, doc, "write"):
        raise WorkflowError(_("This record is outside what you may handle."))
    if (
        not as_system
        and not transition.allow_self_approval
        and getattr(doc, "owner_id", None) == getattr(user, "pk", None)
    ):
        raise WorkflowError(
            _("You created this record, so someone else must take “%(action)s”.") % {"action": transition.label}
        )
    for name, value in values.items():
        setattr(doc, name, value)
    try:
        if not evaluate(transition.condition, doc, user):
            raise WorkflowError(_("The condition of “%(action)s” is not met.") % {"action": transition.label})
    except ExpressionError as exc:
        raise WorkflowError(
            _("The condition of “%(action)s” cannot be evaluated: %(error)s")
            % {"action": transition.label, "error": exc}
        ) from None
    if transition.require_comment and not comment.strip():
        raise WorkflowError(_("“%(action)s” needs a comment.") % {"action": transition.label})
    missing = [
        str(doc._meta.get_field(f).verbose_name)
        for f in transition.required_field_names
        if getattr(doc, f) in (None, "", [])
    ]
    if missing:
        raise WorkflowError(
            _("Fill in before “%(action)s”: %(fields)s") % {"action": transition.label, "fields": "、".join(missing)}
        )
    state = _state(workflow, transition.from_state)
    if state is not None and not transition.bypass_approvals:
        outstanding = approvals_outstanding(doctype, doc, state)
        if outstanding:
            raise WorkflowError(_("Joint approval is not complete: %(detail)s") % {"detail": outstanding})


def _apply(
    workflow: Workflow, transition: WorkflowTransition, doc: models.Model, user: Any, values: dict[str, Any]
) -> dict[str, Any]:
    fields = [workflow.state_field, *values]
    setattr(doc, workflow.state_field, transition.to_state)
    for effect in transition.effects:
        kind = effect_types.get(effect["type"])
        if kind is not None and kind.phase == "before_save":
            fields += kind.run(doc, {**effect, "transition": transition.action}, user)
    fields = list(dict.fromkeys(fields))
    # The state field's values are the workflow's states, not the model's choices: skip that check only.
    # The transition is recorded as a WorkflowAction with its changed fields, not again as a Version.
    with workflow_write():
        try:
            save_doc(
                doc, update_fields=fields, user=user, exclude_from_validation=[workflow.state_field], versioned=False
            )
        except ValidationError as exc:  # the DocType's controller or field rules refused the new state
            nested = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
            code = next((e.code for errors in nested for e in errors if e.code), None)
            raise WorkflowError("；".join(exc.messages), code=code) from exc
    for effect in transition.effects:
        kind = effect_types.get(effect["type"])
        if kind is not None and kind.phase == "after_save":
            kind.run(doc, {**effect, "transition": transition.action}, user)
    return {f: getattr(doc, doc._meta.get_field(f).attname) for f in fields}


def _after_commit(doc: models.Model, transition: WorkflowTransition, effects: Iterable[dict], user: Any) -> None:
    for effect in effects:
        kind = effect_types.get(effect["type"])
        if kind is not None:
            kind.run(doc, effect, user)
    fire(doc, "on_workflow_action", immediately=True)
