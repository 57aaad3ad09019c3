"""System checks over the stored deadline policies: the rules a policy is saved under (DeadlinePolicy.problems),
run again over every active policy, so one left naming a state or action its workflow no longer has shows in
`manage.py check` (lowcode_deadlines.E001–E015) instead of a clock that never starts or a sweep action that
fails."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def check_deadline_policies(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from lowcode.deadlines.models import DeadlinePolicy

    try:
        policies = list(DeadlinePolicy.objects.filter(is_active=True))
    except DatabaseError:  # not migrated yet
        return []
    return [problem.as_check(policy) for policy in policies for problem in policy.problems()]
