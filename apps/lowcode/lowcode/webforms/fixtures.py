"""Web forms shipped by apps (fixtures/web_form.json), with their fields; applied unless edited on the site."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lowcode.core.fixtures import fingerprint
from lowcode.webforms.models import WebForm, WebFormField

FORM_FIELDS = {
    "title": "",
    "doctype": "",
    "introduction": "",
    "published": True,
    "login_required": True,
    "realname_level": 0,
    "owner_field": "",
    "editable_states": [],
    "show_list": True,
    "list_columns": [],
    "allowed_file_types": "pdf,png,jpg",
    "max_file_size_mb": 10,
    "success_message": "",
}
ROW_FIELDS = {
    "label": "",
    "page": "",
    "section": "",
    "required": False,
    "read_only": False,
    "default": "",
    "description": "",
    "file_types": "",
    "max_size_mb": None,
}


def _canonical(source: Any) -> dict[str, Any]:
    if isinstance(source, dict):
        values = {k: source.get(k, d) for k, d in FORM_FIELDS.items()}
        rows = [
            {"fieldname": r["fieldname"], **{k: r.get(k, d) for k, d in ROW_FIELDS.items()}}
            for r in source.get("fields", [])
        ]
    else:
        values = {k: getattr(source, k) for k in FORM_FIELDS}
        rows = [{"fieldname": r.fieldname, **{k: getattr(r, k) for k in ROW_FIELDS}} for r in source.fields.all()]
    return {**values, "fields": rows}


@transaction.atomic
def web_form_upsert(record: dict[str, Any]) -> str:
    shipped = _canonical(record)
    existing = WebForm.objects.filter(route=record["route"]).first()
    if existing is not None:
        if existing.fixture_hash != fingerprint(_canonical(existing)):
            return "unchanged"  # an administrator edited it on this site: theirs stands
        if existing.fixture_hash == fingerprint(shipped):
            return "unchanged"
    form = existing or WebForm(route=record["route"])
    for name in FORM_FIELDS:
        setattr(form, name, shipped[name])
    form.fixture_hash = fingerprint(shipped)
    form.save()
    form.fields.all().delete()
    WebFormField.objects.bulk_create(
        WebFormField(web_form=form, idx=i, **dict(row.items())) for i, row in enumerate(shipped["fields"])
    )
    form.full_clean()
    return "updated" if existing else "created"
