"""The active workflow of each DocType, with its states, transitions and their roles, read once per process and
checked for changes once per request or job (a kind of lowcode.core.definitions, as custom fields are).

The stamp is the Workflow table's row count and latest `modified_at`. States, transitions and their role lists
have no timestamp of their own, so any change to them — from the desk's inlines, fixtures, a shell or a test —
touches their workflow's `modified_at` (the receivers below), in the same transaction as the change. This is
cache invalidation, not business logic: nothing else hangs off these signals.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from lowcode.core import definitions
from lowcode.core.models import Role
from lowcode.workflow.models import Workflow, WorkflowState, WorkflowTransition

KIND = "workflow"
_writing_whole: ContextVar[bool] = ContextVar("lowcode_workflow_writing_whole", default=False)


def load() -> dict[str, Workflow]:
    """DocType name -> its active workflow (the first by name, as before), everything prefetched."""
    workflows = (
        Workflow.objects.filter(is_active=True)
        .order_by("doctype", "name")
        .prefetch_related(
            Prefetch(
                "states",
                queryset=WorkflowState.objects.order_by("idx", "id").prefetch_related("edit_roles", "approval_roles"),
            ),
            Prefetch(
                "transitions", queryset=WorkflowTransition.objects.order_by("idx", "id").prefetch_related("roles")
            ),
        )
    )
    active: dict[str, Workflow] = {}
    for workflow in workflows:
        active.setdefault(workflow.doctype, workflow)
    return active


def active_workflow(doctype: str) -> Workflow | None:
    return definitions.get(KIND).get(doctype)


def _touch(workflow_id: int | None = None) -> None:
    rows = Workflow.objects.all() if workflow_id is None else Workflow.objects.filter(pk=workflow_id)
    rows.update(modified_at=timezone.now())
    definitions.forget_request_stamp()


@contextmanager
def writing_whole(workflow: Workflow) -> Iterator[None]:
    """A writer that replaces a workflow's parts together (fixtures) touches it once, when done — not per row."""
    token = _writing_whole.set(True)
    try:
        yield
    finally:
        _writing_whole.reset(token)
    _touch(workflow.pk)


def _part_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not _writing_whole.get():
        _touch(instance.workflow_id)


def _roles_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and not _writing_whole.get():
        _touch(instance.workflow_id if isinstance(instance, WorkflowState | WorkflowTransition) else None)


def _role_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _touch()  # its rows in the role lists went with it, without an m2m signal


def connect() -> None:
    """From WorkflowConfig.ready(): register the kind and the receivers that keep its stamp honest."""
    definitions.register(KIND, tables=(Workflow,), load=load)
    for model in (WorkflowState, WorkflowTransition):
        post_save.connect(_part_changed, sender=model, dispatch_uid=f"lowcode.workflow.active.save.{model.__name__}")
        post_delete.connect(
            _part_changed, sender=model, dispatch_uid=f"lowcode.workflow.active.delete.{model.__name__}"
        )
    for through in (
        WorkflowState.edit_roles.through,
        WorkflowState.approval_roles.through,
        WorkflowTransition.roles.through,
    ):
        m2m_changed.connect(_roles_changed, sender=through, dispatch_uid=f"lowcode.workflow.active.{through.__name__}")
    post_delete.connect(_role_deleted, sender=Role, dispatch_uid="lowcode.workflow.active.role")
