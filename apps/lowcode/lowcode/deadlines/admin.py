from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from lowcode.core.documents import save_doc
from lowcode.deadlines import desk as deadline_desk
from lowcode.deadlines import recompute
from lowcode.deadlines.models import (
    CalendarDay,
    Deadline,
    DeadlinePolicy,
    DeadlineRecompute,
    SupervisionNotice,
    WorkingCalendar,
)
from lowcode.desk import cells
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin, RecordOnlyAdmin
from lowcode.workflow.models import Workflow


class CalendarDayInline(ChildTableInline):
    model = CalendarDay
    fields = ("date", "kind", "note")
    ordering = ("date",)


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(DocTypeAdmin):
    inlines = [CalendarDayInline]
    list_display = ("name", "time_zone", "is_default", "modified_at")
    search_fields = ("name",)
    fields = ("name", "time_zone", "weekdays", "windows", "is_default", "recomputations")
    readonly_fields = ("recomputations",)

    @admin.display(description=_("recomputed deadlines"))
    def recomputations(self, obj: WorkingCalendar) -> str:
        rows = list(obj.recomputes.all()[:5]) if obj.pk else []
        if not rows:
            return "—"
        return "；".join(
            f"{r.requested_at:%Y-%m-%d %H:%M} {r.get_status_display()} {r.done}/{r.total}（{r.progress}%）"
            for r in rows
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(f.has_changed() for f in formsets)):
            job = recompute.request(form.instance, request.user)
            if job is not None:
                self.message_user(
                    request,
                    _("The calendar changed: %(count)s open deadlines are being recomputed in the background.")
                    % {"count": job.total},
                    messages.INFO,
                )


class DeadlinePolicyForm(forms.ModelForm):
    """States and actions are ticked from the DocType's workflow — no JSON to type for the clock."""

    STATE_FIELDS = ("start_states", "stop_states", "pause_states")

    class Meta:
        model = DeadlinePolicy
        fields = (
            *("name", "label_zh", "label_en", "doctype", "condition", "is_active"),
            *("start_states", "start_actions", "stop_states", "pause_states"),
            *("rule", "amount", "limit_amount_field", "limit_unit_field", "or_document_limit", "calendar"),
            "start_field",
            *("yellow_mode", "yellow_value", "department_field", "on_yellow", "on_red"),
        )

    def __init__(self, *args: Any, doctype: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workflows = Workflow.objects.filter(is_active=True).prefetch_related("states", "transitions")
        if doctype:
            workflows = workflows.filter(doctype=doctype)
        many = len(workflows) > 1
        states: dict[str, str] = {}
        actions: dict[str, str] = {}
        for workflow in workflows:
            prefix = f"{workflow.doctype} · " if many else ""
            for state in workflow.states.all():
                states.setdefault(state.name, f"{prefix}{state.label}（{state.name}）")
            for transition in workflow.transitions.all():
                actions.setdefault(transition.action, f"{prefix}{transition.label}（{transition.action}）")
        choices = {"start_states": states, "stop_states": states, "pause_states": states, "start_actions": actions}
        for name, options in choices.items():
            field = self.fields[name]
            current = [v for v in (self.initial.get(name) or []) if v not in options]
            self.fields[name] = forms.MultipleChoiceField(
                label=field.label,
                required=False,
                choices=[*options.items(), *((v, v) for v in current)],
                widget=forms.CheckboxSelectMultiple,
                help_text=field.help_text,
            )
        doctypes = sorted({w.doctype for w in Workflow.objects.filter(is_active=True)})
        self.fields["doctype"] = forms.ChoiceField(
            label=self.fields["doctype"].label, choices=[("", "—"), *((d, d) for d in doctypes)]
        )


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(DocTypeAdmin):
    form = DeadlinePolicyForm
    list_display = ("label_zh", "doctype", "rule", "amount", "calendar", "is_active")
    list_filter = ("doctype", "rule", "is_active")
    search_fields = ("name", "label_zh", "label_en")
    fieldsets = (
        (None, {"fields": ("name", "label_zh", "label_en", "doctype", "condition", "is_active")}),
        (_("Clock"), {"fields": ("start_states", "start_actions", "start_field", "stop_states", "pause_states")}),
        (
            _("Limit"),
            {"fields": ("rule", "amount", "limit_amount_field", "limit_unit_field", "or_document_limit", "calendar")},
        ),
        (_("Lights"), {"fields": ("yellow_mode", "yellow_value", "department_field", "on_yellow", "on_red")}),
    )

    def get_form(self, request: HttpRequest, obj: DeadlinePolicy | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        doctype = obj.doctype if obj is not None else request.POST.get("doctype") or request.GET.get("doctype", "")

        class ForDocType(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, doctype=doctype, **kw)

        return ForDocType


@admin.register(Deadline)
class DeadlineAdmin(RecordOnlyAdmin):
    list_display = ("doc_title", "policy", "department", "light_badge", "status", "started_at", "due_at")
    list_filter = ("light", "status", "doctype", "policy")
    search_fields = ("doc_title", "department")
    readonly_fields = ("failed_actions",)

    @admin.display(description=_("failed automatic actions"))
    def failed_actions(self, obj: Deadline) -> str:
        rows = list(obj.action_failures.all()) if obj.pk else []
        if not rows:
            return "—"
        return "；".join(
            f"{timezone.localtime(f.failed_at):%Y-%m-%d %H:%M} {f.get_light_display()} {f.summary}: {f.error}"
            for f in rows
        )

    @display(description=_("light"), ordering="light")
    def light_badge(self, obj: Deadline) -> Any:
        colour, label = deadline_desk.BADGE[obj.light]
        return cells.label(colour, label)


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(DocTypeAdmin):
    list_display = ("number", "subject", "department", "status", "issued_at", "due_at", "answered_at")
    list_filter = ("status", "doctype")
    search_fields = ("number", "subject", "doc_title", "department")
    fields = ("number", "subject", "doctype", "doc_title", "department", "issued_at", "due_at", "status", "answer")
    readonly_fields = (*fields[:-1], "answered_at")  # the department writes its answer; the rest is the record
    fields = (*fields, "answered_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SupervisionNotice, form: Any, change: bool) -> None:
        if "answer" in form.changed_data and obj.answer.strip():
            obj.status = SupervisionNotice.Status.ANSWERED
            obj.answered_at = timezone.now()
            save_doc(obj, update_fields=["answer", "status", "answered_at"], user=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(DeadlineRecompute)
class DeadlineRecomputeAdmin(RecordOnlyAdmin):
    list_display = ("calendar", "requested_at", "requested_by", "status", "done", "total", "changed", "finished_at")
    list_filter = ("status",)
