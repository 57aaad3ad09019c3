"""Printing a record: the format's template in the sandbox, the page around it, the PDF; issuing a notice."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from lowcode.core import registry
from lowcode.core.masking import masked_for_everyone
from lowcode.printing.context import document_context
from lowcode.printing.models import PrintedDocument, PrintFormat
from lowcode.printing.pdf import html_to_pdf
from lowcode.printing.sandbox import render

MAX_BULK = 200  # records in one bulk-printed PDF; a larger selection is refused
# Records a desk bulk print renders within the request; a larger selection goes to a background job
# (lowcode.printing.bulk). A site may change it in site_config.json: "bulk_print_in_request".
IN_REQUEST_MAX = 10
PAGE_SIZES = {"A4": "A4", "A5": "A5", "A4 landscape": "A4 landscape"}


class NoPrintFormat(LookupError):
    pass


def formats_for(model: type[models.Model]) -> list[PrintFormat]:
    doctype = registry.for_model(model)
    if doctype is None:
        return []
    return list(PrintFormat.objects.filter(doctype=doctype.name, disabled=False).order_by("-is_default", "name"))


def format_for(model: type[models.Model], name: str | None = None) -> PrintFormat:
    formats = formats_for(model)
    chosen = next((f for f in formats if f.name == name), None) if name else (formats[0] if formats else None)
    if chosen is None:
        raise NoPrintFormat(name or str(model._meta.verbose_name))
    return chosen


def body_html(print_format: PrintFormat, doc: models.Model, user: Any) -> str:
    context = document_context(doc, user, print_format.letter_head)
    return render(print_format.template, context)


def in_request_max() -> int:
    """How many records a desk bulk print renders within the request (more go to a background job)."""
    return int(settings.CONFIG.get("bulk_print_in_request", IN_REQUEST_MAX))


def for_print(queryset: QuerySet) -> QuerySet:
    """The records with what their print context reads (lowcode.printing.context): their links, their many-to-many
    values, and their child tables with each row's links — a few queries for many records, not several a record."""
    model = queryset.model
    tables = []
    for relation in model._meta.related_objects:
        if relation.one_to_many and registry.for_model(relation.related_model) is None:
            child = relation.related_model
            links = [f.name for f in child._meta.concrete_fields if f.many_to_one and f.related_model is not model]
            rows = child._default_manager.select_related(*links)
            tables.append(Prefetch(relation.get_accessor_name(), queryset=rows))
    return queryset.select_related(*[f.name for f in model._meta.concrete_fields if f.many_to_one]).prefetch_related(
        *tables, *[f.name for f in model._meta.many_to_many]
    )


def letter_html(print_format: PrintFormat, doc: models.Model | None, user: Any) -> dict[str, str]:
    """The letter head's header and footer, rendered for `doc` (a bulk print renders them for its first)."""
    if print_format.letter_head is None or doc is None:
        return {"header": "", "footer": ""}
    context = document_context(doc, user, print_format.letter_head)
    return {
        "header": render(print_format.letter_head.header_html, context),
        "footer": render(print_format.letter_head.footer_html, context),
    }


def page_html(
    print_format: PrintFormat,
    bodies: list[str],
    doc: models.Model | None,
    user: Any,
    *,
    letter: dict[str, str] | None = None,
) -> str:
    """The whole HTML page: @page size and margins, letter head header and footer, the format's CSS."""
    if letter is None:
        letter = letter_html(print_format, doc, user)
    return render_to_string(
        "printing/page.html",
        {"format": print_format, "page_size": PAGE_SIZES[print_format.page_size], "bodies": bodies, **letter},
    )


def document_html(print_format: PrintFormat, doc: models.Model, user: Any) -> str:
    return page_html(print_format, [body_html(print_format, doc, user)], doc, user)


def document_pdf(print_format: PrintFormat, doc: models.Model, user: Any) -> bytes:
    return html_to_pdf(document_html(print_format, doc, user))


def documents_pdf(print_format: PrintFormat, docs: list[models.Model], user: Any) -> bytes:
    """Many records of one DocType in one PDF, each starting on a new page."""
    bodies = [body_html(print_format, doc, user) for doc in docs]
    return html_to_pdf(page_html(print_format, bodies, docs[0] if docs else None, user))


def printed_document_issue(
    *, print_format: PrintFormat, doc: models.Model, user: Any, action: str = ""
) -> PrintedDocument:
    """Render the notice now and keep it: the PDF as issued, with its SHA-256; never re-rendered later. The PDF
    goes again if the transaction issuing it does not commit (inside lowcode.core.documents.atomic_with_files)."""
    from lowcode.core.documents import file_stored

    with masked_for_everyone():  # served to everyone who may read the record, so masked for every one of them
        pdf = document_pdf(print_format, doc, user)
    digest = hashlib.sha256(pdf).hexdigest()
    doctype = registry.for_model(type(doc))
    issued = PrintedDocument(
        doctype=doctype.name if doctype else type(doc).__name__,
        doc_id=str(doc.pk),
        print_format=print_format,
        title=f"{print_format.name} {doc}"[:200],
        sha256=digest,
        size=len(pdf),
        action=action,
        created_at=timezone.now(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    issued.file.save(f"{digest[:16]}.pdf", ContentFile(pdf), save=False)
    file_stored(issued.file.storage, issued.file.name)
    issued.save(force_insert=True)
    return issued


def printed_for(user: Any, *, limit: int = 20) -> list[PrintedDocument]:
    """The newest issued documents of records the user may read — what a citizen downloads in the portal."""
    from lowcode.core import permissions

    if not getattr(user, "is_authenticated", False):
        return []
    found: list[PrintedDocument] = []
    for doctype in PrintedDocument.objects.values_list("doctype", flat=True).distinct().order_by():
        try:
            model = registry.get(doctype).model
        except registry.UnknownDocType:
            continue
        readable = permissions.scope(user, model._default_manager.all(), "read").order_by("-pk")
        ids = [str(pk) for pk in readable.values_list("pk", flat=True)[:1000]]
        found += PrintedDocument.objects.filter(doctype=doctype, doc_id__in=ids).order_by("-created_at")[:limit]
    return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]
