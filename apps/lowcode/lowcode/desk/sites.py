"""The desk: Django's admin themed by unfold, with DocTypes grouped by module as Frappe's desk does."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite

from lowcode.core import registry
from lowcode.core.throttle import ThrottledLoginFormMixin
from lowcode.desk.modules import module_label, module_order


class DeskLoginForm(ThrottledLoginFormMixin, AdminAuthenticationForm):
    pass


class DeskSite(UnfoldAdminSite):
    login_form = DeskLoginForm
    site_title = _("Government Services Desk")
    site_header = _("Government Services")
    index_title = _("Desk home")

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Signing in at /desk/login/ lands on the desk (not the portal) unless a `next` says otherwise."""
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            request.GET = request.GET.copy()
            request.GET[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        return super().login(request, extra_context)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """On the home page, group models by their DocType's module rather than by Django app."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        modules: dict[str, dict[str, Any]] = {}
        for app in app_list:
            for model_dict in app["models"]:
                model = model_dict["model"]
                if registry.is_hidden(model):
                    continue
                doctype = registry.for_model(model)
                key = doctype.module if doctype else str(apps.get_app_config(app["app_label"]).verbose_name)
                module = modules.setdefault(
                    key,
                    {
                        "name": module_label(key),
                        "app_label": app["app_label"],
                        "app_url": "#module-" + key.lower().replace(" ", "-"),
                        "has_module_perms": True,
                        "models": [],
                        "module": key,
                    },
                )
                module["models"].append(model_dict)
        ordered = sorted(modules.values(), key=lambda m: (module_order(m["module"]), str(m["name"])))
        for module in ordered:
            module["models"].sort(key=lambda m: str(m["name"]))
        return ordered
