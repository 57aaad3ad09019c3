"""Desk views beyond the admin's own: the standard print view of any DocType record.

Print formats (Jinja, PDF) build on this; without one, a record prints as its form's sections.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lowcode.core import permissions
from lowcode.core.masking import display_value


@staff_member_required(login_url="admin:login")
def print_view(request: HttpRequest, app_label: str, model_name: str, pk: str) -> HttpResponse:
    from lowcode.printing.views import print_record

    printed = print_record(request, app_label, model_name, pk)  # the DocType's print format, as PDF
    if printed is not None:
        return printed
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    queryset = permissions.scope(request.user, model._default_manager.all(), "print")
    doc = queryset.filter(pk=pk).first()
    if doc is None:  # outside the user's scope looks the same as absent: nothing leaks
        raise Http404
    model_admin = admin.site._registry.get(model)
    sections = []
    fieldsets = model_admin.get_fieldsets(request, doc) if model_admin else [(None, {"fields": []})]
    for title, opts in fieldsets:
        rows = []
        for name in opts["fields"]:
            for field_name in name if isinstance(name, list | tuple) else [name]:
                field_name = field_name.removeprefix("masked_")
                try:
                    field = model._meta.get_field(field_name)
                except FieldDoesNotExist:  # computed columns are not printed
                    continue
                if getattr(field, "choices", None):
                    value = getattr(doc, f"get_{field_name}_display")()
                else:
                    value = display_value(request.user, doc, field_name)
                rows.append((field.verbose_name, "" if value is None else value))
        sections.append((title, rows))
    return render(request, "desk/print.html", {"doc": doc, "opts": model._meta, "sections": sections})
