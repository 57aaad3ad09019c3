"""Custom field values: kept in the record's `custom` JSON under the field's key; read, checked and written
here for every surface (desk, web forms, API, prints, exports), so a value means the same everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from lowcode.core.files import FILE_LIMIT
from lowcode.customization.fieldtypes import TYPES
from lowcode.customization.meta import custom_fields, doctype_name

ATTACH_TYPES = ["application/pdf", "image/png", "image/jpeg"]


def form_field(
    cf: Any,
    *,
    initial: bool = True,
    help_text: str = "",
    types: list[str] | None = None,
    limit: int = FILE_LIMIT,
) -> forms.Field:
    """The form field for a custom field: type, requirement, options, link target and file checks (a web form
    may narrow the file types and size and give its own help text)."""
    help_text = escape(help_text or cf.description)  # an administrator's text, shown as text, never as markup
    if cf.fieldtype == "Attach":
        from lowcode.webforms.forms import upload_field

        field = upload_field(
            label=cf.label, required=cf.required, types=types or ATTACH_TYPES, limit=limit, help_text=help_text
        )
    else:
        field = TYPES[cf.fieldtype].build(cf)
        field.label = cf.label
        field.required = bool(cf.required) and cf.fieldtype != "Check"
        field.help_text = help_text
    if initial and cf.default:
        field.initial = cf.default
    if cf.read_only:
        field.disabled = True
    return field


def get(doc: models.Model, cf: Any) -> Any:
    raw = (getattr(doc, "custom", None) or {}).get(cf.fieldname)
    return TYPES[cf.fieldtype].load(raw)


def values(doc: models.Model) -> dict[str, Any]:
    return {cf.fieldname: get(doc, cf) for cf in custom_fields(doctype_name(type(doc)))}


def put(doc: models.Model, cf: Any, value: Any) -> bool:
    """Set a cleaned value; True when it changed."""
    if cf.fieldtype == "Attach":
        value = _store_attachment(doc, cf, value)
        if value is None:
            return False
    stored = TYPES[cf.fieldtype].dump(value)
    custom = dict(getattr(doc, "custom", None) or {})
    if custom.get(cf.fieldname) == stored:
        return False
    if stored is None:
        custom.pop(cf.fieldname, None)
    else:
        custom[cf.fieldname] = stored
    doc.custom = custom  # type: ignore[attr-defined]
    return True


def _store_attachment(doc: models.Model, cf: Any, upload: Any) -> str | None:
    if upload is False:  # "clear" ticked
        return ""
    if not hasattr(upload, "read"):
        return None  # no new file: keep the stored one
    from lowcode.core.files import private_storage

    stamp = timezone.localdate()
    return private_storage().save(f"custom/{cf.doctype}/{stamp:%Y/%m}/{upload.name}", upload)


def clean(cf: Any, raw: Any) -> Any:
    """A value from outside (the API, an import) checked the way the form checks it."""
    if isinstance(raw, list | dict):
        raise ValidationError(_("Enter a single value."))
    if cf.fieldtype == "Check":
        if raw not in (1, 0, "1", "0", True, False, "true", "false", None, ""):
            raise ValidationError(_("Enter 0 or 1."))
        return raw in (1, "1", True, "true")
    if cf.fieldtype == "Attach":
        raise ValidationError(_("Files are uploaded, not written."))
    field = form_field(cf, initial=False)
    field.disabled = False
    return field.clean(raw)


def assign(doc: models.Model, data: dict[str, Any], *, creating: bool) -> list[str]:
    """Check and set the custom values present in `data` (API writes). Errors name every bad field."""
    errors: dict[str, list[str]] = {}
    changed = []
    for cf in custom_fields(doctype_name(type(doc))):
        if cf.fieldname not in data:
            if creating and cf.required and not cf.default and visible(cf, doc):
                errors[cf.fieldname] = [_("This field is required.")]
            elif creating and cf.default and cf.fieldtype != "Attach":
                put(doc, cf, clean(cf, cf.default))
            continue
        if cf.read_only:
            continue
        try:
            value = clean(cf, data[cf.fieldname])
        except ValidationError as exc:
            errors[cf.fieldname] = exc.messages
            continue
        if put(doc, cf, value):
            changed.append(cf.fieldname)
    if errors:
        raise ValidationError(errors)
    return changed


def visible(cf: Any, doc: models.Model | None, overrides: dict[str, Any] | None = None) -> bool:
    """`depends_on` decides whether the field shows (and is required) for this record."""
    if not cf.depends_on.strip():
        return True
    from lowcode.workflow.expressions import ExpressionError, document_values, run

    context = document_values(doc) if doc is not None else {}
    context.update(overrides or {})
    try:
        return run(cf.depends_on, doc=context)
    except (ExpressionError, Exception):
        return True


def plain(value: Any) -> Any:
    """For spreadsheets, which keep no time zone: a moment in the site's local time."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value
