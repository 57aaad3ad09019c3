from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from gov_services.gov_services.doctype.handover.models import Handover, HandoverItem
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class HandoverItemInline(ChildTableInline):
    model = HandoverItem
    fields = ("application", "licence", "pieces", "verified", "note")
    autocomplete_fields = ("application", "licence")


@admin.register(Handover)
class HandoverAdmin(DocTypeAdmin):
    inlines = [HandoverItemInline]
    list_display = ("number", "kind", "department", "workflow_status", "item_count", "sent_at", "signed_at")
    list_filter = ("kind", "status", "department")
    search_fields = ("number", "items__application__number", "waybill_no")
    list_select_related = ("department",)
    readonly_fields = ("number", "received_at", "status", "sent_at", "signed_at", "signed_by")
    fieldsets = (
        (_("Handover"), {"fields": ("number", "kind", "department", "received_at", "status")}),
        (_("Sending and signing"), {"fields": ("sent_at", "signed_at", "signed_by", "reject_reason")}),
        (_("Delivery"), {"fields": ("delivery_method", "waybill_no", "locker_code", "recipient_name")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(items_count=Count("items"))

    @display(description=_("applications"), ordering="items_count")
    def item_count(self, obj: Handover) -> int:
        return obj.items_count  # type: ignore[attr-defined]
