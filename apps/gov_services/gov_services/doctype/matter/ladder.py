"""The online-level ladder (网上办理层级) as the site has it: what the portal's apply gate, the online-application
clocks' conditions and the level-change approval read. A handful of rows, cached per process and reloaded when
an administrator changes them (lowcode.core.definitions: no query of its own on a request)."""

from __future__ import annotations

from typing import Any

from gov_services.gov_services.doctype.matter.models import OnlineLevelRule
from lowcode.core import definitions

KIND = "gov_services.online_ladder"


def load() -> dict[int, OnlineLevelRule]:
    return {rule.level: rule for rule in OnlineLevelRule.objects.all()}


def register() -> None:
    definitions.register(KIND, tables=(OnlineLevelRule,), load=load)


def ladder() -> dict[int, OnlineLevelRule]:
    return definitions.get(KIND)


def rung(level: int | None) -> OnlineLevelRule | None:
    return ladder().get(level) if level is not None else None


def accepts_online(level: int | None) -> bool:
    """Whether a matter at this level is applied for online (a level the ladder lacks is not)."""
    found = rung(level)
    return bool(found and found.accepts_online)


def online_clocks(level: int | None) -> list[str]:
    """The deadline policies an online application starts at this level (their conditions read them)."""
    found = rung(level)
    return list(found.clocks) if found else []


def approval_needed(from_level: int, to_level: int) -> OnlineLevelRule | None:
    """The rung whose rule makes moving a matter from `from_level` to `to_level` need approval, or None. Moving
    up from a rung that needs it needs approval to any higher level (or a detour would step around it)."""
    found = rung(from_level)
    if found is not None and found.raise_needs_approval and to_level > from_level:
        return found
    return None


def may_approve(user: Any, rule: OnlineLevelRule) -> bool:
    from lowcode.core.permissions import user_roles

    if not user.has_perm("gov_services.approve_onlinelevelchange"):
        return False
    return not rule.approver_role or rule.approver_role in user_roles(user) or user.is_superuser
