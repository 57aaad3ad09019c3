from django.contrib import admin

from gov_services.gov_services.doctype.staff.models import Staff
from lowcode.desk.admin import DocTypeAdmin


@admin.register(Staff)
class StaffAdmin(DocTypeAdmin):
    list_display = ("user", "department", "title", "window_no", "phone")
    list_filter = ("department",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__name")
    autocomplete_fields = ("user", "department")
    list_select_related = ("user", "department")
