from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.special_procedure.models import SpecialProcedure
from lowcode.desk.admin import DocTypeAdmin


@admin.register(SpecialProcedure)
class SpecialProcedureAdmin(DocTypeAdmin):
    list_display = ("application", "kind", "department", "started_at", "expected_end", "ended_at")
    list_filter = ("kind", "department", "started_at")
    search_fields = ("application__number", "reason", "findings")
    list_select_related = ("application", "department")
    autocomplete_fields = ("application",)
    readonly_fields = ("department", "started_at", "expected_end")
    fieldsets = (
        (_("Special procedure"), {"fields": ("application", "kind", "reason", "expected_days", "department")}),
        (_("Time"), {"fields": ("started_at", "expected_end", "ended_at")}),
        (_("Findings"), {"fields": ("findings", "attachment")}),
    )
