"""Document events from hooks.py (`doc_events`), fired by the services layer — never by model signals.

    doc_events = {"Application": {"on_update": "my_app.handlers.notify"}, "*": {"after_insert": [...]}}

Events, as in Frappe: before_insert, after_insert, validate, on_update, on_change, on_trash, after_delete,
and any workflow action name a service chooses to fire. Handlers are called as `handler(doc, event)`.
"before_*" and "validate" run inside the caller's transaction (raising aborts the write); the others
run after commit, so a handler that enqueues a job or sends a message never sees a rolled-back row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.utils.module_loading import import_string

from lowcode.core import registry
from lowcode.core.hooks import get_hooks

IN_TRANSACTION = frozenset({"before_insert", "validate", "before_save", "on_trash"})


def handlers_for(doctype: str, event: str) -> list[Callable[[Any, str], Any]]:
    hooks = get_hooks("doc_events", {}) or {}
    paths: list[str] = []
    for key in ("*", doctype):
        paths.extend(hooks.get(key, {}).get(event, []))
    return [import_string(p) for p in paths]


def fire(doc: models.Model, event: str, *, immediately: bool = False) -> None:
    """Run the doc_events handlers of `doc`'s DocType for `event` (`immediately`: the caller already runs
    after the commit)."""
    doctype = registry.for_model(type(doc))
    if doctype is None:
        return
    handlers = handlers_for(doctype.name, event)
    if not handlers:
        return
    if event in IN_TRANSACTION or immediately:
        for handler in handlers:
            handler(doc, event)
    else:
        for handler in handlers:
            transaction.on_commit(lambda h=handler: h(doc, event))
