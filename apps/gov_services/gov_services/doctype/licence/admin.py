from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from gov_services.gov_services.desk import STATUS_COLOURS
from gov_services.gov_services.doctype.licence.models import Licence, LicenceType
from lowcode.desk.admin import DocTypeAdmin


@admin.register(LicenceType)
class LicenceTypeAdmin(DocTypeAdmin):
    list_display = ("code", "name", "issuer", "validity_years")
    search_fields = ("code", "name")
    autocomplete_fields = ("issuer",)


@admin.register(Licence)
class LicenceAdmin(DocTypeAdmin):
    list_display = (
        "number",
        "name",
        "holder_name",
        "holder_id_number",
        "issuer",
        "issued_on",
        "valid_to",
        "show_status",
    )
    list_filter = ("status", "licence_type", "issuer", "issued_on")
    search_fields = ("identifier", "number", "holder_name", "=holder_id_number")
    list_select_related = ("issuer", "licence_type")
    autocomplete_fields = ("licence_type", "issuer", "application")
    readonly_fields = ("identifier",)
    fieldsets = (
        (_("Licence"), {"fields": ("identifier", "licence_type", "name", "number", "status", "pdf")}),
        (_("Holder"), {"fields": ("holder_name", "holder_id_type", "holder_id_number")}),
        (_("Issue and validity"), {"fields": ("issuer", "issued_on", "valid_from", "valid_to", "application")}),
    )

    @display(description=_("status"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: Licence) -> Any:
        return obj.status, obj.get_status_display()

    def get_readonly_fields(self, request: HttpRequest, obj: Licence | None = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:  # what identifies a licence never changes once issued
            readonly += ["licence_type", "issuer", "number", "holder_name", "holder_id_type", "issued_on"]
        return readonly
