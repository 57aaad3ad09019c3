"""Desk bulk print in the background: a selection larger than the request renders (services.in_request_max) is
recorded as a BulkPrintJob and printed by a worker on the "long" queue.

What may be printed is decided when the user asks: the job keeps the IDs of the selected records that
permissions.scope(user, …, "print") allowed then, and at most MAX_BULK of them (a larger selection is refused,
never cut short). The worker prints them with the same user's rights — masking depends on who prints — and
skips any that the user may no longer print (deleted, or moved out of their scope since). It lays the records
out CHUNK at a time, writing its progress after each chunk, and joins the chunks into one PDF, kept where only
the user (and superusers) can download it. The user is notified in the desk when it is done or has failed; a
print format that fails fails the job with its message, never the worker. A page counter in a format's CSS
counts within a chunk.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lowcode.core import permissions, registry
from lowcode.core.models import NotificationLog
from lowcode.printing.models import BulkPrintJob, PrintFormat
from lowcode.printing.pdf import documents_to_pdf, html_to_document
from lowcode.printing.sandbox import TemplateProblem
from lowcode.printing.services import MAX_BULK, body_html, for_print, letter_html, page_html
from lowcode.scheduler.queues import enqueue

logger = logging.getLogger(__name__)

CHUNK = 20  # records laid out between two progress updates
METHOD = "lowcode.printing.bulk.bulk_print_run"


class BulkPrintErrorCode(StrEnum):
    NOTHING_TO_PRINT = "nothing_to_print"
    TOO_MANY = "too_many"
    NO_PRINT_FORMAT = "no_print_format"
    TEMPLATE = "template"
    FAILED = "failed"


class BulkPrintError(Exception):
    """A bulk print refused when asked, or failed when run: a code to match on and a message to read."""

    def __init__(self, code: BulkPrintErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def bulk_print_request(*, user: Any, queryset: QuerySet, print_format: PrintFormat) -> BulkPrintJob:
    """Record the selected records the user may print now and print them in the background (once the current
    transaction commits). Raises BulkPrintError when there is nothing to print or more than MAX_BULK."""
    doctype = registry.for_model(queryset.model)
    if doctype is None:
        raise BulkPrintError(BulkPrintErrorCode.NOTHING_TO_PRINT, _("None of the selected rows can be printed."))
    printable = permissions.scope(user, queryset, "print").values_list("pk", flat=True)
    ids = list(dict.fromkeys(str(pk) for pk in printable[: MAX_BULK + 1]))  # in the list's order, once each
    if not ids:
        raise BulkPrintError(BulkPrintErrorCode.NOTHING_TO_PRINT, _("None of the selected rows can be printed."))
    if len(ids) > MAX_BULK:
        raise BulkPrintError(
            BulkPrintErrorCode.TOO_MANY,
            _("More than %(max)s records are selected; at most %(max)s are printed at once. Narrow the selection.")
            % {"max": MAX_BULK},
        )
    job = BulkPrintJob.objects.create(
        user=user,
        doctype=doctype.name,
        print_format=print_format,
        doc_ids=ids,
        total=len(ids),
        created_at=timezone.now(),
    )
    enqueue(METHOD, job.pk, queue="long")
    return job


def bulk_print_job_for(user: Any, pk: Any) -> BulkPrintJob | None:
    """The job, for the user who asked for it or a superuser; None for anyone else (as if it did not exist)."""
    if not getattr(user, "is_authenticated", False) or not str(pk).isdigit():
        return None
    jobs = BulkPrintJob.objects.select_related("print_format")
    if not user.is_superuser:
        jobs = jobs.filter(user_id=user.pk)
    return jobs.filter(pk=pk).first()


def bulk_print_run(job_id: int) -> None:
    """The worker's job. Idempotent: a job that is no longer queued (done, failed, or taken) is left alone."""
    if not BulkPrintJob.objects.filter(pk=job_id, status=BulkPrintJob.Status.QUEUED).update(
        status=BulkPrintJob.Status.RUNNING
    ):
        return
    job = BulkPrintJob.objects.select_related("user", "print_format__letter_head").get(pk=job_id)
    try:
        pdf, printed = _render(job)
    except BulkPrintError as exc:
        _fail(job, exc.code, exc.message)
        return
    except TemplateProblem as exc:
        _fail(job, BulkPrintErrorCode.TEMPLATE, _("This print format fails: %(error)s") % {"error": exc})
        return
    except Exception:
        logger.exception("bulk print job %s failed", job.pk)
        _fail(job, BulkPrintErrorCode.FAILED, _("The PDF could not be made. The error is in the server's log."))
        raise
    _finish(job, pdf, printed)


def _render(job: BulkPrintJob) -> tuple[bytes, int]:
    print_format = job.print_format
    if print_format is None:
        raise BulkPrintError(BulkPrintErrorCode.NO_PRINT_FORMAT, _("The print format was deleted."))
    try:
        model = registry.get(job.doctype).model
    except registry.UnknownDocType:
        raise BulkPrintError(BulkPrintErrorCode.NOTHING_TO_PRINT, _("This DocType no longer exists.")) from None
    user = job.user
    printable = for_print(permissions.scope(user, model._default_manager.all(), "print"))
    letter: dict[str, str] | None = None
    documents = []
    printed = 0
    for start in range(0, len(job.doc_ids), CHUNK):
        chunk = job.doc_ids[start : start + CHUNK]
        found = {str(doc.pk): doc for doc in printable.filter(pk__in=chunk)}
        docs = [found[pk] for pk in chunk if pk in found]
        if docs:
            if letter is None:
                letter = letter_html(print_format, docs[0], user)
            bodies = [body_html(print_format, doc, user) for doc in docs]
            documents.append(html_to_document(page_html(print_format, bodies, None, user, letter=letter)))
            printed += len(docs)
        job.done = min(job.total, start + len(chunk))
        job.save(update_fields=["done"])
    if not documents:
        raise BulkPrintError(
            BulkPrintErrorCode.NOTHING_TO_PRINT, _("None of the selected records can be printed any more.")
        )
    return documents_to_pdf(documents), printed


def _label(job: BulkPrintJob) -> str:
    try:
        return str(registry.get(job.doctype).model._meta.verbose_name)
    except registry.UnknownDocType:
        return job.doctype


def _finish(job: BulkPrintJob, pdf: bytes, printed: int) -> None:
    url = reverse("desk_bulk_print", args=[job.pk])
    name = job.print_format.name if job.print_format else job.doctype
    with transaction.atomic():
        job.file.save(f"{name}.pdf", ContentFile(pdf), save=False)
        job.status = BulkPrintJob.Status.DONE
        job.done = job.total
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "done", "finished_at"])
        body = _("%(printed)s of the %(total)s selected records are in the PDF: %(url)s") % {
            "printed": printed,
            "total": job.total,
            "url": url,
        }
        _notify(job, _("Bulk print ready: %(doctype)s, %(format)s") % {"doctype": _label(job), "format": name}, body)


def _fail(job: BulkPrintJob, code: BulkPrintErrorCode, message: str) -> None:
    with transaction.atomic():
        job.status = BulkPrintJob.Status.FAILED
        job.error_code = code
        job.error = message
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error_code", "error", "finished_at"])
        body = f"{message} {reverse('desk_bulk_print', args=[job.pk])}"
        _notify(job, _("Bulk print failed: %(doctype)s") % {"doctype": _label(job)}, body)


def _notify(job: BulkPrintJob, subject: str, body: str) -> None:
    NotificationLog.objects.create(
        user=job.user,
        subject=subject[:200],
        body=body,
        doctype="Bulk Print Job",
        doc_id=str(job.pk),
        created_at=timezone.now(),
    )
