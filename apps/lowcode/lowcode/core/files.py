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

    if registry.for_model(model) is not None:
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
