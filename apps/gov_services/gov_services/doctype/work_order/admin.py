from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.work_order.models import WorkOrder, WorkOrderCoUnit, WorkOrderMessage
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class WorkOrderMessageInline(ChildTableInline):
    """Follow-ups: the applicant's from the portal (read-only here), the unit's answers added in the desk."""

    model = WorkOrderMessage
    fields = ("at", "from_applicant", "author", "text")
    readonly_fields = ("at", "from_applicant", "author")
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkOrderCoUnitInline(ChildTableInline):
    """The co-units of an order involving several departments (S000 art. 7), named by the hotline: they see the
    order; the lead unit (the order's department) handles it. The controller refuses the lead as a co-unit."""

    model = WorkOrderCoUnit
    fields = ("department",)
    autocomplete_fields = ("department",)
    extra = 0


@admin.register(WorkOrder)
class WorkOrderAdmin(DocTypeAdmin):
    inlines = [WorkOrderCoUnitInline, WorkOrderMessageInline]
    list_display = (
        "number",
        "order_type",
        "source",
        "hotline_ticket_no",
        "subject",
        "applicant_name",
        "department",
        "workflow_status",
        "received_at",
    )
    list_filter = ("status", "order_type", "source", "outcome", "department", "received_at")
    search_fields = ("=hotline_ticket_no", "number", "subject", "applicant_name", "phone")
    list_select_related = ("department",)
    date_hierarchy = "received_at"
    autocomplete_fields = ("matter", "application", "department", "applicant_user")
    readonly_fields = ("number", "status", "transferred_at", "accepted_at", "replied_at", "revisited_at", "closed_at")
    fieldsets = (
        (
            _("Work order"),
            {"fields": ("number", "order_type", "source", "hotline_ticket_no", "status", "received_at")},
        ),
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
                    "outcome",
                    "reply",
                    "result_file",
                    "explanation",
                    "replied_at",
                )
            },
        ),
        (_("Revisit"), {"fields": ("revisited_at", "satisfaction", "revisit_note", "closed_at")}),
    )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is WorkOrderMessage:
            for row_form in formset.forms:
                message = row_form.instance
                if message.pk is None:
                    message.author, message.at, message.from_applicant = request.user, timezone.now(), False
        super().save_formset(request, form, formset, change)
