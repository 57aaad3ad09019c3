"""Checks of custom fields and Customize Form overrides, when they are saved: a change that would break the
DocType is refused with its reason (in the desk, and in a system check for what is already stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from lowcode.core import registry
from lowcode.core.models import Document


def customisable(doctype: str) -> type[models.Model] | None:
    try:
        model = registry.get(doctype).model
    except registry.UnknownDocType:
        return None
    return model if issubclass(model, Document) else None


def standard_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a person sees on the DocType's form (what Customize Form can change)."""
    hidden = {"id", "custom", "fixture_hash"}
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.Field)
        and f.name not in hidden
        and (f.editable or f.many_to_many)
        and not f.auto_created
    ]


def check_custom_field(cf: Any) -> dict[str, list[str]]:
    from lowcode.customization.fieldtypes import TYPES
    from lowcode.customization.models import CustomField
    from lowcode.workflow.expressions import ExpressionError, compile_expression

    errors: dict[str, list[str]] = {}
    model = customisable(cf.doctype)
    if model is None:
        return {"doctype": [_("“%(name)s” is not a DocType that can be customised.") % {"name": cf.doctype}]}
    if cf.pk:
        stored = CustomField.objects.filter(pk=cf.pk).values_list("fieldname", "doctype").first()
        if stored and stored != (cf.fieldname, cf.doctype):
            errors["fieldname"] = [_("The key and DocType of a custom field never change; add a new field instead.")]
    columns = {f.column for f in model._meta.concrete_fields} | {f.name for f in model._meta.get_fields()}
    if cf.fieldname in columns or f"cf_{cf.fieldname}" in columns or cf.fieldname in ("name", "doctype", "custom"):
        errors["fieldname"] = [
            _("“%(key)s” is already a field of %(doctype)s.") % {"key": cf.fieldname, "doctype": cf.doctype}
        ]
    kind = TYPES.get(cf.fieldtype)
    if kind is None:
        errors["fieldtype"] = [_("Unknown type.")]
        return errors
    if cf.fieldtype == "Select" and not cf.option_list():
        errors["options"] = [_("A select field needs its options, one per line.")]
    if cf.fieldtype == "Link":
        try:
            registry.get(cf.options.strip())
        except registry.UnknownDocType:
            errors["options"] = [
                _("A link field names the DocType it links to; “%(name)s” is none.") % {"name": cf.options.strip()}
            ]
    if cf.in_standard_filter and not kind.mariadb_column:
        errors["in_standard_filter"] = [_("%(type)s fields cannot be standard filters.") % {"type": kind.label}]
    if cf.depends_on.strip():
        try:
            compile_expression(cf.depends_on)
        except ExpressionError as exc:
            errors["depends_on"] = [_("The expression does not compile: %(error)s") % {"error": exc}]
    if cf.insert_after and cf.insert_after not in columns:
        from lowcode.customization.meta import custom_fields

        if cf.insert_after not in {c.fieldname for c in custom_fields(cf.doctype)}:
            errors["insert_after"] = [
                _("%(doctype)s has no field “%(field)s”.") % {"doctype": cf.doctype, "field": cf.insert_after}
            ]
    if cf.default and "options" not in errors and cf.fieldtype not in ("Attach",):
        from lowcode.customization.values import form_field

        try:
            form_field(cf, initial=False).clean(cf.default)
        except Exception as exc:
            messages = getattr(exc, "messages", [str(exc)])
            errors["default"] = [_("The default is not a valid value: %(why)s") % {"why": "；".join(messages)}]
    if cf.required and cf.hidden and not cf.default:
        errors["hidden"] = [_("A required field with no default cannot be hidden.")]
    if cf.required and cf.read_only and not cf.default:
        errors["read_only"] = [_("A required field with no default cannot be read-only.")]
    return errors


OVERRIDABLE = (
    "label",
    "hidden",
    "required",
    "read_only",
    "in_list_view",
    "in_standard_filter",
    "default",
    "options",
    "idx",
    "section",
)


def check_overrides(doctype: str, changes: dict[str, dict[str, str]]) -> list[str]:
    """Reasons why these overrides (field -> property -> value, the whole set for the DocType) break it."""
    model = customisable(doctype)
    if model is None:
        return [_("“%(name)s” is not a DocType that can be customised.") % {"name": doctype}]
    problems = []
    for name, props in changes.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            problems.append(_("%(doctype)s has no field “%(field)s”.") % {"doctype": doctype, "field": name})
            continue
        label = props.get("label") or str(getattr(field, "verbose_name", name))
        mandatory = not getattr(field, "blank", True) and not field.has_default()
        has_default = bool(props.get("default")) or field.has_default()
        if props.get("hidden") == "1" and mandatory and not has_default:
            problems.append(_("“%(field)s” is required and has no default: it cannot be hidden.") % {"field": label})
        if props.get("read_only") == "1" and mandatory and not has_default and field.editable:
            problems.append(_("“%(field)s” is required and has no default: it cannot be read-only.") % {"field": label})
        if props.get("required") == "0" and mandatory:
            problems.append(_("“%(field)s” is required by the model: it cannot be made optional.") % {"field": label})
        if props.get("options"):
            allowed = {str(v) for v, _l in (field.choices or [])}
            given = [o.strip() for o in props["options"].splitlines() if o.strip()]
            if not field.choices:
                problems.append(_("“%(field)s” has no options to choose from.") % {"field": label})
            elif set(given) - allowed:
                problems.append(
                    _("“%(field)s” has no options %(options)s; choose among %(allowed)s.")
                    % {
                        "field": label,
                        "options": "、".join(sorted(set(given) - allowed)),
                        "allowed": "、".join(sorted(allowed)),
                    }
                )
        if props.get("idx") and not props["idx"].lstrip("-").isdigit():
            problems.append(_("The order of “%(field)s” is a whole number.") % {"field": label})
        if props.get("default"):
            try:
                formfield = field.formfield()
                if formfield is not None:
                    formfield.clean(props["default"])
            except Exception as exc:
                problems.append(
                    _("The default of “%(field)s” is not valid: %(why)s")
                    % {"field": label, "why": "；".join(getattr(exc, "messages", [str(exc)]))}
                )
    return problems
