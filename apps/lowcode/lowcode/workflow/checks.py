from typing import Any

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def check_workflows(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Stored workflows must still be sound (e.g. after a field they name was removed)."""
    from lowcode.workflow.definition import definition_of, validate_definition
    from lowcode.workflow.models import Workflow

    errors: list[checks.CheckMessage] = []
    try:
        workflows = list(Workflow.objects.filter(is_active=True).prefetch_related("states"))
    except DatabaseError:  # not migrated yet
        return []
    for workflow in workflows:
        states, transitions = definition_of(workflow)
        for problem in validate_definition(workflow.doctype, workflow.state_field, states, transitions):
            errors.append(checks.Error(f"workflow {workflow.name!r}: {problem}", id="lowcode.E101"))
    return errors
