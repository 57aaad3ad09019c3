"""Whitelisted methods (Frappe's @frappe.whitelist): only decorated functions answer /api/method/<path>.

The registry is filled at start-up (ApiConfig.ready imports lowcode's methods and each app's
`api_methods` hook modules). A lookup never imports anything: a request names a method, not a module,
so a guest cannot make the server import (and run) an arbitrary module of an installed app.
"""

from __future__ import annotations

import importlib
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
    return _methods.get(path)


def all_methods() -> list[Method]:
    return sorted(_methods.values(), key=lambda m: m.path)


def load(modules: list[str]) -> None:
    """Import the modules that declare whitelisted methods (the `api_methods` hook), once, at start-up."""
    for module in modules:
        importlib.import_module(module)
