from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.evaluation.models import Evaluation
from lowcode.desk.admin import DocTypeAdmin


@admin.register(Evaluation)
class EvaluationAdmin(DocTypeAdmin):
    list_display = ("evaluated_at", "level", "channel", "application", "work_order", "department", "workflow_status")
    list_filter = ("level", "status", "channel", "department", "evaluated_at")
    search_fields = ("application__number", "work_order__number", "evaluator_name", "text", "reason")
    list_select_related = ("application", "work_order", "department")
    autocomplete_fields = ("application", "work_order", "department", "evaluator_user")
    readonly_fields = ("status", "department", "evaluated_at")
    fieldsets = (
        (
            _("Evaluation"),
            {
                "fields": (
                    "application",
                    "work_order",
                    "department",
                    "level",
                    "channel",
                    "text",
                    "reason",
                    "evaluator_name",
                    "evaluator_user",
                    "evaluated_at",
                    "status",
                )
            },
        ),
        (
            _("Rectification"),
            {
                "fields": (
                    "callback_at",
                    "callback_note",
                    "rectification",
                    "rectified_at",
                    "review_note",
                    "appeal_reason",
                )
            },
        ),
    )
