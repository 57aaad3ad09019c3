from django.contrib import admin

from lowcode.deadlines.models import CalendarDay, WorkingCalendar
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class CalendarDayInline(ChildTableInline):
    model = CalendarDay
    fields = ("date", "kind", "note")
    ordering = ("date",)


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(DocTypeAdmin):
    inlines = [CalendarDayInline]
    list_display = ("name", "time_zone", "is_default", "modified_at")
    search_fields = ("name",)
    fields = ("name", "time_zone", "weekdays", "windows", "is_default")
