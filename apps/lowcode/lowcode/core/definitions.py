"""Definitions an administrator edits while the site runs (custom fields, Customize Form overrides, workflows),
cached per process and checked for changes at most once per request or scheduled job.

A capability registers a kind with a loader and a stamp: aggregates over its tables (row count and latest
change) that move whenever one of its definitions is added, changed or removed. The stamps of every kind are
read together, in one query, once per request or job (and on every call outside them); a process reloads a
kind only when its stamp differs from the one it loaded with. So a definition saved in one process shows in
every running web process and worker at their next request or job — no restart, no second source of truth.
Stamps compare for equality, not order: a change rolled back restores the old stamp and is reloaded too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.db import models
from django.db.models import CharField, Count, Max, Value

_request: ContextVar[dict[str, Any] | None] = ContextVar("lowcode_definitions_request", default=None)


@dataclass(frozen=True)
class Kind:
    name: str
    tables: tuple[type[models.Model], ...]  # each with a `modified_at` field
    load: Callable[[], Any]


_kinds: dict[str, Kind] = {}
_loaded: dict[str, tuple[tuple, Any]] = {}  # kind -> (stamp it was loaded at, value)
_lock = Lock()


def register(name: str, *, tables: tuple[type[models.Model], ...], load: Callable[[], Any]) -> None:
    """Called from an AppConfig.ready(): `load()` builds the kind's value; `tables` are what it is built from."""
    _kinds[name] = Kind(name, tables, load)
    _loaded.pop(name, None)


def _read_stamps() -> dict[str, tuple]:
    """One query: (row count, latest modified_at) of every registered table, by kind."""
    parts = []
    for kind in _kinds.values():
        for i, model in enumerate(kind.tables):
            label = Value(f"{kind.name}:{i}", output_field=CharField())
            parts.append(
                model._default_manager.order_by()
                .annotate(k=label)
                .values("k")
                .annotate(n=Count("pk"), m=Max("modified_at"))
            )
    if not parts:
        return {}
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found = {row["k"]: (row["n"], row["m"]) for row in rows}
    return {
        kind.name: tuple(found.get(f"{kind.name}:{i}", (0, None)) for i in range(len(kind.tables)))
        for kind in _kinds.values()
    }


def _stamps() -> dict[str, tuple]:
    holder = _request.get()
    if holder is not None and "stamps" in holder:
        return holder["stamps"]
    stamps = _read_stamps()
    if holder is not None:
        holder["stamps"] = stamps
    return stamps


def get(name: str) -> Any:
    """The kind's current value: the loaded one while its stamp is unchanged, else freshly loaded."""
    stamp = _stamps().get(name, ())
    cached = _loaded.get(name)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        value = _kinds[name].load()
        _loaded[name] = (stamp, value)
    return value


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block (a request, a scheduled job) the stamps are read at most once, when first needed."""
    token = _request.set({})
    try:
        yield
    finally:
        _request.reset(token)


class FreshDefinitions:
    """Middleware: the definitions are checked once per request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with reading_once():
            return self.get_response(request)


def forget_request_stamp() -> None:
    """After a definition changes within a request (the desk saving one), read the new definitions."""
    holder = _request.get()
    if holder is not None:
        holder.pop("stamps", None)
