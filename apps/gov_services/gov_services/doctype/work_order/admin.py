from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.work_order import services
from gov_services.gov_services.doctype.work_order.models import WorkOrder
from lowcode.desk.admin import DocTypeAdmin


@admin.register(WorkOrder)
class WorkOrderAdmin(DocTypeAdmin):
    list_display = (
        "number",
        "order_type",
        "source",
        "subject",
        "applicant_name",
        "department",
        "workflow_status",
        "received_at",
    )
    list_filter = ("status", "order_type", "source", "department", "received_at")
    search_fields = ("number", "subject", "applicant_name", "phone")
    list_select_related = ("department",)
    date_hierarchy = "received_at"
    autocomplete_fields = ("matter", "application", "department", "applicant_user")
    readonly_fields = ("number", "status", "transferred_at", "accepted_at", "replied_at", "revisited_at", "closed_at")
    fieldsets = (
        (_("Work order"), {"fields": ("number", "order_type", "source", "status", "received_at")}),
        (_("Request"), {"fields": ("subject", "content", "matter", "application")}),
        (_("Applicant"), {"fields": ("applicant_name", "phone", "id_number", "applicant_user")}),
        (
            _("Handling"),
            {
                "fields": (
                    "department",
                    "transferred_at",
                    "accepted_at",
                    "return_reason",
                    "return_basis",
                    "reply",
                    "replied_at",
                    "result_file",
                )
            },
        ),
        (_("Revisit"), {"fields": ("revisited_at", "satisfaction", "revisit_note", "closed_at")}),
    )

    def save_model(self, request: HttpRequest, obj: WorkOrder, form: Any, change: bool) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        fields = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("number", "status")}
        created = services.work_order_create(user=request.user, **fields)
        obj.pk, obj.number = created.pk, created.number
