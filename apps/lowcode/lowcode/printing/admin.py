from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lowcode.desk.admin import DocTypeAdmin, RecordOnlyAdmin
from lowcode.printing.models import BulkPrintJob, LetterHead, PrintedDocument, PrintFormat


@admin.register(PrintFormat)
class PrintFormatAdmin(DocTypeAdmin):
    change_form_template = "printing/print_format_change_form.html"
    list_display = ("name", "doctype", "is_default", "disabled", "page_size", "letter_head", "modified_at")
    list_filter = ("doctype", "is_default", "disabled")
    search_fields = ("name", "doctype", "template")
    fieldsets = (
        (None, {"fields": ("name", "doctype", "is_default", "disabled")}),
        (_("Template"), {"fields": ("template", "css")}),
        (
            _("Page"),
            {"fields": ("page_size", "margin_top", "margin_bottom", "margin_left", "margin_right", "letter_head")},
        ),
    )

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        context["preview_url"] = reverse("desk_print_preview")
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(LetterHead)
class LetterHeadAdmin(DocTypeAdmin):
    list_display = ("name", "is_default", "modified_at")
    fields = ("name", "header_html", "footer_html", "seal", "is_default")


@admin.register(PrintedDocument)
class PrintedDocumentAdmin(RecordOnlyAdmin):
    """Issued notices are kept as issued: read and downloaded, never changed or deleted in the desk."""

    list_display = ("title", "doctype", "doc_id", "print_format", "created_at", "created_by", "download")
    list_filter = ("doctype", "print_format")
    search_fields = ("title", "doc_id", "sha256")
    fields = ("title", "doctype", "doc_id", "print_format", "action", "sha256", "size", "created_at", "created_by")
    readonly_fields = fields

    @admin.display(description=_("PDF"))
    def download(self, obj: PrintedDocument) -> str:
        return format_html(
            '<a class="underline" href="{}">{}</a>', reverse("printed_document", args=[obj.pk]), _("download")
        )


@admin.register(BulkPrintJob)
class BulkPrintJobAdmin(RecordOnlyAdmin):
    """The log of desk bulk prints, read-only. A job's progress page and PDF are for the user who asked for it
    (and superusers), who reach them through their notification."""

    list_display = ("created_at", "user", "doctype", "print_format", "status", "done", "total", "finished_at")
    list_filter = ("status", "doctype")
    list_select_related = ("user", "print_format")
    fields = (
        "user",
        "doctype",
        "print_format",
        "status",
        "done",
        "total",
        "doc_ids",
        "error_code",
        "error",
        "created_at",
        "finished_at",
    )
    readonly_fields = fields
