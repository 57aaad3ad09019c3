"""The desk's base ModelAdmin for DocTypes: permissions and scope from lowcode.core.permissions, masked
fields from lowcode.core.masking, writes through the DocType's services, Excel export, and printing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from lowcode.core import indexes, permissions, search
from lowcode.core.controller import controller_for, readonly_for
from lowcode.core.documents import (
    delete_doc,
    insert_context,
    insert_doc,
    rows_context,
    save_doc,
    save_rows,
    update_context,
    validate_insert,
    validate_update,
)
from lowcode.core.files import check_uploads
from lowcode.core.masking import display_value, hidden_fields, mask, masked_fields
from lowcode.customization import desk as custom_desk
from lowcode.deadlines import desk as deadline_desk
from lowcode.deadlines.services import all_deadlines
from lowcode.desk import cells
from lowcode.desk.changelist import DRIVER_ATTR, DeskChangeList, DeskPaginator
from lowcode.printing import services as printing
from lowcode.printing.sandbox import TemplateProblem
from lowcode.printing.views import pdf_response
from lowcode.workflow import desk as workflow_desk
from lowcode.workflow import engine as workflow_engine


class DocTypeAdmin(ModelAdmin):
    """Subclasses set the usual ModelAdmin attributes; `export_fields` lists the exported columns."""

    export_fields: tuple[str, ...] = ()
    actions = ["export_xlsx", "print_selected"]
    list_per_page = 50
    change_form_template = "desk/change_form.html"
    change_list_template = "desk/change_list.html"
    form_select_related: tuple[str, ...] = ()  # foreign keys the change form shows (e.g. read-only, by name)

    def action_checkbox(self, obj: models.Model) -> Any:
        """The row's checkbox, drawn once per process (lowcode.desk.cells), not per row."""
        return cells.action_checkbox(obj.pk)

    action_checkbox.short_description = ModelAdmin.action_checkbox.short_description  # type: ignore[attr-defined]

    # -- permissions: every check goes through lowcode.core.permissions ------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return permissions.scope(request.user, super().get_queryset(request), "read")

    # -- the list at volume (lowcode.desk.changelist): ids through an index, a capped count ----------------
    paginator = DeskPaginator
    show_full_result_count = False  # a second count of the whole table on every filtered page

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        return DeskChangeList

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, per_page: int, *args: Any, **kwargs: Any) -> Any:
        paginator = super().get_paginator(request, queryset, per_page, *args, **kwargs)
        paginator.driver = getattr(request, DRIVER_ATTR, None)  # the changelist's page driver, if any
        return paginator

    def get_sortable_by(self, request: HttpRequest) -> Any:
        """On a DocType that grows with the work, the columns an index sorts (lowcode.core.indexes)."""
        sortable = super().get_sortable_by(request)
        if not indexes.is_large(self.model):
            return sortable
        return [c for c in sortable if self._sorted_by_index(c)]

    def _sorted_by_index(self, column: Any) -> bool:
        if isinstance(column, str):
            try:
                field = self.model._meta.get_field(column)
            except FieldDoesNotExist:
                column = getattr(self, column, None) or getattr(self.model, column, None)
            else:
                return indexes.serves(self.model, field.attname if field.many_to_one else field.name)
        order = getattr(column, "admin_order_field", None)
        return isinstance(order, str) and indexes.serves(self.model, order)

    def decorate_page(self, request: HttpRequest, rows: list[models.Model]) -> None:
        """What a page's rows show beyond their own columns, loaded for the page's ids only: deadline lights."""
        if self._has_deadlines(request):
            deadline_desk.decorate(rows)

    def _has_deadlines(self, request: HttpRequest) -> bool:
        """Whether deadline policies run on this DocType — asked once per request (list, columns, filters)."""
        cache = request.__dict__.setdefault("_lowcode_has_deadlines", {})
        if self.model not in cache:
            cache[self.model] = deadline_desk.has_policies(self.model)
        return cache[self.model]

    def _may(self, request: HttpRequest, ptype: str, obj: models.Model | None) -> bool:
        if obj is None:
            return permissions.has_role_right(request.user, self.model, ptype)
        # A form asks the same question many times (the form, each inline, each button): once per request.
        cache = request.__dict__.setdefault("_lowcode_may", {})
        key = (self.model, ptype, obj.pk)
        if key not in cache:
            cache[key] = permissions.has_permission(request.user, obj, ptype)
        return cache[key]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """Django's get_object, with the related rows the form shows (`form_select_related`) in the same query."""
        queryset = self.get_queryset(request)
        if self.form_select_related:
            queryset = queryset.select_related(*self.form_select_related)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._may(request, "read", obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if obj is not None and not workflow_engine.may_edit_in_state(obj, request.user):
            return False
        return self._may(request, "write", obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may(request, "create", None)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._may(request, "delete", obj)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "export", None)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "import", None)

    def has_print_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._may(request, "print", obj)

    # -- masked fields: shown masked in forms to those who may not see them ----------------------------
    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        readonly += [f for f in self.get_workflow_readonly() if f not in readonly]
        readonly += [f for f in custom_desk.readonly(self.model) if f not in readonly]
        rules = readonly_for(self.model, request.user, obj)
        readonly += sorted(rules - set(readonly))
        if obj is not None and self._workflow_state_field():
            readonly.append("workflow_state_label")
        if obj is not None:
            readonly += [f"masked_{field}" for field in sorted(hidden_fields(request.user, self.model))]
        return readonly

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        fields = list(super().get_fields(request, obj))
        return self._swap_state(obj, self._swap_masked(request, obj, fields))

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """The ModelForm with this site's custom fields and Customize Form overrides layered over it."""
        from django.contrib.admin.utils import flatten_fieldsets

        custom = {cf.fieldname for cf in custom_desk.active(self.model, obj)}
        fields = kwargs.get("fields")
        if fields is None:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [f for f in fields if f not in custom]
        base = super().get_form(request, obj, change, **kwargs)
        form = custom_desk.form_class(self.model, base, obj)
        return type(form.__name__, (WritePathFormMixin, form), {"write_path_user": request.user})

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        obj = super().save_form(request, form, change)
        obj._custom_changed = custom_desk.save_values(form, obj)
        return obj

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        fieldsets = custom_desk.layout(self.model, super().get_fieldsets(request, obj), obj)
        return [
            (name, {**opts, "fields": self._swap_state(obj, self._swap_masked(request, obj, list(opts["fields"])))})
            for name, opts in fieldsets
        ]

    def _swap_state(self, obj: models.Model | None, fields: list[Any]) -> list[Any]:
        """On a record's form, a workflow's state shows with the workflow's label (states may be new)."""
        state_field = self._workflow_state_field()
        if obj is None or state_field is None:
            return fields
        return ["workflow_state_label" if f == state_field else f for f in fields]

    @admin.display(description=_("status"))
    def workflow_state_label(self, obj: models.Model) -> str:
        badge = workflow_desk.state_badge(obj)
        return badge[1] if badge else ""

    def get_list_display(self, request: HttpRequest) -> Any:
        """Masked fields in the list are shown through display_value for the requesting user — the columns made
        once per request, so that the sortable ones (get_sortable_by) are the very columns shown."""
        cache = request.__dict__.setdefault("_lowcode_list_display", {})
        if self.model not in cache:
            cache[self.model] = self._list_display(request)
        return list(cache[self.model])

    def _list_display(self, request: HttpRequest) -> Any:
        columns = custom_desk.list_display(self.model, list(super().get_list_display(request)))
        masked = hidden_fields(request.user, self.model)
        for i, column in enumerate(columns):
            if isinstance(column, str) and column in masked:
                columns[i] = self._masked_column(request.user, column)
            elif column == "workflow_status":
                columns[i] = self._state_column()
        if self._has_deadlines(request):
            columns.append(self._light_column())
        return columns

    def _light_column(self) -> Any:
        @display(description=_("time limit"))
        def deadline_light(obj: models.Model) -> Any:
            return cells.badge(deadline_desk.badge(obj), ("info", "—"))

        return deadline_light

    def _state_column(self) -> Any:
        """The workflow state badge, with the workflow and its states loaded once per list, not per row."""
        workflow = workflow_engine.workflow_for(self.model)

        @display(description=_("status"), ordering="status")
        def workflow_status(obj: models.Model) -> Any:
            return cells.badge(workflow_desk.state_badge(obj, workflow), ("info", str(obj)))

        return workflow_status

    def _masked_column(self, user: Any, field: str) -> Any:
        def column(obj: models.Model) -> Any:
            return display_value(user, obj, field)

        column.short_description = self.model._meta.get_field(field).verbose_name  # type: ignore[attr-defined]
        column.__name__ = field
        return column

    def _swap_masked(self, request: HttpRequest, obj: models.Model | None, fields: list[Any]) -> list[Any]:
        masked = hidden_fields(request.user, self.model)
        if obj is None or not masked:
            return fields
        return [f"masked_{f}" if isinstance(f, str) and f in masked else f for f in fields]

    def __getattr__(self, name: str) -> Any:
        # masked_<field> read-only display callables, made on demand
        if name.startswith("masked_"):
            field = name.removeprefix("masked_")
            if field in masked_fields(self.model):

                def show(obj: models.Model, _field: str = field) -> Any:
                    return display_value(None, obj, _field)

                show.short_description = self.model._meta.get_field(field).verbose_name  # type: ignore[attr-defined]
                return show
        raise AttributeError(name)

    # -- writes through the write path (lowcode.core.documents) ---------------------------------------
    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        if change:
            fields = form_fields(form)
            if getattr(obj, "_custom_changed", False):
                fields.append("custom")
            save_doc(obj, update_fields=fields, user=request.user)
        else:
            insert_doc(obj, user=request.user, given=form_fields(form))

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        delete_doc(obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            delete_doc(obj, user=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Child-table rows go through the parent's controller (save_rows), like every other writer's."""
        changed = formset.save(commit=False)
        save_rows(
            form.instance,
            formset.model,
            changed=changed,
            deleted=formset.deleted_objects,
            table=table_rows(formset),
            user=request.user,
        )
        formset.save_m2m()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A DocType service that creates the record from named fields does not know the custom values: they
        are written onto the new record here, in the same transaction."""
        super().save_related(request, form, formsets, change)
        self.write_pending_custom(request, form, change)

    def write_pending_custom(self, request: HttpRequest, form: Any, change: bool) -> None:
        obj = form.instance
        pending = getattr(obj, "custom", None)
        if not change and pending and obj.pk:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            if stored.custom != pending:
                stored.custom = {**stored.custom, **pending}
                save_doc(stored, update_fields=["custom"], user=request.user)

    def get_search_fields(self, request: HttpRequest) -> Any:
        """Who may not see a masked field does not search by it either (a match would reveal it)."""
        fields = list(super().get_search_fields(request))
        hidden = hidden_fields(request.user, self.model)
        return [f for f in fields if f.lstrip("^=@").split("__")[0] not in hidden]

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        """No regular expressions from the address bar (one can stall a worker), and no lookups on a masked
        field by those who may not see it (prefix probing would recover it)."""
        parts = lookup.split("__")
        if {"regex", "iregex"} & set(parts):
            return False
        user = getattr(request, "user", None)
        if parts[0] in hidden_fields(user, self.model):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> Any:
        """Django's search syntax, each field through its own index (lowcode.core.search): a prefix on numbers,
        the n-gram index on names — no `LIKE '%…%'` over a large table."""
        fields = self.get_search_fields(request)
        term = search_term.strip()
        results, may_have_duplicates = queryset, False
        if fields and term:
            for bit in smart_split(term):
                if bit[:1] in "\"'" and bit[-1:] == bit[:1] and len(bit) > 1:
                    bit = unescape_string_literal(bit)
                results = results.filter(search.search_q(queryset, fields, bit))
            may_have_duplicates = any(lookup_spawns_duplicates(self.opts, f.lstrip("^=@")) for f in fields)
        return custom_desk.search(self.model, queryset, results, term), may_have_duplicates

    # -- export ------------------------------------------------------------------------------------------
    def _base_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.has_export_permission(request):
            actions.pop("export_xlsx", None)
        if not self.has_print_permission(request) or not self._print_formats(request):
            actions.pop("print_selected", None)
        return actions

    def _print_formats(self, request: HttpRequest) -> list[Any]:
        """The DocType's print formats — read once per request (the list asks for its actions several times)."""
        cache = request.__dict__.setdefault("_lowcode_print_formats", {})
        if self.model not in cache:
            cache[self.model] = printing.formats_for(self.model)
        return cache[self.model]

    @admin.action(description=_("Print the selected rows (one PDF)"))
    def print_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """A few records print within the request; more are printed by a background job, which the user follows
        on its progress page and is notified of (lowcode.printing.bulk)."""
        from django.utils.html import format_html

        from lowcode.printing.bulk import BulkPrintError, bulk_print_request

        small = printing.in_request_max()
        docs = list(printing.for_print(permissions.scope(request.user, queryset, "print"))[: small + 1])
        if not docs:
            self.message_user(request, _("None of the selected rows can be printed."), messages.WARNING)
            return None
        print_format = printing.format_for(self.model)
        if len(docs) <= small:
            try:
                pdf = printing.documents_pdf(print_format, docs, request.user)
            except TemplateProblem as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            return pdf_response(pdf, f"{print_format.name}.pdf", inline=False)
        try:
            job = bulk_print_request(user=request.user, queryset=queryset, print_format=print_format)
        except BulkPrintError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        message = _(
            '{count} records are being printed in the background: <a href="{url}">follow the progress</a>. '
            "You will be notified in the desk when the PDF is ready."
        )
        url = reverse("desk_bulk_print", args=[job.pk])
        self.message_user(request, format_html(message, count=job.total, url=url), messages.INFO)
        return None

    def get_export_fields(self) -> list[str]:
        if self.export_fields:
            return [*self.export_fields, *custom_desk.export_columns(self.model)]
        standard = [f for f in self.list_display if isinstance(f, str) and f != "__str__"]
        return [*standard, *custom_desk.export_columns(self.model)]

    @admin.action(description=_("Export the selected rows to Excel"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if not self.has_export_permission(request):
            self.message_user(request, _("You may not export these records."), messages.ERROR)
            return None
        from openpyxl import Workbook

        queryset = permissions.scope(request.user, queryset, "export")
        if not queryset.exists():
            self.message_user(request, _("None of the selected rows can be exported."), messages.WARNING)
            return None
        fields = self.get_export_fields()
        wb = Workbook()
        ws = wb.active
        ws.title = str(self.model._meta.verbose_name_plural)[:31]
        ws.append([str(self._label(f)) for f in fields])
        for obj in queryset:
            ws.append([self._cell(request, obj, f) for f in fields])
        buffer = BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}-{stamp}.xlsx"'
        return response

    def _label(self, name: str) -> Any:
        if name.startswith("custom:"):
            return custom_desk.export_label(self.model, name)
        if custom_desk.label_of(self.model, name):
            return custom_desk.label_of(self.model, name)
        try:
            return self.model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:  # a method column
            attr = getattr(self, name, None) or getattr(self.model, name, None)
            return getattr(attr, "short_description", name)

    def _cell(self, request: HttpRequest, obj: models.Model, name: str) -> Any:
        if name.startswith("custom:"):
            return custom_desk.export_cell(obj, name)
        if hasattr(self, name) and callable(getattr(self, name)) and not hasattr(obj, name):
            value = getattr(self, name)(obj)
        else:
            try:
                field = obj._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            if field is not None and getattr(field, "choices", None):
                value = getattr(obj, f"get_{name}_display")()
            else:
                value = display_value(request.user, obj, name)
        if isinstance(value, tuple) and len(value) == 2:  # a coloured label column: (colour, text)
            value = value[1]
        if isinstance(value, cells.Label):  # the same drawn by the desk: its text, not its markup
            value = value.text
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, models.Model) or value.__class__.__name__ == "__proxy__":
            value = str(value)
        if value is not None and not isinstance(value, str | int | float | bool | Decimal | date | datetime):
            value = str(value)  # a cell holds text, a number or a date — never fails the whole export
        return value

    # -- printing and workflow on the form ------------------------------------------------------------------
    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        obj = kwargs.get("obj")
        opts = self.model._meta
        if obj is not None and self.has_print_permission(request, obj):
            context["print_url"] = reverse("desk_print", args=[opts.app_label, opts.model_name, obj.pk])
        if obj is not None:
            context["workflow_panel"] = workflow_desk.panel(obj, request.user)
            context["workflow_apply_url"] = reverse(
                "desk_workflow_apply", args=[opts.app_label, opts.model_name, obj.pk]
            )
            context["deadlines"] = [deadline_desk.describe(d) for d in all_deadlines(obj)]
            context["versions"] = self.versions(obj, request.user)
        context["depends_on_values"] = custom_desk.known_values(self.model, obj, request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def versions(self, obj: models.Model, user: Any) -> list[Any]:
        """The record's audit trail (field by field, custom fields included), newest first — a masked field's
        old and new values masked for those who may not see it."""
        from lowcode.core import registry
        from lowcode.core.models import Version

        doctype = registry.for_model(type(obj))
        if doctype is None:
            return []
        entries = list(Version.objects.filter(doctype=doctype.name, doc_id=str(obj.pk)).select_related("user")[:20])
        hidden = hidden_fields(user, type(obj))
        for entry in entries:
            entry.changed = [
                [field, label, mask(type(obj), field, old), mask(type(obj), field, new)]
                if field in hidden
                else [field, label, old, new]
                for field, label, old, new in entry.changed
            ]
        return entries

    # -- workflow: the state field is the engine's; bulk actions; state badges ----------------------------------
    def _workflow_state_field(self) -> str | None:
        workflow = workflow_engine.workflow_for(self.model)
        return workflow.state_field if workflow else None

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = custom_desk.list_filter(self.model, list(super().get_list_filter(request)))
        state_field = self._workflow_state_field()
        filters = [WorkflowStateFilter if f == state_field else f for f in filters]
        if self._has_deadlines(request):
            filters.insert(1 if filters else 0, deadline_desk.DeadlineFilter)
        return filters

    def get_workflow_readonly(self) -> list[str]:
        field = self._workflow_state_field()
        return [field] if field else []

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = self._base_actions(request)
        workflow = workflow_engine.workflow_for(self.model)
        if workflow is None or not self.has_change_permission(request):
            return actions
        seen = set()
        for transition in workflow.transitions.all():
            # In bulk only what needs no comment and no extra fields.
            if transition.action in seen or transition.require_comment or transition.required_field_names:
                continue
            seen.add(transition.action)
            name = f"workflow_{transition.action}"
            description = _("Workflow: %(action)s") % {"action": transition.label}
            actions[name] = (self._bulk_transition(transition.action), name, description)
        return actions

    def _bulk_transition(self, action: str) -> Any:
        def run(modeladmin: DocTypeAdmin, request: HttpRequest, queryset: QuerySet) -> None:
            done, refused = 0, []
            for doc in queryset:
                try:
                    workflow_engine.apply_transition(doc, action, request.user)
                    done += 1
                except workflow_engine.WorkflowError as exc:
                    refused.append(f"{doc}：{exc}")
            if done:
                self.message_user(request, _("%(count)s records done.") % {"count": done}, messages.SUCCESS)
            for line in refused[:20]:
                self.message_user(request, line, messages.WARNING)

        return run

    @display(description=_("status"), ordering="status")
    def workflow_status(self, obj: models.Model) -> Any:
        return cells.badge(workflow_desk.state_badge(obj), ("info", str(obj)))


class RecordOnlyAdmin(DocTypeAdmin):
    """Records the platform writes and keeps as written (audit entries, clocks, issued documents): read in the
    desk, never added, changed or deleted there."""

    actions: list[str] = []

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class WorkflowStateFilter(admin.SimpleListFilter):
    """Filter by the states of the DocType's workflow — including states an administrator added."""

    title = _("status")
    parameter_name = "workflow_state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        workflow = workflow_engine.workflow_for(model_admin.model)
        return [(s.name, s.label) for s in workflow.states.all()] if workflow else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        workflow = workflow_engine.workflow_for(queryset.model)
        if self.value() and workflow is not None:
            return queryset.filter(**{workflow.state_field: self.value()})
        return queryset


def form_fields(form: Any) -> list[str]:
    """The concrete model fields a desk form changed (what the person wrote)."""
    concrete = {f.name for f in form.instance._meta.concrete_fields}
    return [f for f in form.changed_data if f in concrete]


class WritePathFormMixin:
    """A desk form runs the write path's checks (field rules, the controller) while validating, so a refusal
    shows on the form — by the field when the form has it — instead of failing on save."""

    write_path_user: Any = None

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        form: Any = self
        if form.errors:
            return
        doc = form.instance
        try:
            if doc.pk is None or doc._state.adding:
                dry_run_insert(doc, insert_context(doc, user=self.write_path_user, given=form_fields(form)))
            else:
                validate_update(doc, update_context(doc, form_fields(form), user=self.write_path_user))
        except ValidationError as exc:
            add_write_errors(form, exc)


class _DryRun(Exception):
    pass


def dry_run_insert(doc: models.Model, ctx: Any) -> None:
    """Run an insert's checks without keeping anything they did: a number or serial the controller drew is
    given back (savepoint rolled back) and the record's fields are as the form left them; the real insert
    runs them again."""
    kept = {f.attname: getattr(doc, f.attname) for f in doc._meta.concrete_fields}
    try:
        with transaction.atomic():
            validate_insert(doc, ctx)
            raise _DryRun
    except _DryRun:
        pass
    finally:
        for attname, value in kept.items():
            setattr(doc, attname, value)


def add_write_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


class _ChildTableRights:
    """A child table's rows (Frappe's child DocType) follow the parent document's rights, not their own."""

    def _parent_admin(self) -> Any:
        return self.admin_site._registry[self.parent_model]  # type: ignore[attr-defined]

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        parent = self._parent_admin()
        return parent.has_view_permission(request, obj) or parent.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj) and getattr(self, "editable", True)

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.has_change_permission(request, obj) and getattr(self, "rows_addable", True)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.has_change_permission(request, obj) and getattr(self, "rows_addable", True)


def table_rows(formset: Any) -> list[Any]:
    """A child table as the inline would leave it: the rows kept, changed or added."""
    rows = []
    for row_form in formset.forms:
        data = getattr(row_form, "cleaned_data", None) or {}
        if data.get("DELETE") or (row_form.instance.pk is None and not row_form.has_changed()):
            continue
        rows.append(row_form.instance)
    return rows


class WritePathInlineFormSet(BaseInlineFormSet):
    """The parent's controller judges the table while the form validates, so a refusal shows on the form."""

    write_path_user: Any = None

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        ctx = rows_context(self.instance, user=self.write_path_user)
        try:
            for row_form in self.forms:
                if row_form.has_changed() and not (row_form.cleaned_data or {}).get("DELETE"):
                    check_uploads(row_form.instance, row_form.changed_data)
            controller_for(type(self.instance)).validate_rows(self.instance, self.model, table_rows(self), ctx)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class ChildTableInline(_ChildTableRights, TabularInline):
    extra = 0
    formset = WritePathInlineFormSet

    def get_formset(self, request: HttpRequest, obj: models.Model | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"write_path_user": request.user})
