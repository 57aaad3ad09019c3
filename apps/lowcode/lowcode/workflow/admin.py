"""Workflows in the desk: states and transitions inline, checked as a whole before anything is saved,
and drawn as a diagram."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from lowcode.core import registry
from lowcode.desk.admin import DocTypeAdmin, RecordOnlyAdmin
from lowcode.workflow.definition import definition_of, validate_definition
from lowcode.workflow.diagram import render_svg
from lowcode.workflow.models import Workflow, WorkflowAction, WorkflowState, WorkflowTransition


class StateFormSet(BaseInlineFormSet):
    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            rows.append(
                {
                    k: data.get(k)
                    for k in (
                        "name",
                        "label_zh",
                        "colour",
                        "is_initial",
                        "is_final",
                        "approval_mode",
                        "approval_groups_field",
                        "approvals_required",
                    )
                }
            )
        return rows


class TransitionFormSet(BaseInlineFormSet):
    """Checks the whole workflow — these transitions with the states being saved beside them."""

    states_formset: StateFormSet | None = None

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            rows.append(
                {
                    "from_state": data.get("from_state"),
                    "action": data.get("action"),
                    "to_state": data.get("to_state"),
                    "label_zh": data.get("label_zh"),
                    "roles": [r.name for r in data.get("roles") or []],
                    "condition": data.get("condition") or "",
                    "required_fields": [f.strip() for f in (data.get("required_fields") or "").split(",") if f.strip()],
                    "effects": data.get("effects") or [],
                }
            )
        return rows

    def clean(self) -> None:
        super().clean()
        # self.instance is the workflow being saved (the admin's form has been validated before the inlines)
        if self.states_formset is None or not self.states_formset.is_valid() or not self.instance.doctype:
            return
        errors = validate_definition(
            self.instance.doctype, self.instance.state_field or "status", self.states_formset.rows(), self.rows()
        )
        if errors:
            raise forms.ValidationError(errors)


class WorkflowStateInline(TabularInline):
    model = WorkflowState
    formset = StateFormSet
    extra = 0
    fields = (
        "idx",
        "name",
        "label_zh",
        "label_en",
        "colour",
        "is_initial",
        "is_final",
        "approval_mode",
        "approval_groups_field",
        "approvals_required",
    )
    ordering = ("idx", "id")


class WorkflowTransitionInline(TabularInline):
    model = WorkflowTransition
    formset = TransitionFormSet
    extra = 0
    fields = (
        "idx",
        "from_state",
        "action",
        "label_zh",
        "to_state",
        "roles",
        "condition",
        "require_comment",
        "required_fields",
        "allow_self_approval",
        "bypass_approvals",
        "effects",
    )
    ordering = ("idx", "id")

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "roles":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("condition", "effects") and field is not None:
            field.widget.attrs.update(rows=2, cols=30)
        return field


class WorkflowForm(forms.ModelForm):
    doctype = forms.ChoiceField(label=_("DocType"))

    class Meta:
        model = Workflow
        fields = ("name", "doctype", "state_field", "is_active", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doctype"].choices = [
            (d.name, f"{d.name}（{d.model._meta.verbose_name}）") for d in registry.all_doctypes()
        ]


@admin.register(Workflow)
class WorkflowAdmin(DocTypeAdmin):
    form = WorkflowForm
    inlines = [WorkflowStateInline, WorkflowTransitionInline]
    list_display = ("name", "doctype", "state_field", "is_active", "modified_at")
    list_filter = ("doctype", "is_active")
    search_fields = ("name", "doctype")
    readonly_fields = ("diagram",)
    fieldsets = ((None, {"fields": ("name", "doctype", "state_field", "is_active", "description", "diagram")}),)

    @admin.display(description=_("diagram"))
    def diagram(self, obj: Workflow) -> str:
        if obj.pk is None:
            return "—"
        states, transitions = definition_of(obj)
        return format_html('<div class="workflow-diagram">{}</div>', mark_safe(render_svg(states, transitions)))  # noqa: S308 (escaped in render_svg)

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        states = next((f for f in formsets if isinstance(f, StateFormSet)), None)
        for formset in formsets:
            if isinstance(formset, TransitionFormSet):
                formset.states_formset = states
        return formsets, inline_instances


@admin.register(WorkflowAction)
class WorkflowActionAdmin(RecordOnlyAdmin):
    list_display = ("at", "doctype", "doc_id", "action_label", "from_state", "to_state", "user")
    list_filter = ("doctype", "action")
    search_fields = ("doc_id", "comment")
    date_hierarchy = "at"
