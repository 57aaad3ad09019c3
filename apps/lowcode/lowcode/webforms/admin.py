from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from lowcode.desk.admin import ChildTableInline, DocTypeAdmin
from lowcode.webforms.models import WebForm, WebFormField
from lowcode.webforms.schema import check_web_form


class WebFormFieldFormSet(BaseInlineFormSet):
    """The form and its rows are checked together, so a bad field name is refused with the form unsaved."""

    def clean(self) -> None:
        super().clean()
        rows = [
            form.instance
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        errors = check_web_form(self.instance, rows)
        if errors:
            raise ValidationError([message for messages in errors.values() for message in messages])


class WebFormFieldInline(ChildTableInline):
    model = WebFormField
    formset = WebFormFieldFormSet
    fields = (
        "idx",
        "fieldname",
        "label",
        "page",
        "section",
        "required",
        "read_only",
        "default",
        "description",
        "file_types",
        "max_size_mb",
    )


@admin.register(WebForm)
class WebFormAdmin(DocTypeAdmin):
    inlines = [WebFormFieldInline]
    list_display = ("title", "route", "doctype", "published", "login_required", "realname_level")
    list_filter = ("doctype", "published", "realname_level")
    search_fields = ("title", "route", "doctype")
    fieldsets = (
        (None, {"fields": ("title", "route", "doctype", "introduction", "published")}),
        (
            None,
            {
                "fields": (
                    "login_required",
                    "realname_level",
                    "owner_field",
                    "editable_states",
                    "show_list",
                    "list_columns",
                )
            },
        ),
        (None, {"fields": ("allowed_file_types", "max_file_size_mb", "success_message")}),
    )

    def get_exclude(self, request: Any, obj: Any = None) -> Any:
        return ("fixture_hash",)
