"""Whitelisted methods (Frappe's @frappe.whitelist): only decorated functions answer /api/method/<path>."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Method:
    path: str
    func: Callable[..., Any]
    allow_guest: bool
    methods: tuple[str, ...]


_methods: dict[str, Method] = {}


def whitelist(
    *, allow_guest: bool = False, methods: tuple[str, ...] = ("GET", "POST"), path: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        name = path or f"{func.__module__}.{func.__qualname__}"
        _methods[name] = Method(name, func, allow_guest, methods)
        return func

    return register


def get(path: str) -> Method | None:
    if path not in _methods:
        module = path.rsplit(".", 1)[0]
        _import_app_module(module)
    return _methods.get(path)


def all_methods() -> list[Method]:
    return sorted(_methods.values(), key=lambda m: m.path)


def _import_app_module(module: str) -> None:
    """Import the module a path names, only if it belongs to an installed app (like Frappe)."""
    import importlib

    from lowcode.sites import installed_apps

    if not module or module.split(".")[0] not in installed_apps():
        return
    try:
        importlib.import_module(module)
    except ImportError:
        return
