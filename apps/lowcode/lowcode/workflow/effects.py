"""Side effects of workflow transitions: a registry that apps fill.

Each effect is a dict in a transition's `effects` list, e.g. {"type": "set_field", "field": "accepted_at",
"value": "now"}. An effect type is registered with a validator (run when a workflow is saved) and a
runner; `phase` says when it runs: inside the transition's transaction before the record is saved
("before_save", e.g. setting a field), inside it once the controller has accepted the save ("after_save",
e.g. issuing a notice), or after commit ("after_commit", e.g. notifying). Later capabilities —
deadlines, print formats, notifications — register their types here; a workflow naming a type nobody
registered is refused when saved.

A validator returns Problems (lowcode.core.problems), each with the ID of its rule, so `manage.py check`
reports a stored workflow's broken effect under the same ID as the desk refused it; a plain string is
taken as lowcode_workflow.E014 (an invalid side effect).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from lowcode.core.problems import Problem

UNKNOWN_EFFECT = "lowcode_workflow.E013"
INVALID_EFFECT = "lowcode_workflow.E014"


@dataclass(frozen=True)
class EffectType:
    name: str
    phase: str  # "before_save", "after_save" or "after_commit"
    validate: Callable[[type[models.Model], dict[str, Any]], list[str | Problem]]
    run: Callable[[models.Model, dict[str, Any], Any], list[str]]  # returns the fields it changed


_types: dict[str, EffectType] = {}


def register(effect: EffectType) -> None:
    _types[effect.name] = effect


def get(name: str) -> EffectType | None:
    return _types.get(name)


def validate(model: type[models.Model], effect: dict[str, Any]) -> list[Problem]:
    kind = _types.get(str(effect.get("type")))
    if kind is None:
        return [
            Problem(
                UNKNOWN_EFFECT,
                f"unknown side effect {effect.get('type')!r} (known: {', '.join(sorted(_types))})",
                hint="Use one of the known types, or install the app that registers this one.",
            )
        ]
    return [p if isinstance(p, Problem) else Problem(INVALID_EFFECT, p) for p in kind.validate(model, effect)]


# -- set_field: set a document field, to a literal, "now", "today" or "user" ----------------------------------


def _validate_set_field(model: type[models.Model], effect: dict[str, Any]) -> list[str | Problem]:
    try:
        field = model._meta.get_field(str(effect.get("field")))
    except FieldDoesNotExist:
        return [
            Problem(
                "lowcode_workflow.E015",
                f"set_field: {model.__name__} has no field {effect.get('field')!r}",
                hint="The field was removed or renamed: name an existing field, or drop the effect.",
            )
        ]
    if not field.concrete or field.primary_key:
        return [Problem("lowcode_workflow.E016", f"set_field: {effect.get('field')!r} cannot be set")]
    return []


def _run_set_field(doc: models.Model, effect: dict[str, Any], user: Any) -> list[str]:
    field = doc._meta.get_field(effect["field"])
    value = effect.get("value")
    if value == "now":
        value = timezone.now()
    elif value == "today":
        value = timezone.localdate()
    elif value == "user":
        value = user if getattr(user, "pk", None) else None
    setattr(doc, field.name, value)
    return [field.name]


register(EffectType("set_field", "before_save", _validate_set_field, _run_set_field))
