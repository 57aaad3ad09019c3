"""Customize Form (Frappe's): one page per DocType to override its standard fields' label, visibility,
requirement, read-only, list column, standard filter, default, select options, order and section — checked as a
whole before anything is saved — and to reset it to standard. Custom fields are listed beside them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lowcode.core import permissions, registry
from lowcode.core.definitions import forget_request_stamp
from lowcode.customization.admin import doctype_choices
from lowcode.customization.meta import custom_fields, overrides
from lowcode.customization.models import CustomField, PropertySetter
from lowcode.customization.schema import OVERRIDABLE, check_overrides, customisable, standard_fields

FLAGS = ("hidden", "required", "read_only", "in_list_view", "in_standard_filter")


def _rows(model: Any, doctype: str, data: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    from django.contrib import admin

    model_admin = admin.site._registry.get(model)
    request_free_list = list(getattr(model_admin, "list_display", ()) or ())
    filters = list(getattr(model_admin, "list_filter", ()) or ())
    current = data if data is not None else overrides(doctype)
    rows = []
    for field in standard_fields(model):
        props = current.get(field.name, {})
        mandatory = not field.blank and not field.has_default()
        rows.append(
            {
                "name": field.name,
                "standard_label": str(field.verbose_name),
                "type": type(field).__name__,
                "mandatory": mandatory,
                "choices": [str(v) for v, _l in (field.choices or [])],
                "label": props.get("label", ""),
                "hidden": props.get("hidden") == "1",
                "required": props.get("required", "1" if mandatory else "") == "1",
                "read_only": props.get("read_only") == "1",
                "in_list_view": props.get("in_list_view", "1" if field.name in request_free_list else "") == "1",
                "in_standard_filter": props.get("in_standard_filter", "1" if field.name in filters else "") == "1",
                "default": props.get("default", ""),
                "options": props.get("options", ""),
                "idx": props.get("idx", ""),
                "section": props.get("section", ""),
                "standard_list": field.name in request_free_list,
                "standard_filter": field.name in filters,
            }
        )
    return rows


def _submitted(request: HttpRequest, rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Only what differs from the standard definition becomes an override."""
    changes: dict[str, dict[str, str]] = {}
    for row in rows:
        name = row["name"]
        props: dict[str, str] = {}
        for key in ("label", "default", "options", "idx", "section"):
            value = request.POST.get(f"{name}-{key}", "").strip()
            if value and not (key == "label" and value == row["standard_label"]):
                props[key] = value
        standard = {
            "hidden": False,
            "required": row["mandatory"],
            "read_only": False,
            "in_list_view": row["standard_list"],
            "in_standard_filter": row["standard_filter"],
        }
        for key in FLAGS:
            ticked = request.POST.get(f"{name}-{key}") == "on"
            if ticked != standard[key]:
                props[key] = "1" if ticked else "0"
        if props:
            changes[name] = props
    return changes


@staff_member_required(login_url="admin:login")
def customize_form(request: HttpRequest) -> HttpResponse:
    if not permissions.has_role_right(request.user, CustomField, "write"):
        raise PermissionDenied
    doctype = request.GET.get("doctype") or request.POST.get("doctype") or ""
    model = customisable(doctype) if doctype else None
    context: dict[str, Any] = {"doctypes": doctype_choices(), "doctype": doctype, "title": _("Customize Form")}
    if model is None:
        return render(request, "customization/customize_form.html", context)
    rows = _rows(model, doctype)
    problems: list[str] = []
    if request.method == "POST":
        if request.POST.get("reset"):
            with transaction.atomic():
                PropertySetter.objects.filter(doctype=doctype).delete()
            forget_request_stamp()
            messages.success(request, _("%(doctype)s is back to its standard form.") % {"doctype": doctype})
            return redirect(f"{reverse('desk_customize_form')}?doctype={doctype}")
        changes = _submitted(request, rows)
        problems = check_overrides(doctype, changes)
        if not problems:
            with transaction.atomic():
                PropertySetter.objects.filter(doctype=doctype).delete()
                PropertySetter.objects.bulk_create(
                    PropertySetter(doctype=doctype, fieldname=name, property=key, value=value)
                    for name, props in changes.items()
                    for key, value in props.items()
                    if key in OVERRIDABLE
                )
            forget_request_stamp()
            messages.success(
                request, _("Saved. The form and list of %(doctype)s use it from now on.") % {"doctype": doctype}
            )
            return redirect(f"{reverse('desk_customize_form')}?doctype={doctype}")
        rows = _rows(model, doctype, changes)
    context.update(
        rows=rows,
        problems=problems,
        custom=custom_fields(doctype),
        label=model._meta.verbose_name,
        add_custom_url=f"{reverse('admin:lowcode_customization_customfield_add')}?doctype={doctype}",
        list_url=_list_url(doctype),
    )
    return render(request, "customization/customize_form.html", context, status=400 if problems else 200)


def _list_url(doctype: str) -> str:
    opts = registry.get(doctype).model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except Exception:
        return ""
