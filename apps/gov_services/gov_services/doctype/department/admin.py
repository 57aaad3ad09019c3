from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.department.models import Department
from lowcode.desk.admin import DocTypeAdmin


@admin.register(Department)
class DepartmentAdmin(DocTypeAdmin):
    list_display = ("name", "short_name", "uscc", "region_code", "parent", "resident_in_hall", "is_active")
    list_filter = ("resident_in_hall", "is_active")
    search_fields = ("name", "short_name", "uscc")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("liaisons",)
    fieldsets = (
        (_("Basic information"), {"fields": ("name", "short_name", "uscc", "region_code", "parent")}),
        (_("In the hall"), {"fields": ("resident_in_hall", "phone", "address", "liaisons", "is_active")}),
    )
