"""The fields a DocType's active workflow owns: its state field and the fields its transitions set.

Core's write path refuses any other writer of these (lowcode.core.controller.register_field_owner);
only apply_transition, inside workflow_write(), changes them.
"""

from __future__ import annotations

from django.db import models

from lowcode.workflow.engine import workflow_for


def owned_fields(model: type[models.Model]) -> set[str]:
    workflow = workflow_for(model)
    if workflow is None:
        return set()
    owned = {workflow.state_field}
    for transition in workflow.transitions.all():
        for effect in transition.effects or []:
            if effect.get("type") == "set_field" and effect.get("field"):
                owned.add(str(effect["field"]))
    return owned
