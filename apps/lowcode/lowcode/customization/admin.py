from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lowcode.core import registry
from lowcode.customization import services
from lowcode.customization.models import CustomField
from lowcode.desk.admin import DocTypeAdmin


def doctype_choices() -> list[tuple[str, str]]:
    from lowcode.customization.schema import customisable

    return sorted(
        (
            (d.name, f"{d.model._meta.verbose_name}（{d.name}）")
            for d in registry.all_doctypes()
            if customisable(d.name)
        ),
        key=lambda c: c[0],
    )


class CustomFieldForm(forms.ModelForm):
    doctype = forms.ChoiceField(label=_("DocType"), choices=doctype_choices)

    class Meta:
        model = CustomField
        fields = (
            "doctype",
            "fieldname",
            "label_zh",
            "label_en",
            "fieldtype",
            "options",
            "description",
            "required",
            "default",
            "read_only",
            "hidden",
            "depends_on",
            "insert_after",
            "in_list_view",
            "in_standard_filter",
            "in_web_form",
        )


@admin.register(CustomField)
class CustomFieldAdmin(DocTypeAdmin):
    form = CustomFieldForm
    list_display = (
        "doctype",
        "fieldname",
        "label_zh",
        "fieldtype",
        "required",
        "in_list_view",
        "in_standard_filter",
        "in_web_form",
        "archived",
    )
    list_filter = ("doctype", "fieldtype", "archived")
    search_fields = ("fieldname", "label_zh", "label_en", "doctype")
    actions = ["export_xlsx", "restore_selected", "purge_selected"]
    fieldsets = (
        (None, {"fields": ("doctype", "fieldname", "label_zh", "label_en", "fieldtype", "options", "description")}),
        (_("Behaviour"), {"fields": ("required", "default", "read_only", "hidden", "depends_on", "insert_after")}),
        (_("Where it shows"), {"fields": ("in_list_view", "in_standard_filter", "in_web_form")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "doctype", "fieldname"] if obj is not None else readonly

    def save_model(self, request: HttpRequest, obj: CustomField, form: Any, change: bool) -> None:
        if change:
            services.custom_field_update(cf=obj, fields=list(form.changed_data), user=request.user)
        else:
            services.custom_field_insert(cf=obj, user=request.user)

    def delete_model(self, request: HttpRequest, obj: CustomField) -> None:
        services.custom_field_archive(cf=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for cf in queryset:
            services.custom_field_archive(cf=cf, user=request.user)

    @admin.action(description=_("Restore the selected archived fields"))
    def restore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for cf in queryset.filter(archived=True):
            services.custom_field_restore(cf=cf, user=request.user)

    @admin.action(description=_("Purge the selected archived fields and their values"))
    def purge_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not self.has_delete_permission(request):
            return
        purged = 0
        for cf in queryset.filter(archived=True):
            purged += services.custom_field_purge(cf=cf)
        self.message_user(request, _("Purged; %(count)s records changed.") % {"count": purged}, messages.SUCCESS)
