from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from gov_services.gov_services.desk import STATUS_COLOURS
from gov_services.gov_services.doctype.guide import services
from gov_services.gov_services.doctype.guide.models import Guide, GuideFee, GuideMaterial
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class GuideMaterialInline(ChildTableInline):
    model = GuideMaterial
    fields = ("idx", "name", "form", "medium", "necessity", "source", "copies", "legal_basis", "licence_type", "notes")
    autocomplete_fields = ("licence_type",)
    ordering = ("idx", "id")


class GuideFeeInline(ChildTableInline):
    model = GuideFee
    fields = ("idx", "item", "standard", "basis", "reducible")


@admin.register(Guide)
class GuideAdmin(DocTypeAdmin):
    inlines = [GuideMaterialInline, GuideFeeInline]
    list_display = ("matter", "version", "show_status", "published_at", "result_name")
    list_filter = ("status", "matter__theme_window", "matter__department")
    search_fields = ("matter__name", "matter__implementation_code", "result_name")
    list_select_related = ("matter",)
    autocomplete_fields = ("matter",)
    readonly_fields = ("status", "published_at")
    actions = ["export_xlsx", "publish", "new_version"]
    fieldsets = (
        (_("Version"), {"fields": ("matter", "version", "status", "published_at")}),
        (_("Basis and conditions"), {"fields": ("legal_basis", "acceptance_conditions", "review_standard")}),
        (_("Process"), {"fields": ("process", "handling_forms", "tolerance_acceptance", "universal_scope")}),
        (_("Result and fees"), {"fields": ("result_name", "result_sample", "charge_free")}),
        (
            _("Where and when"),
            {
                "fields": (
                    "location",
                    "office_hours",
                    "appointment",
                    "online_payment",
                    "express_delivery",
                    "consultation",
                    "complaint_channel",
                )
            },
        ),
    )

    @display(description=_("status"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: Guide) -> Any:
        return obj.status, obj.get_status_display()

    def has_change_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)

    @admin.action(description=_("Publish the selected guides"))
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        for guide in queryset:
            try:
                services.guide_publish(guide=guide, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{guide}：{'；'.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(guide)s published.") % {"guide": guide}, messages.SUCCESS)

    @admin.action(description=_("Start a new version of the selected guides"))
    def new_version(self, request: HttpRequest, queryset: QuerySet) -> None:
        for guide in queryset:
            new = services.guide_new_version(guide=guide, user=request.user)
            self.message_user(request, _("%(guide)s created as a draft.") % {"guide": new}, messages.SUCCESS)
