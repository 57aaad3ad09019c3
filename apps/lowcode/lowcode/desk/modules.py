"""Desk modules (Frappe's Module Def): a key, a translated label, an icon and an order, from hooks.py.

desk_modules = {"Matters": {"label": _("Matters and guides"), "icon": "menu_book", "order": 10}}
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from lowcode.core.hooks import get_hooks


def _modules() -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for key, values in (get_hooks("desk_modules", {}) or {}).items():
        # get_hooks collects each property into a list across apps; the last app to set it wins.
        merged[key] = {prop: vals[-1] for prop, vals in values.items() if vals}
    return merged


def module_label(key: str) -> str | Promise:
    return _modules().get(key, {}).get("label", key)


def module_order(key: str) -> int:
    return int(_modules().get(key, {}).get("order", 1000))
