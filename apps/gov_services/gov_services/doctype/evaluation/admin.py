from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.evaluation import services
from gov_services.gov_services.doctype.evaluation.models import Evaluation
from lowcode.desk.admin import DocTypeAdmin


@admin.register(Evaluation)
class EvaluationAdmin(DocTypeAdmin):
    list_display = ("evaluated_at", "level", "channel", "application", "work_order", "department", "workflow_status")
    list_filter = ("level", "status", "channel", "department", "evaluated_at")
    search_fields = ("application__number", "work_order__number", "evaluator_name", "text", "reason")
    list_select_related = ("application", "work_order", "department")
    autocomplete_fields = ("application", "work_order", "department", "evaluator_user")
    readonly_fields = ("status",)
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

    def save_model(self, request: HttpRequest, obj: Evaluation, form: Any, change: bool) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        fields = {
            f: form.cleaned_data[f] for f in form.cleaned_data if f != "status" and f not in form.custom_field_names
        }
        obj.pk = services.evaluation_create(user=request.user, **fields).pk
