"""Print formats (Jinja templates rendered in a sandbox, then PDF) and letter heads, edited in the desk, the
PDFs that workflow steps issue — kept immutable with their hash — and the desk's bulk print jobs."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lowcode.core.files import private_storage, sniff
from lowcode.core.models import Document


def validate_seal(file: object) -> None:
    head = file.read(16)  # type: ignore[attr-defined]
    file.seek(0)  # type: ignore[attr-defined]
    if sniff(head) not in ("image/png", "image/jpeg"):
        raise ValidationError(_("The seal must be a PNG or JPEG image."))
    if getattr(file, "size", 0) > 1_000_000:
        raise ValidationError(_("The seal image may be at most 1 MB."))


class LetterHead(Document):
    name = models.CharField(_("name"), max_length=100, unique=True)
    header_html = models.TextField(_("header (HTML)"), blank=True)
    footer_html = models.TextField(_("footer (HTML)"), blank=True)
    seal = models.FileField(
        _("seal image"), upload_to="letter_heads/", storage=private_storage, blank=True, validators=[validate_seal]
    )
    is_default = models.BooleanField(_("default"), default=False)

    class Meta(Document.Meta):
        verbose_name = _("letter head")
        verbose_name_plural = _("letter heads")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from lowcode.printing.sandbox import TemplateProblem, check_template

        errors = {}
        for field in ("header_html", "footer_html"):
            try:
                check_template(getattr(self, field))
            except TemplateProblem as exc:
                errors[field] = str(exc)
        if errors:
            raise ValidationError(errors)


class PrintFormat(Document):
    class PageSize(models.TextChoices):
        A4 = "A4", "A4"
        A5 = "A5", "A5"
        A4_LANDSCAPE = "A4 landscape", _("A4 landscape")

    name = models.CharField(_("name"), max_length=100, unique=True)
    doctype = models.CharField(_("DocType"), max_length=100, db_index=True)
    is_default = models.BooleanField(_("default for the DocType"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    template = models.TextField(
        _("template (Jinja)"), help_text=_("Sees doc (the record's fields, child tables as lists) and the helpers.")
    )
    css = models.TextField(_("CSS"), blank=True)
    page_size = models.CharField(_("page size"), max_length=20, choices=PageSize.choices, default=PageSize.A4)
    margin_top = models.PositiveSmallIntegerField(_("top margin (mm)"), default=25)
    margin_bottom = models.PositiveSmallIntegerField(_("bottom margin (mm)"), default=20)
    margin_left = models.PositiveSmallIntegerField(_("left margin (mm)"), default=25)
    margin_right = models.PositiveSmallIntegerField(_("right margin (mm)"), default=20)
    letter_head = models.ForeignKey(
        LetterHead, verbose_name=_("letter head"), null=True, blank=True, on_delete=models.PROTECT
    )
    fixture_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta(Document.Meta):
        verbose_name = _("print format")
        verbose_name_plural = _("print formats")
        ordering = ["doctype", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from lowcode.printing.sandbox import TemplateProblem, check_format

        if "</" in self.css:
            raise ValidationError({"css": _("CSS may not contain “</”.")})
        try:
            check_format(self)
        except TemplateProblem as exc:
            raise ValidationError({"template": str(exc)}) from None


class PrintedDocument(models.Model):
    """A notice as issued: the PDF a workflow step rendered, never changed afterwards (its SHA-256 is kept)."""

    doctype = models.CharField(_("DocType"), max_length=100)
    doc_id = models.CharField(_("document ID"), max_length=64)
    print_format = models.ForeignKey(PrintFormat, verbose_name=_("print format"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF"), upload_to="printed/%Y/%m/", storage=private_storage)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    action = models.CharField(_("workflow action"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("issued at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["doctype", "doc_id"], name="printed_document_doc")]

    def __str__(self) -> str:
        return self.title


class OwnerOnlyStorage(FileSystemStorage):
    """The site's private files, served only by the bulk print download — to the job's owner and superusers. Not
    a PrivateFileStorage on purpose: /private/ serves a file to whoever may read the record it belongs to."""

    def url(self, name: str | None) -> str:
        parts = (name or "").split("/")
        if len(parts) < 3 or parts[0] != "bulk_print" or not parts[1].isdigit():
            return ""
        return reverse("desk_bulk_print_download", args=[int(parts[1])])


@cache
def bulk_print_storage() -> OwnerOnlyStorage:
    return OwnerOnlyStorage(location=settings.PRIVATE_FILES_ROOT)


def bulk_print_path(job: BulkPrintJob, filename: str) -> str:
    return f"bulk_print/{job.pk}/{filename}"


class BulkPrintJob(models.Model):
    """A desk bulk print too large for one request: the records the user might print when asking, printed by a
    background job with their rights (masking included), the PDF kept for them alone."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Complete")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="+"
    )
    doctype = models.CharField(_("DocType"), max_length=100)
    print_format = models.ForeignKey(
        PrintFormat, verbose_name=_("print format"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    doc_ids = models.JSONField(
        _("records"), default=list, help_text=_("The IDs of the selected records the user might print when asking.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("printed"), default=0)
    total = models.PositiveIntegerField(_("records to print"), default=0)
    file = models.FileField(_("PDF"), upload_to=bulk_print_path, storage=bulk_print_storage, blank=True)
    error_code = models.CharField(_("error code"), max_length=30, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk print job")
        verbose_name_plural = _("bulk print jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.doctype} × {self.total} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self) -> int:
        """Percent done."""
        return 100 if not self.total else round(100 * self.done / self.total)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
