"""Printing views: a record as PDF (or HTML) in a chosen format, the editor's live preview, downloads of
issued notices — every one through lowcode.core.permissions — and a bulk print job's progress and PDF, for the
user who asked for it."""

from __future__ import annotations

from urllib.parse import quote

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from lowcode.core import permissions, registry
from lowcode.printing.bulk import bulk_print_job_for
from lowcode.printing.models import BulkPrintJob, LetterHead, PrintedDocument, PrintFormat
from lowcode.printing.pdf import html_to_pdf
from lowcode.printing.sandbox import TemplateProblem
from lowcode.printing.services import NoPrintFormat, document_html, format_for, page_html


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


def sandboxed_html(html: str) -> HttpResponse:
    """Administrator-written HTML, shown as a preview: no scripts, no same-origin access."""
    response = HttpResponse(html)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response


def print_record(request: HttpRequest, app_label: str, model_name: str, pk: str) -> HttpResponse | None:
    """The record in its print format (?format=NAME, default the DocType's default) as PDF, or ?as=html.
    None when the DocType has no print format (the desk then prints the form's sections)."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    doc = permissions.scope(request.user, model._default_manager.all(), "print").filter(pk=pk).first()
    if doc is None:
        raise Http404
    try:
        print_format = format_for(model, request.GET.get("format") or None)
    except NoPrintFormat:
        if request.GET.get("format"):
            raise Http404 from None
        return None
    try:
        html = document_html(print_format, doc, request.user)
    except TemplateProblem as exc:
        return HttpResponse(_("This print format fails: %(error)s") % {"error": exc}, status=422)
    if request.GET.get("as") == "html":
        return sandboxed_html(html)
    return pdf_response(html_to_pdf(html), f"{print_format.name}-{doc}.pdf")


@require_POST
@xframe_options_sameorigin  # shown in the print-format editor's own preview frame
def preview(request: HttpRequest) -> HttpResponse:
    """The print format editor's live preview of unsaved template text against a chosen record."""
    user = request.user
    if not (user.is_active and user.is_staff and permissions.has_role_right(user, PrintFormat, "write")):
        raise PermissionDenied
    doctype_name = request.POST.get("doctype", "")
    try:
        model = registry.get(doctype_name).model
    except registry.UnknownDocType:
        return HttpResponse(_("No DocType is called “%(name)s”.") % {"name": doctype_name}, status=400)
    records = permissions.scope(user, model._default_manager.all(), "read")
    record = request.POST.get("record", "").strip()
    doc = records.filter(pk=record).first() if record.isdigit() else None
    if doc is None:
        doc = records.order_by("-pk").first()
    if doc is None:
        return HttpResponse(_("There is no record of this DocType to preview with."), status=400)
    draft = PrintFormat(
        name="preview",
        doctype=doctype_name,
        template=request.POST.get("template", ""),
        css=request.POST.get("css", "").replace("</", ""),
        page_size=request.POST.get("page_size") if request.POST.get("page_size") in PrintFormat.PageSize else "A4",
        letter_head=LetterHead.objects.filter(pk=request.POST.get("letter_head") or None).first(),
    )
    for side in ("top", "bottom", "left", "right"):
        value = request.POST.get(f"margin_{side}", "")
        setattr(draft, f"margin_{side}", int(value) if value.isdigit() and int(value) < 100 else 20)
    try:
        html = document_html(draft, doc, user)
    except TemplateProblem as exc:
        return sandboxed_html(page_html(draft, [f"<pre>{escape(str(exc))}</pre>"], None, user))
    if request.POST.get("output") == "pdf":
        return pdf_response(html_to_pdf(html), "preview.pdf")
    return sandboxed_html(html)


@login_required
def printed_download(request: HttpRequest, pk: int) -> FileResponse:
    """An issued notice, for whoever may read the record it belongs to (staff in scope, the applicant)."""
    issued = PrintedDocument.objects.filter(pk=pk).select_related("print_format").first()
    if issued is None:
        raise Http404
    try:
        model = registry.get(issued.doctype).model
    except registry.UnknownDocType:
        raise Http404 from None
    doc = permissions.scope(request.user, model._default_manager.all(), "read").filter(pk=issued.doc_id).first()
    if doc is None:
        raise Http404  # outside the user's scope looks the same as absent
    return FileResponse(issued.file.open("rb"), content_type="application/pdf", filename=f"{issued.title}.pdf")


@staff_member_required(login_url="admin:login")
def bulk_print_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A bulk print job's progress, refreshing itself while it runs; the PDF's link once it is done."""
    job = bulk_print_job_for(request.user, pk)
    if job is None:
        raise Http404  # another user's job looks the same as none
    try:
        label = registry.get(job.doctype).model._meta.verbose_name_plural
    except registry.UnknownDocType:
        label = job.doctype
    context = {
        **admin.site.each_context(request),
        "title": _("Bulk print"),
        "job": job,
        "doctype_label": label,
        "refresh_seconds": 3 if job.is_open else None,
    }
    return render(request, "printing/bulk_print_job.html", context)


@staff_member_required(login_url="admin:login")
def bulk_print_download(request: HttpRequest, pk: int) -> FileResponse:
    job = bulk_print_job_for(request.user, pk)
    if job is None or job.status != BulkPrintJob.Status.DONE or not job.file:
        raise Http404
    name = job.print_format.name if job.print_format else job.doctype
    response = FileResponse(
        job.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=f"{name}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
