"""Private files: stored under the site's private/files and served only through `private_file`, which asks the
one permission layer whether the user may read the record the file belongs to (for a child table's file,
its parent document). Public files (blank forms, samples) stay in MEDIA_ROOT."""

from __future__ import annotations

import mimetypes
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

FILE_LIMIT = 10 * 1024 * 1024  # the largest upload an applicant or the API may send
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
MAGIC = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def sniff(head: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG by its first bytes (never by its name), else None."""
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), None)


# What a record's file field accepts beyond PDF, PNG and JPEG: Word and Excel blank forms (OOXML, no macros).
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


def sniff_document(upload: Any) -> tuple[str, str] | None:
    """(content type, extension) of an uploaded document by its content, or None when it is none we accept."""
    import zipfile

    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = sniff(head)
    if kind is not None:
        return kind, EXTENSIONS[kind]
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and not any(n.lower().endswith(".bin") for n in names):
            for prefix, found in OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return found
    return None


def check_uploads(doc: models.Model, fields: Any) -> None:
    """Every new file in `fields` of `doc` is a document we accept, by its content, within the size limit; its
    name gets the extension of what it is (a PDF named evil.html is stored as evil.pdf). Run by the write
    path for every writer, so public storage (blank forms, samples) is checked like private storage."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    errors = {}
    file_fields = {f.name: f for f in doc._meta.concrete_fields if isinstance(f, models.FileField)}
    for name in fields:
        field = file_fields.get(name)
        if field is None:
            continue
        value = getattr(doc, field.attname)
        if not value or getattr(value, "_committed", True):
            continue  # nothing new: a stored file stays as it is
        if value.size is not None and value.size > FILE_LIMIT:
            errors[name] = ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": FILE_LIMIT // (1024 * 1024)}, code="too_large"
            )
            continue
        found = sniff_document(value.file)
        if found is None:
            errors[name] = ValidationError(
                _("Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files are accepted, checked by their content."),
                code="file_type",
            )
            continue
        base = str(value.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0][:80] or "file"
        value.name = base + found[1]
    if errors:
        raise ValidationError(errors)


def public_file(request: HttpRequest, path: str) -> Any:
    """/files/<path>: the site's public files (blank forms, samples) — always as a download, never rendered
    by the browser on the site's origin (no sniffing, no scripts even if one slipped in)."""
    from django.views.static import serve

    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class PrivateFileStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        return reverse("private_file", args=[name]) if name else ""


@cache
def private_storage() -> PrivateFileStorage:
    return PrivateFileStorage(location=settings.PRIVATE_FILES_ROOT)


def private_file_fields() -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, models.FileField) and isinstance(field.storage, PrivateFileStorage):
                found.append((model, field.name))
    return found


def owning_document(model: type[models.Model], row: models.Model) -> tuple[type[models.Model], Any] | None:
    """The DocType record a file's row answers to: itself, or the parent of a child table row."""
    from lowcode.core import registry

    doctype = registry.for_model(model)
    belongs_to = doctype.extra.get("belongs_to") if doctype is not None else None
    if belongs_to:  # an issued notice answers to the record it was issued for, not to itself
        try:
            return registry.get(getattr(row, belongs_to[0])).model, getattr(row, belongs_to[1])
        except registry.UnknownDocType:
            return None
    if doctype is not None:
        return model, row.pk
    for field in model._meta.fields:
        if field.many_to_one and registry.for_model(field.related_model) is not None:
            return field.related_model, getattr(row, field.attname)
    return None


@login_required
def private_file(request: HttpRequest, path: str) -> FileResponse:
    from lowcode.core import permissions

    for model, field in private_file_fields():
        row = model._default_manager.filter(**{field: path}).first()
        if row is None:
            continue
        owner = owning_document(model, row)
        if owner is None:
            continue
        owner_model, owner_pk = owner
        readable = permissions.scope(request.user, owner_model._default_manager.all(), "read")
        if not readable.filter(pk=owner_pk).exists():
            break  # outside the user's scope looks the same as absent
        return _serve(path)
    if path.startswith("custom/"):
        return _custom_attachment(request, path)
    raise Http404


def _serve(path: str) -> FileResponse:
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(
        private_storage().open(path, "rb"),
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=path.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _custom_attachment(request: HttpRequest, path: str) -> FileResponse:
    """A file kept in a custom Attach field: served to whoever may read the record holding it."""
    from lowcode.core import permissions, registry
    from lowcode.customization.meta import custom_fields

    doctype = path.split("/")[1]
    try:
        model = registry.get(doctype).model
    except registry.UnknownDocType:
        raise Http404 from None
    readable = permissions.scope(request.user, model._default_manager.all(), "read")
    for cf in custom_fields(doctype):
        if cf.fieldtype == "Attach" and readable.filter(**{f"custom__{cf.fieldname}": path}).exists():
            return _serve(path)
    raise Http404
