"""System checks over the stored workflows: the rules a workflow is saved under, run again over every row, so
metadata that went bad afterwards (a field or print format removed, a second workflow activated) shows in
`manage.py check` with the ID of its rule (lowcode_workflow.E001–E021, lowcode_printing.E00x for print effects)
instead of failing a transition."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError

from lowcode.core.problems import Problem


@checks.register(checks.Tags.database)
def check_workflows(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from lowcode.workflow.definition import definition_of, definition_problems
    from lowcode.workflow.models import Workflow

    try:
        workflows = list(Workflow.objects.filter(is_active=True).prefetch_related("states"))
    except DatabaseError:  # not migrated yet
        return []
    messages: list[checks.CheckMessage] = []
    for workflow in workflows:
        states, transitions = definition_of(workflow)
        problems: list[Problem] = definition_problems(workflow.doctype, workflow.state_field, states, transitions)
        problems += workflow.active_conflicts()
        messages += [p.as_check(workflow) for p in problems]
    return messages
