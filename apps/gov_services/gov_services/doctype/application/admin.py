from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.application.models import Application, ApplicationMaterial
from gov_services.gov_services.doctype.joint_review_opinion.admin import JointReviewOpinionInline
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class ApplicationMaterialInline(ChildTableInline):
    model = ApplicationMaterial
    fields = ("name", "necessity", "file", "licence", "status", "due_date", "note", "return_original", "received_at")
    readonly_fields = ("name", "necessity", "received_at")
    autocomplete_fields = ("licence",)
    rows_addable = False  # the rows follow the guide's materials

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("guide_material")

    @admin.display(description=_("necessity"))
    def necessity(self, obj: ApplicationMaterial) -> str:
        """Whether the guide requires it, leaves it optional or allows it to be supplied later (容缺后补)."""
        material = obj.guide_material
        return material.get_necessity_display() if material else "—"


@admin.register(Application)
class ApplicationAdmin(DocTypeAdmin):
    inlines = [ApplicationMaterialInline, JointReviewOpinionInline]
    list_display = (
        "number",
        "applicant_name",
        "id_number",
        "matter",
        "department",
        "workflow_status",
        "channel",
        "submitted_at",
    )
    list_filter = ("status", "department", "channel", "applicant_type", "matter__matter_type", "submitted_at")
    search_fields = ("^number", "applicant_name", "contact_name", "=id_number", "^phone")
    search_help_text = _(
        "Search by the start of an application number or phone number, a full ID number, or a name or part of one."
    )
    list_select_related = ("matter", "department")
    form_select_related = ("matter", "guide__matter", "department")
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("matter", "applicant_user")
    readonly_fields = (
        "number",
        "guide",
        "department",
        "co_departments",
        "status",
        "submitted_at",
        "accepted_at",
        "decided_at",
        "completed_at",
        "archived_at",
    )
    export_fields = (
        "number",
        "applicant_name",
        "id_number",
        "phone",
        "matter",
        "department",
        "status",
        "channel",
        "submitted_at",
    )
    fieldsets = (
        (
            _("Application"),
            {"fields": ("number", "matter", "guide", "department", "co_departments", "channel", "status")},
        ),
        (
            _("Applicant"),
            {
                "fields": (
                    "applicant_type",
                    "applicant_name",
                    "id_type",
                    "id_number",
                    "contact_name",
                    "phone",
                    "address",
                    "applicant_user",
                )
            },
        ),
        (
            _("Dates"),
            {"fields": ("submitted_at", "received_at", "accepted_at", "decided_at", "completed_at", "archived_at")},
        ),
        (
            _("Decision and delivery"),
            {"fields": ("decision_reason", "delivery_method", "waybill_no", "locker_code", "remarks")},
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["matter", "applicant_type", "id_type"]
        return readonly

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
        else:  # the material rows follow the guide; only custom values are left to write
            self.write_pending_custom(request, form, change)
