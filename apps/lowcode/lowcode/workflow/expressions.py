"""Condition expressions of workflows (and later depends_on), evaluated in Jinja's sandbox.

An expression sees `doc` (the document's field values, read-only), `user` (name and roles) and `now`.
The sandbox refuses attributes starting with "_" and unsafe callables; the context holds plain data
only, so there is no ORM, settings or file access to reach.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils import timezone
from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from lowcode.core.permissions import user_roles
from lowcode.core.sandbox import Budget, LimitedSandbox


class ExpressionError(Exception):
    pass


EXPRESSION_SECONDS = 0.5  # a condition is asked on every form view: it may not cost more than this


@cache
def _env() -> LimitedSandbox:
    return LimitedSandbox(autoescape=False)


def compile_expression(source: str) -> Any:
    try:
        return _env().compile_expression(source)
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"{exc.message} (line {exc.lineno})") from None


def document_values(doc: models.Model) -> dict[str, Any]:
    """Concrete field values by name (foreign keys as their ids, under both `x` and `x_id`), plus the
    properties the DocType offers to expressions (`expression_properties` in its registration)."""
    from lowcode.core import registry

    values: dict[str, Any] = {}
    for field in doc._meta.concrete_fields:
        value = getattr(doc, field.attname)
        values[field.attname] = value
        values[field.name] = value
    doctype = registry.for_model(type(doc))
    for name in doctype.extra.get("expression_properties", ()) if doctype else ():
        values[name] = getattr(doc, name)
    if doctype is not None and getattr(doc, "custom", None):  # nothing to read (or to query) when empty
        from lowcode.customization.values import values as custom_values

        for key, value in custom_values(doc).items():
            values.setdefault(key, value)
    return values


def evaluate(source: str, doc: models.Model, user: Any, *, values: dict[str, Any] | None = None) -> bool:
    """`values`: the document's values when the caller has them already (several conditions on one record)."""
    if not source.strip():
        return True
    context = {
        "doc": document_values(doc) if values is None else values,
        "user": {"name": getattr(user, "username", ""), "roles": sorted(user_roles(user))},
        "now": timezone.now(),
    }
    return run(source, **context)


def run(source: str, **context: Any) -> bool:
    """Evaluate under the sandbox's time budget — checked as it runs and once more when it has finished, so a
    run that took too long fails even when nothing inside it could be stopped (a filter over a long list)."""
    env = _env()
    env.budget = Budget(EXPRESSION_SECONDS)
    try:
        result = bool(compile_expression(source)(**context))
        env.budget.check()
        return result
    except (SecurityError, UndefinedError, TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise ExpressionError(str(exc)) from None
    finally:
        env.budget = None
