"""Checks of custom fields and Customize Form overrides, when they are saved: a change that would break the
DocType is refused with its reason (in the desk), and the same rules run over what is already stored in a
system check (lowcode.customization.checks), each under its own ID."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from lowcode.core import registry
from lowcode.core.models import Document
from lowcode.core.problems import Problem, by_field


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
    """The reasons the custom field is refused, by form field (CustomField.clean)."""
    return by_field(custom_field_problems(cf))


def custom_field_problems(cf: Any) -> list[Problem]:
    """Every problem of a custom field, each with the ID of its rule: refused when it is saved, and reported
    by `manage.py check` for a stored field the DocType no longer fits (e.g. insert_after a removed field)."""
    from lowcode.customization.fieldtypes import TYPES
    from lowcode.customization.models import CustomField
    from lowcode.workflow.expressions import ExpressionError, compile_expression

    model = customisable(cf.doctype)
    if model is None:
        return [
            Problem(
                "lowcode_customization.E001",
                _("“%(name)s” is not a DocType that can be customised.") % {"name": cf.doctype},
                field="doctype",
            )
        ]
    problems: list[Problem] = []
    if cf.pk:
        stored = CustomField.objects.filter(pk=cf.pk).values_list("fieldname", "doctype").first()
        if stored and stored != (cf.fieldname, cf.doctype):
            problems.append(
                Problem(
                    "lowcode_customization.E002",
                    _("The key and DocType of a custom field never change; add a new field instead."),
                    field="fieldname",
                )
            )
    columns = {f.column for f in model._meta.concrete_fields} | {f.name for f in model._meta.get_fields()}
    if cf.fieldname in columns or f"cf_{cf.fieldname}" in columns or cf.fieldname in ("name", "doctype", "custom"):
        problems.append(
            Problem(
                "lowcode_customization.E003",
                _("“%(key)s” is already a field of %(doctype)s.") % {"key": cf.fieldname, "doctype": cf.doctype},
                field="fieldname",
            )
        )
    kind = TYPES.get(cf.fieldtype)
    if kind is None:
        problems.append(Problem("lowcode_customization.E004", _("Unknown type."), field="fieldtype"))
        return problems
    options_ok = True
    if cf.fieldtype == "Select" and not cf.option_list():
        options_ok = False
        problems.append(
            Problem("lowcode_customization.E005", _("A select field needs its options, one per line."), field="options")
        )
    if cf.fieldtype == "Link":
        try:
            registry.get(cf.options.strip())
        except registry.UnknownDocType:
            options_ok = False
            problems.append(
                Problem(
                    "lowcode_customization.E006",
                    _("A link field names the DocType it links to; “%(name)s” is none.") % {"name": cf.options.strip()},
                    field="options",
                )
            )
    if cf.in_standard_filter and not kind.mariadb_column:
        problems.append(
            Problem(
                "lowcode_customization.E007",
                _("%(type)s fields cannot be standard filters.") % {"type": kind.label},
                field="in_standard_filter",
            )
        )
    if cf.depends_on.strip():
        try:
            compile_expression(cf.depends_on)
        except ExpressionError as exc:
            problems.append(
                Problem(
                    "lowcode_customization.E008",
                    _("The expression does not compile: %(error)s") % {"error": exc},
                    field="depends_on",
                )
            )
    if cf.insert_after and cf.insert_after not in columns:
        # Read from the table, not the per-process cache: the check must see a field archived a moment ago.
        active = CustomField.objects.filter(doctype=cf.doctype, archived=False).exclude(pk=cf.pk)
        if not active.filter(fieldname=cf.insert_after).exists():
            problems.append(
                Problem(
                    "lowcode_customization.E009",
                    _("%(doctype)s has no field “%(field)s”.") % {"doctype": cf.doctype, "field": cf.insert_after},
                    hint=_("Insert the custom field after an existing field (or leave “insert after” empty)."),
                    field="insert_after",
                )
            )
    if cf.default and options_ok and cf.fieldtype not in ("Attach",):
        from lowcode.customization.values import form_field

        try:
            form_field(cf, initial=False).clean(cf.default)
        except Exception as exc:
            messages = getattr(exc, "messages", [str(exc)])
            problems.append(
                Problem(
                    "lowcode_customization.E010",
                    _("The default is not a valid value: %(why)s") % {"why": "；".join(messages)},
                    field="default",
                )
            )
    if cf.required and cf.hidden and not cf.default:
        problems.append(
            Problem(
                "lowcode_customization.E011", _("A required field with no default cannot be hidden."), field="hidden"
            )
        )
    if cf.required and cf.read_only and not cf.default:
        problems.append(
            Problem(
                "lowcode_customization.E012",
                _("A required field with no default cannot be read-only."),
                field="read_only",
            )
        )
    return problems


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
    return [p.message for p in override_problems(doctype, changes)]


def override_problems(doctype: str, changes: dict[str, dict[str, str]]) -> list[Problem]:
    """Every problem of a DocType's overrides, each with the ID of its rule and the field it overrides:
    refused by Customize Form, and reported by `manage.py check` for stored overrides of a field the model
    no longer has (or no longer allows)."""
    model = customisable(doctype)
    if model is None:
        return [
            Problem(
                "lowcode_customization.E020",
                _("“%(name)s” is not a DocType that can be customised.") % {"name": doctype},
                hint=_("Reset its Customize Form overrides."),
            )
        ]
    problems = []
    for name, props in changes.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            problems.append(
                Problem(
                    "lowcode_customization.E021",
                    _("%(doctype)s has no field “%(field)s”.") % {"doctype": doctype, "field": name},
                    hint=_("The field was removed or renamed: reset its overrides in Customize Form."),
                    field=name,
                )
            )
            continue
        label = props.get("label") or str(getattr(field, "verbose_name", name))
        mandatory = not getattr(field, "blank", True) and not field.has_default()
        has_default = bool(props.get("default")) or field.has_default()
        if props.get("hidden") == "1" and mandatory and not has_default:
            problems.append(
                Problem(
                    "lowcode_customization.E022",
                    _("“%(field)s” is required and has no default: it cannot be hidden.") % {"field": label},
                    field=name,
                )
            )
        if props.get("read_only") == "1" and mandatory and not has_default and field.editable:
            problems.append(
                Problem(
                    "lowcode_customization.E023",
                    _("“%(field)s” is required and has no default: it cannot be read-only.") % {"field": label},
                    field=name,
                )
            )
        if props.get("required") == "0" and mandatory:
            problems.append(
                Problem(
                    "lowcode_customization.E024",
                    _("“%(field)s” is required by the model: it cannot be made optional.") % {"field": label},
                    field=name,
                )
            )
        if props.get("options"):
            allowed = {str(v) for v, _l in (field.choices or [])}
            given = [o.strip() for o in props["options"].splitlines() if o.strip()]
            if not field.choices:
                problems.append(
                    Problem(
                        "lowcode_customization.E025",
                        _("“%(field)s” has no options to choose from.") % {"field": label},
                        field=name,
                    )
                )
            elif set(given) - allowed:
                problems.append(
                    Problem(
                        "lowcode_customization.E026",
                        _("“%(field)s” has no options %(options)s; choose among %(allowed)s.")
                        % {
                            "field": label,
                            "options": "、".join(sorted(set(given) - allowed)),
                            "allowed": "、".join(sorted(allowed)),
                        },
                        field=name,
                    )
                )
        if props.get("idx") and not props["idx"].lstrip("-").isdigit():
            problems.append(
                Problem(
                    "lowcode_customization.E027",
                    _("The order of “%(field)s” is a whole number.") % {"field": label},
                    field=name,
                )
            )
        if props.get("default"):
            try:
                formfield = field.formfield()
                if formfield is not None:
                    formfield.clean(props["default"])
            except Exception as exc:
                problems.append(
                    Problem(
                        "lowcode_customization.E028",
                        _("The default of “%(field)s” is not valid: %(why)s")
                        % {"field": label, "why": "；".join(getattr(exc, "messages", [str(exc)]))},
                        field=name,
                    )
                )
    return problems
