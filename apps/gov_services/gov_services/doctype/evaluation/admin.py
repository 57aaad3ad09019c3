from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gov_services.gov_services.doctype.evaluation.models import Evaluation, EvaluationScale, EvaluationScaleLevel
from gov_services.gov_services.doctype.evaluation.scales import scale_in_use
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class LevelFilter(admin.SimpleListFilter):
    """The levels of the scale in use (no DISTINCT over every evaluation), matched by value and words: a value
    means another level on another scale."""

    title = _("level")
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        return [(str(value), f"{value} {label}") for value, label in scale_in_use().choices()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        level = scale_in_use().get(int(self.value())) if (self.value() or "").isdigit() else None
        if level is None:
            return queryset
        return queryset.filter(level=level.value, level_label=level.label_zh)


class EvaluationForm(forms.ModelForm):
    """A new evaluation's level is chosen from the scale in use, by its words (a recorded one keeps its own)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("level")
        if field is not None and not field.disabled and self.instance.pk is None:
            choices = scale_in_use().choices()
            self.fields["level"] = forms.TypedChoiceField(
                label=field.label, choices=choices, coerce=int, help_text=field.help_text
            )


@admin.register(Evaluation)
class EvaluationAdmin(DocTypeAdmin):
    form = EvaluationForm
    list_display = (
        *("evaluated_at", "level_label", "poor", "channel", "application", "work_order", "department"),
        "workflow_status",
    )
    list_filter = (LevelFilter, "poor", "status", "channel", "department", "evaluated_at")
    search_fields = ("application__number", "work_order__number", "evaluator_name", "text", "reason")
    list_select_related = ("application", "work_order", "department")
    autocomplete_fields = ("application", "work_order", "department", "evaluator_user")
    readonly_fields = ("status", "department", "evaluated_at", "level_label", "poor")
    fieldsets = (
        (
            _("Evaluation"),
            {
                "fields": (
                    "application",
                    "work_order",
                    "department",
                    "level",
                    "level_label",
                    "poor",
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


class EvaluationScaleLevelInline(ChildTableInline):
    model = EvaluationScaleLevel
    fields = ("value", "label_zh", "label_en", "is_poor")
    extra = 0


@admin.register(EvaluationScale)
class EvaluationScaleAdmin(DocTypeAdmin):
    inlines = [EvaluationScaleLevelInline]
    list_display = ("name", "is_default", "modified_at")
    search_fields = ("name",)
    fields = ("name", "is_default", "description")
