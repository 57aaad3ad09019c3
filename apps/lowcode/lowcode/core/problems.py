"""A problem found in an administrator's metadata, with the stable ID of its rule.

The same rule runs when the metadata is saved (the problem becomes a form or fixture error, by its message)
and in `manage.py check` over every stored row (the problem becomes a system check message, by its ID):
one function per rule, two ways of reporting it. IDs follow Django's style, `<app label>.E<nnn>`, and are
never reused for another rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core import checks


@dataclass(frozen=True)
class Problem:
    id: str  # e.g. "lowcode_workflow.E013"
    message: str
    hint: str = ""
    field: str = ""  # the form field it belongs to, when the rule is about one field

    def __str__(self) -> str:
        return self.message

    def as_check(self, obj: Any, prefix: str = "") -> checks.CheckMessage:
        return checks.Error(f"{prefix}{self.message}", hint=self.hint or None, obj=obj, id=self.id)


def by_field(problems: Iterable[Problem], default: str = "__all__") -> dict[str, list[str]]:
    """Messages grouped by form field, as ValidationError takes them."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.field or default, []).append(problem.message)
    return grouped
