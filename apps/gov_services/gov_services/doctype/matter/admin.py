from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display

from gov_services.gov_services.codes import OnlineDepth, ServiceObject
from gov_services.gov_services.desk import STATUS_COLOURS
from gov_services.gov_services.doctype.matter import excel, services
from gov_services.gov_services.doctype.matter.models import (
    Matter,
    MatterCoDepartment,
    OnlineLevelChange,
    OnlineLevelRule,
)
from lowcode.desk.admin import ChildTableInline, DocTypeAdmin


class MatterCoDepartmentInline(ChildTableInline):
    """联办部门: who reviews jointly with the implementing (lead) department, in a serial review's order, and
    the working days each has for its opinion."""

    model = MatterCoDepartment
    fields = ("idx", "department", "review_days")
    autocomplete_fields = ("department",)
    ordering = ("idx", "id")


class MatterForm(forms.ModelForm):
    service_objects = forms.TypedMultipleChoiceField(
        label=_("service objects"), choices=ServiceObject.choices, widget=forms.CheckboxSelectMultiple
    )
    online_depth = forms.TypedMultipleChoiceField(
        label=_("online handling depth"),
        choices=OnlineDepth.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Matter
        fields = (
            "name",
            "basic_code",
            "implementation_code",
            "handling_item_code",
            "matter_type",
            "exercise_level",
            "status",
            "department",
            "implementer_nature",
            "service_objects",
            "handling_type",
            "theme_window",
            "online_level",
            "online_depth",
            "joint_mode",
            "legal_limit",
            "legal_limit_unit",
            "promised_limit",
            "promised_limit_unit",
            "issues_licence",
            "licence_type",
        )


@admin.register(Matter)
class MatterAdmin(DocTypeAdmin):
    form = MatterForm
    list_display = (
        "implementation_code",
        "name",
        "matter_type",
        "department",
        "handling_type",
        "online_level",
        "theme_window",
        "promised_limit",
        "show_status",
    )
    list_filter = ("status", "matter_type", "handling_type", "theme_window", "online_level", "department")
    search_fields = ("name", "basic_code", "implementation_code")
    list_select_related = ("department",)
    autocomplete_fields = ("department", "licence_type")
    inlines = [MatterCoDepartmentInline]
    readonly_fields = ("published_guide",)
    actions = ["export_xlsx", "export_catalogue", "publish"]
    actions_list = ["import_catalogue", "download_template"]
    fieldsets = (
        (
            _("Basic information"),
            {
                "fields": (
                    "name",
                    "basic_code",
                    "implementation_code",
                    "handling_item_code",
                    "matter_type",
                    "exercise_level",
                    "status",
                )
            },
        ),
        (_("Implementer"), {"fields": ("department", "implementer_nature", "service_objects")}),
        (
            _("Handling"),
            {
                "fields": (
                    "handling_type",
                    "theme_window",
                    "online_level",
                    "online_depth",
                    "joint_mode",
                )
            },
        ),
        (_("Time limits"), {"fields": ("legal_limit", "legal_limit_unit", "promised_limit", "promised_limit_unit")}),
        (_("Result"), {"fields": ("issues_licence", "licence_type", "published_guide")}),
    )

    @display(description=_("status"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: Matter) -> Any:
        return obj.status, obj.get_status_display()

    @admin.action(description=_("Export the selected matters with their guides (importable)"))
    def export_catalogue(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if not self.has_export_permission(request):
            self.message_user(request, _("You may not export these records."), messages.ERROR)
            return None
        return _xlsx(excel.export_workbook(queryset), "matters")

    @action(description=_("Download the import template"), url_path="template", icon="download")
    def download_template(self, request: HttpRequest) -> HttpResponse:
        return _xlsx(excel.template_workbook(), "matters-template")

    @action(description=_("Import from Excel"), url_path="import", icon="upload", permissions=["import"])
    def import_catalogue(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                counts = excel.import_workbook(form.cleaned_data["file"].read(), user=request.user)
            except excel.ImportErrors as exc:
                problems = exc.lines()
            else:
                self.message_user(request, _("Imported: %(counts)s") % {"counts": counts}, messages.SUCCESS)
                return redirect(reverse("admin:gov_services_matter_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import matters and guides from Excel"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "gov_services/matter_import.html", context)

    @admin.action(description=_("Publish the selected matters"))
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for matter in queryset:
            if not self.has_change_permission(request, matter):
                continue
            try:
                services.matter_publish(matter=matter, user=request.user)
                done += 1
            except Exception as exc:  # a ValidationError, shown per matter
                self.message_user(
                    request, f"{matter}: {'；'.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
                )
        if done:
            self.message_user(request, _("%(count)s matters published.") % {"count": done}, messages.SUCCESS)


@admin.register(OnlineLevelChange)
class OnlineLevelChangeAdmin(DocTypeAdmin):
    list_display = ("matter", "from_level", "to_level", "show_status", "decided_by", "decided_at", "created_at")
    list_filter = ("status",)
    search_fields = ("matter__name", "matter__implementation_code")
    autocomplete_fields = ("matter",)
    readonly_fields = ("from_level", "status", "decided_by", "decided_at")
    actions = ["approve", "reject"]

    @display(description=_("status"), label=STATUS_COLOURS)
    def show_status(self, obj: OnlineLevelChange) -> Any:
        return obj.status, obj.get_status_display()

    def save_model(self, request: HttpRequest, obj: OnlineLevelChange, form: Any, change: bool) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        created = services.online_level_change_request(
            matter=obj.matter, to_level=obj.to_level, reason=obj.reason, user=request.user
        )
        obj.pk = created.pk

    def _decide(self, request: HttpRequest, queryset: QuerySet, approve: bool) -> None:
        for change in queryset:
            try:
                services.online_level_change_decide(
                    change=change, approve=approve, user=request.user, approval_document=change.approval_document
                )
            except Exception as exc:
                self.message_user(
                    request, f"{change}: {'；'.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
                )

    @admin.action(description=_("Approve the selected changes"))
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected changes"))
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("Use the exported workbook or the template; every row is checked before anything is saved."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an .xlsx file."))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":  # an .xlsx is a zip archive
            raise forms.ValidationError(_("This is not an Excel workbook."))
        return upload


def _xlsx(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


class OnlineLevelRuleForm(forms.ModelForm):
    clocks = forms.TypedMultipleChoiceField(
        label=_("time limits it starts"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Deadline policies of an online application that apply at this level."),
    )

    class Meta:
        model = OnlineLevelRule
        fields = (
            "level",
            "label_zh",
            "label_en",
            "description",
            "accepts_online",
            "clocks",
            "raise_needs_approval",
            "approval_by",
            "approver_role",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from lowcode.deadlines.models import DeadlinePolicy

        policies = DeadlinePolicy.objects.filter(doctype="Application").order_by("name")
        self.fields["clocks"].choices = [(p.name, f"{p.label_zh}（{p.name}）") for p in policies]


@admin.register(OnlineLevelRule)
class OnlineLevelRuleAdmin(DocTypeAdmin):
    """网上办理层级: the site's ladder (S000 arts. 9, 12) — what each level means for the portal, the clocks and
    level changes."""

    form = OnlineLevelRuleForm
    list_display = ("level", "label_zh", "accepts_online", "raise_needs_approval", "approver_role")
    ordering = ("level",)
