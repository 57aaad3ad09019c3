"""System checks for the platform's configuration (run by `manage.py check` and at start-up)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils.module_loading import import_string

from lowcode.core import registry
from lowcode.core.hooks import get_hooks

SCHEDULER_EVENTS = {"all", "hourly", "daily", "weekly", "monthly", "cron"}


def _importable(path: str) -> bool:
    try:
        import_string(path)
    except ImportError:
        return False
    return True


@checks.register()
def check_scheduler_events(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from croniter import croniter

    errors: list[checks.CheckMessage] = []
    events = get_hooks("scheduler_events", {}) or {}
    for event, value in events.items():
        if event not in SCHEDULER_EVENTS:
            errors.append(checks.Error(f"scheduler_events has an unknown key {event!r}", id="lowcode.E001"))
            continue
        entries = value.items() if event == "cron" else [(event, value)]
        for when, paths in entries:
            if event == "cron" and not croniter.is_valid(when):
                errors.append(
                    checks.Error(f"scheduler_events cron {when!r} is not a valid cron string", id="lowcode.E002")
                )
            for path in paths:
                if not _importable(path):
                    errors.append(
                        checks.Error(f"scheduler_events method {path!r} cannot be imported", id="lowcode.E003")
                    )
    return errors


@checks.register()
def check_doc_events(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    known = {d.name for d in registry.all_doctypes()} | {"*"}
    for doctype, events in (get_hooks("doc_events", {}) or {}).items():
        if doctype not in known:
            errors.append(checks.Error(f"doc_events names an unknown DocType {doctype!r}", id="lowcode.E004"))
        for event, paths in events.items():
            for path in paths:
                if not _importable(path):
                    errors.append(
                        checks.Error(
                            f"doc_events {doctype}.{event} handler {path!r} cannot be imported", id="lowcode.E005"
                        )
                    )
    return errors


@checks.register()
def check_fixtures(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for name in get_hooks("fixtures", []) or []:
        try:
            doctype = registry.get(name)
        except registry.UnknownDocType:
            errors.append(checks.Error(f"fixtures names an unknown DocType {name!r}", id="lowcode.E006"))
            continue
        from lowcode.core.fixtures import _importers

        if name not in _importers and not doctype.natural_key:
            errors.append(
                checks.Error(f"fixtures: DocType {name!r} has no natural key and no importer", id="lowcode.E007")
            )
    return errors
