"""The desk sidebar, built from the DocType registry and what the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lowcode.core import registry
from lowcode.desk.modules import module_label, module_order


def _pages() -> list[tuple[str, Any, str, str, Any]]:
    from lowcode.customization.models import CustomField
    from lowcode.deadlines.models import Deadline

    # Desk pages beyond DocType lists: (module, title, icon, URL name, the DocType whose read right opens it)
    return [
        ("Supervision", _("Red lights by department"), "monitoring", "desk_supervision_overview", Deadline),
        ("Core", _("Customize Form"), "tune", "desk_customize_form", CustomField),
    ]


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    PAGES = _pages()
    groups: dict[str, list[dict[str, Any]]] = {}
    for doctype in registry.all_doctypes():
        model = doctype.model
        model_admin = admin.site._registry.get(model)
        if model_admin is None or registry.is_hidden(model):
            continue
        if not model_admin.has_module_permission(request) or not (
            model_admin.has_view_permission(request) or model_admin.has_change_permission(request)
        ):
            continue
        opts = model._meta
        groups.setdefault(doctype.module, []).append(
            {
                "title": opts.verbose_name_plural,
                "icon": doctype.icon,
                "link": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            }
        )
    for module, title, icon, url_name, model in PAGES:
        model_admin = admin.site._registry.get(model)
        if model_admin is not None and model_admin.has_view_permission(request):
            groups.setdefault(module, []).append({"title": title, "icon": icon, "link": reverse(url_name)})
    navigation: list[dict[str, Any]] = [
        {"items": [{"title": _("Desk home"), "icon": "home", "link": reverse("admin:index")}]}
    ]
    for key in sorted(groups, key=lambda k: (module_order(k), str(module_label(k)))):
        items = sorted(groups[key], key=lambda i: str(i["title"]))
        navigation.append({"title": module_label(key), "separator": True, "collapsible": True, "items": items})
    return navigation


def desk_styles(request: HttpRequest) -> str:
    from django.templatetags.static import static

    return static("desk/desk.css")
