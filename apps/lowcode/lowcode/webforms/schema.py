"""What a web form may name: checked when it is saved (desk, fixtures) and by a system check, never first
found out when a citizen opens the page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from lowcode.core import registry

# Field kinds a web form can carry (what a citizen can type or upload).
FORM_FIELD_TYPES = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.BooleanField,
    models.DateField,
    models.FileField,
    models.ForeignKey,
    models.EmailField,
)


def form_field(model: type[models.Model], name: str) -> models.Field | None:
    """The model field a web form row names, if a web form may carry it."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.Field) or not field.editable or field.primary_key:
        return None
    if not isinstance(field, FORM_FIELD_TYPES):
        return None
    return field


def state_field(doctype: str) -> str | None:
    from lowcode.workflow.engine import workflow_for

    workflow = workflow_for(registry.get(doctype).model)
    return workflow.state_field if workflow else None


def workflow_states(doctype: str) -> set[str] | None:
    from lowcode.workflow.engine import workflow_for

    workflow = workflow_for(registry.get(doctype).model)
    return None if workflow is None else set(workflow.states.values_list("name", flat=True))


def check_web_form(web_form: Any, rows: list[Any]) -> dict[str, list[str]]:
    """Reasons, by field, why this web form cannot be saved (empty when it can)."""
    errors: dict[str, list[str]] = {}
    try:
        model = registry.get(web_form.doctype).model
    except registry.UnknownDocType:
        return {"doctype": [_("There is no DocType “%(name)s”.") % {"name": web_form.doctype}]}
    label = str(model._meta.verbose_name)
    if web_form.owner_field:
        try:
            owner = model._meta.get_field(web_form.owner_field)
        except FieldDoesNotExist:
            owner = None
        if not (isinstance(owner, models.ForeignKey) and owner.related_model is get_user_model()):
            errors["owner_field"] = [
                _("“%(field)s” is not a link from %(doctype)s to a user account.")
                % {"field": web_form.owner_field, "doctype": label}
            ]
    elif web_form.show_list or web_form.editable_states:
        errors["owner_field"] = [_("A “my submissions” list or editing needs the submitter field.")]
    if web_form.editable_states:
        states = workflow_states(web_form.doctype)
        unknown = sorted(set(web_form.editable_states) - (states or set()))
        if states is None:
            errors["editable_states"] = [_("%(doctype)s has no workflow.") % {"doctype": label}]
        elif unknown:
            errors["editable_states"] = [_("Not states of the workflow: %(states)s") % {"states": ", ".join(unknown)}]
    bad_columns = [c for c in web_form.list_columns or [] if form_field(model, c) is None and c != "name"]
    if not isinstance(web_form.list_columns, list) or bad_columns:
        errors["list_columns"] = [
            _("Not fields of %(doctype)s: %(fields)s") % {"doctype": label, "fields": ", ".join(map(str, bad_columns))}
        ]
    names = [row.fieldname for row in rows]
    from lowcode.customization.meta import custom_fields

    custom = {cf.fieldname for cf in custom_fields(web_form.doctype)}
    bad = [n for n in names if form_field(model, n) is None and n not in custom]
    locked = state_field(web_form.doctype)
    if locked in names:
        bad.append(locked)
    if web_form.owner_field in names:
        bad.append(web_form.owner_field)
    if bad:
        errors["__all__"] = [
            _("A web form cannot carry these fields of %(doctype)s: %(fields)s")
            % {"doctype": label, "fields": ", ".join(bad)}
        ]
    return errors
