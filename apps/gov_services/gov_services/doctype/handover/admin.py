from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from gov_services.gov_services.doctype.handover.models import Handover, HandoverItem, HandoverReturn
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class HandoverItemInline(ChildTableInline):
    model = HandoverItem
    fields = ("application", "licence", "pieces", "verified", "note")
    autocomplete_fields = ("application", "licence")


class HandoverReturnInline(ChildTableInline):
    """The originals the applications lent for inspection (原件核验后退还): listed from the applications, ticked
    by the clerk as they are handed back."""

    model = HandoverReturn
    fields = ("application", "material", "returned")
    readonly_fields = ("application", "material")
    rows_addable = False
    verbose_name_plural = _("originals to return (原件核验后退还)")


@admin.register(Handover)
class HandoverAdmin(DocTypeAdmin):
    inlines = [HandoverItemInline, HandoverReturnInline]
    list_display = ("number", "kind", "department", "workflow_status", "item_count", "sent_at", "signed_at")
    list_filter = ("kind", "status", "department")
    search_fields = ("number", "items__application__number", "waybill_no")
    list_select_related = ("department",)
    readonly_fields = ("number", "received_at", "status", "sent_at", "signed_at", "signed_by")
    fieldsets = (
        (_("Handover"), {"fields": ("number", "kind", "department", "received_at", "status")}),
        (_("Sending and signing"), {"fields": ("sent_at", "signed_at", "signed_by", "reject_reason")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "delivery_method",
                    "waybill_no",
                    "locker_code",
                    "locker_code_expires_at",
                    "recipient_name",
                    "service_receipt",
                )
            },
        ),
    )

    def get_inlines(self, request: HttpRequest, obj: Handover | None) -> Any:
        inlines = super().get_inlines(request, obj)
        if obj is None or obj.kind != Handover.Kind.DELIVERY:
            return [i for i in inlines if i is not HandoverReturnInline]
        return inlines

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(items_count=Count("items"))

    @display(description=_("applications"), ordering="items_count")
    def item_count(self, obj: Handover) -> int:
        return obj.items_count  # type: ignore[attr-defined]
