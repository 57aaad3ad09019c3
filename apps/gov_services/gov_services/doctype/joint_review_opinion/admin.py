from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from gov_services.gov_services.doctype.joint_review_opinion.models import JointReviewOpinion
from lowcode.core import permissions
from lowcode.deadlines import desk as deadline_desk
from lowcode.desk.admin import DocTypeAdmin

SHOWN = ("department", "step", "status", "review_days", "opened_at", "clock", "opinion", "answered_at", "answered_by")


def clock(obj: JointReviewOpinion) -> str:
    """The opinion's own clock: its light and when it is due (none once answered). A few rows a form."""
    deadline = deadline_desk.open_for(JointReviewOpinion).filter(doc_id=obj.pk).order_by("due_at").first()
    if deadline is None:
        return "—"
    deadline_desk.decorate_one(obj, deadline)
    found = deadline_desk.badge(obj)
    return found[1] if found else "—"


@admin.register(JointReviewOpinion)
class JointReviewOpinionAdmin(DocTypeAdmin):
    list_display = ("application", "department", "mode", "step", "workflow_status", "opened_at", "answered_at")
    list_filter = ("status", "mode", "department", "opened_at")
    search_fields = ("^application__number", "opinion")
    list_select_related = ("application", "department")
    readonly_fields = (
        "application",
        "department",
        "lead_department",
        "mode",
        "round",
        "step",
        "review_days",
        "status",
        "opened_at",
        "answered_at",
        "answered_by",
    )
    fieldsets = (
        (
            _("Joint review"),
            {"fields": ("application", "lead_department", "department", "mode", "round", "step", "status")},
        ),
        (_("Time"), {"fields": ("review_days", "opened_at", "answered_at", "answered_by")}),
        (_("Opinion"), {"fields": ("opinion", "attachment")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # asked for by starting the joint review of the application


class JointReviewOpinionInline(TabularInline):
    """The application's joint review: each co-department's step, opinion and clock, read-only here (each
    department answers on its own opinion)."""

    model = JointReviewOpinion
    fk_name = "application"
    fields = SHOWN
    readonly_fields = SHOWN
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("joint review")

    def get_queryset(self, request: HttpRequest) -> Any:
        """The opinions the user may read: all of them for the lead department and the centre, its own for a
        co-department (the permission layer's scope, as in the opinions' list and the API)."""
        rows = super().get_queryset(request).select_related("department", "answered_by")
        return permissions.scope(request.user, rows, "read")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Shown on the applications of joint-handling matters only."""
        if obj is not None and not obj.joint_mode:
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("time limit"))
    def clock(self, obj: JointReviewOpinion) -> str:
        return clock(obj)
