"""hooks.py of every installed app, read and merged in app order (Frappe's `frappe.get_hooks`).

A hook module is plain Python with module-level names: lists are concatenated, dicts are merged
key by key (their values concatenated as lists), scalars are collected into a list. Tests may layer
hooks temporarily with `override_hooks`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from lowcode.sites import installed_apps

_overrides: list[dict[str, Any]] = []


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _merge(into: dict[str, Any], hooks: dict[str, Any]) -> None:
    for key, value in hooks.items():
        if isinstance(value, dict):
            target = into.setdefault(key, {})
            for sub, subvalue in value.items():
                if isinstance(subvalue, dict):
                    inner = target.setdefault(sub, {})
                    for k, v in subvalue.items():
                        inner.setdefault(k, []).extend(_as_list(v))
                else:
                    target.setdefault(sub, []).extend(_as_list(subvalue))
        else:
            into.setdefault(key, []).extend(_as_list(value))


def app_hooks(app: str) -> dict[str, Any]:
    module = importlib.import_module(f"{app}.hooks")
    return {
        k: v
        for k, v in vars(module).items()
        if not k.startswith("_") and isinstance(v, list | tuple | dict | str | int | float | bool)
    }


@cache
def _installed_hooks() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for app in installed_apps():
        _merge(merged, app_hooks(app))
    return merged


def get_hooks(name: str, default: Any = None) -> Any:
    """The merged value of one hook across installed apps (and any test overrides)."""
    merged: dict[str, Any] = {}
    for layer in [_installed_hooks(), *_overrides]:
        if name in layer:
            _merge(merged, {name: layer[name]})
    return merged.get(name, default)


@contextmanager
def override_hooks(**hooks: Any) -> Iterator[None]:
    """Add hooks for the duration of a block (for tests), as if one more app declared them."""
    _overrides.append(hooks)
    try:
        yield
    finally:
        _overrides.remove(hooks)
