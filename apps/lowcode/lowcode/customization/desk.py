"""Custom fields and Customize Form overrides in the desk: the form (fields at their place, checked), the
list (columns, filters, sorting, search) and exports. DocTypeAdmin calls these on every request, so what an
administrator changes shows at the next page load, in every process."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from lowcode.customization import conditions, index, values
from lowcode.customization.meta import custom_fields, doctype_name, overrides, prop

EXTRA_SECTION = _("More information")


def active(model: type[models.Model], obj: models.Model | None) -> list[Any]:
    """The custom fields on this record's form: not hidden, and either toggled in the browser by their
    depends_on or, when the browser cannot evaluate it, shown by it for the stored record."""
    return [
        cf
        for cf in custom_fields(doctype_name(model))
        if not cf.hidden and (conditions.tree(cf.depends_on) is not None or values.visible(cf, obj))
    ]


def known_values(model: type[models.Model], obj: models.Model | None, user: Any) -> dict[str, Any]:
    """The stored values of the fields that depends_on conditions read, for those not editable on the page —
    as `user` may see them (a masked field goes to the page masked)."""
    from lowcode.core.documents import jsonable
    from lowcode.core.masking import hidden_fields, mask
    from lowcode.workflow.expressions import document_values

    wanted: set[str] = set()
    for cf in custom_fields(doctype_name(model)):
        wanted |= conditions.fields_of(conditions.tree(cf.depends_on))
    if not wanted:
        return {}
    stored = document_values(obj) if obj is not None else {}
    hidden = hidden_fields(user, model)
    return {
        name: jsonable(mask(model, name, stored.get(name)) if name in hidden else stored.get(name)) for name in wanted
    }


def form_class(model: type[models.Model], base: type[forms.ModelForm], obj: models.Model | None) -> type:
    """The admin's ModelForm with the custom fields declared and the standard fields' overrides applied."""
    doctype = doctype_name(model)
    fields = active(model, obj)
    declared = {cf.fieldname: values.form_field(cf) for cf in fields}
    conditional = [cf for cf in fields if conditions.tree(cf.depends_on) is not None]
    for cf in conditional:
        declared[cf.fieldname].required = False  # required only while shown: checked in clean()
        declared[cf.fieldname].widget.attrs["data-show-if"] = json.dumps(conditions.tree(cf.depends_on))
    changes = overrides(doctype)

    def clean(self: Any) -> Any:
        data = base.clean(self)
        for cf in conditional:
            shown = values.visible(cf, self.instance, dict(data))
            if not shown:
                data.pop(cf.fieldname, None)  # a hidden field keeps its stored value
            elif cf.required and data.get(cf.fieldname) in (None, "") and cf.fieldname not in self.errors:
                self.add_error(cf.fieldname, forms.Field.default_error_messages["required"])
        return data

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        for cf in fields:
            stored = values.get(self.instance, cf) if self.instance.pk else None
            if stored not in (None, ""):
                self.initial[cf.fieldname] = stored
        for name, props in changes.items():
            field = self.fields.get(name)
            if field is None:
                continue
            if props.get("label"):
                field.label = props["label"]
            if props.get("required") in ("0", "1"):
                field.required = props["required"] == "1"
            if props.get("default") and not self.instance.pk and not self.is_bound:
                self.initial[name] = props["default"]
            if props.get("options") and hasattr(field, "choices"):
                allowed = [o.strip() for o in props["options"].splitlines() if o.strip()]
                field.choices = [c for c in field.choices if c[0] in ("", None) or str(c[0]) in allowed]

    attrs = {**declared, "__init__": __init__, "clean": clean, "custom_field_names": list(declared)}
    return type(base.__name__, (base,), attrs)


def readonly(model: type[models.Model]) -> list[str]:
    return [name for name, props in overrides(doctype_name(model)).items() if props.get("read_only") == "1"]


def layout(model: type[models.Model], fieldsets: Any, obj: models.Model | None) -> list[Any]:
    """Fieldsets with hidden fields dropped, fields moved to their sections and order, custom fields placed."""
    doctype = doctype_name(model)
    changes = overrides(doctype)
    hidden = {name for name, props in changes.items() if props.get("hidden") == "1"}
    sections: list[list[Any]] = []
    for name, opts in fieldsets:
        items = [f for f in opts["fields"] if (f[0] if isinstance(f, list | tuple) else f) not in hidden]
        sections.append([name, dict(opts), items])
    moved = {n: p["section"] for n, p in changes.items() if p.get("section") and n not in hidden}
    for fieldname, target in moved.items():
        for section in sections:
            if fieldname in section[2]:
                section[2].remove(fieldname)
        found = next((s for s in sections if str(s[0] or "") == target), None)
        if found is None:
            found = [target, {}, []]
            sections.append(found)
        found[2].append(fieldname)
    for section in sections:
        position = {f: i * 10 for i, f in enumerate(section[2])}

        def order(item: Any, position: dict = position) -> int:
            key = item[0] if isinstance(item, list | tuple) else item
            given = prop(doctype, key, "idx") if isinstance(key, str) else None
            return int(given) if given and given.lstrip("-").isdigit() else position[item]

        section[2].sort(key=order)
    extra: list[str] = []
    for cf in active(model, obj):
        target = next((s for s in sections if cf.insert_after and cf.insert_after in s[2]), None)
        if target is None:
            extra.append(cf.fieldname)
        else:
            target[2].insert(target[2].index(cf.insert_after) + 1, cf.fieldname)
    if extra:
        sections.append([EXTRA_SECTION, {}, extra])
    return [(name, {**opts, "fields": items}) for name, opts, items in sections if items]


def save_values(form: forms.Form, obj: models.Model) -> bool:
    """Put the form's custom values on the record; True when any changed."""
    changed = False
    for name in getattr(form, "custom_field_names", []):
        cf = next((c for c in custom_fields(doctype_name(type(obj))) if c.fieldname == name), None)
        if cf is None or cf.read_only or name not in form.cleaned_data:
            continue
        if name in form.changed_data or not obj.pk:
            changed |= values.put(obj, cf, form.cleaned_data[name])
    return changed


# -- the list ----------------------------------------------------------------------------------------------------


def list_display(model: type[models.Model], columns: list[Any]) -> list[Any]:
    doctype = doctype_name(model)
    changes = overrides(doctype)
    result = [c for c in columns if not (isinstance(c, str) and changes.get(c, {}).get("in_list_view") == "0")]
    for name, props in changes.items():
        if props.get("in_list_view") == "1" and name not in result:
            result.append(name)
    for i, column in enumerate(result):
        if isinstance(column, str) and changes.get(column, {}).get("label"):
            result[i] = _relabelled(model, column, changes[column]["label"])
    for cf in custom_fields(doctype):
        if cf.in_list_view and not cf.hidden:
            result.append(_custom_column(model, cf))
    return result


def _relabelled(model: type[models.Model], name: str, label: str) -> Any:
    field = model._meta.get_field(name)

    @display(description=label, ordering=name)
    def column(obj: models.Model) -> Any:
        if getattr(field, "choices", None):
            return getattr(obj, f"get_{name}_display")()
        return getattr(obj, name)

    column.__name__ = name
    return column


def _custom_column(model: type[models.Model], cf: Any) -> Any:
    @display(description=cf.label, ordering=index.expression(model, cf))
    def column(obj: models.Model) -> Any:
        value = values.get(obj, cf)
        if cf.fieldtype == "Check":
            return _("Yes") if value else _("No")
        return "—" if value in (None, "") else value

    column.__name__ = f"custom_{cf.fieldname}"
    return column


def list_filter(model: type[models.Model], filters: list[Any]) -> list[Any]:
    doctype = doctype_name(model)
    changes = overrides(doctype)
    result = [f for f in filters if not (isinstance(f, str) and changes.get(f, {}).get("in_standard_filter") == "0")]
    for name, props in changes.items():
        if props.get("in_standard_filter") == "1" and name not in result:
            result.append(name)
    for cf in custom_fields(doctype):
        if cf.in_standard_filter:
            result.append(custom_filter(model, cf))
    return result


def _ranges() -> list[tuple[str, Any, Any]]:
    today = timezone.localdate()
    return [
        ("expired", _("Before today"), (None, today - timedelta(days=1))),
        ("30d", _("Within 30 days"), (today, today + timedelta(days=30))),
        ("90d", _("Within 90 days"), (today, today + timedelta(days=90))),
        ("1y", _("Within a year"), (today, today + timedelta(days=365))),
        ("later", _("More than a year away"), (today + timedelta(days=366), None)),
    ]


def custom_filter(model: type[models.Model], cf: Any) -> type[admin.SimpleListFilter]:
    class CustomFieldFilter(admin.SimpleListFilter):
        title = cf.label
        parameter_name = f"cf_{cf.fieldname}"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
            if cf.fieldtype in ("Date", "Datetime"):
                return [(key, label) for key, label, _r in _ranges()] + [("none", _("Not filled in"))]
            if cf.fieldtype == "Check":
                return [("1", _("Yes")), ("0", _("No"))]
            if cf.fieldtype == "Select":
                return [(o, o) for o in cf.option_list()] + [("none", _("Not filled in"))]
            queryset, alias = index.annotate(model._default_manager.all(), cf)
            present = queryset.exclude(**{f"{alias}__isnull": True}).values_list(alias, flat=True).distinct()
            return [(str(v), str(v)) for v in present.order_by(alias)[:50]] + [("none", _("Not filled in"))]

        def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
            value = self.value()
            if value is None:
                return None
            annotated, alias = index.annotate(queryset, cf)
            if value == "none":
                return annotated.filter(**{f"{alias}__isnull": True})
            if cf.fieldtype in ("Date", "Datetime"):
                chosen = next((r for key, _l, r in _ranges() if key == value), None)
                if chosen is None:
                    return queryset.none()
                low, high = chosen
                if cf.fieldtype == "Datetime":
                    low = low.isoformat() if low else None
                    high = f"{high.isoformat()} 23:59:59" if high else None
                q = Q()
                if low is not None:
                    q &= Q(**{f"{alias}__gte": low})
                if high is not None:
                    q &= Q(**{f"{alias}__lte": high})
                return annotated.filter(q)
            if cf.fieldtype == "Check":
                return (
                    annotated.filter(**{alias: value == "1"})
                    if value == "1"
                    else annotated.filter(Q(**{alias: False}) | Q(**{f"{alias}__isnull": True}))
                )
            return annotated.filter(**{alias: value})

    CustomFieldFilter.__name__ = f"CustomFieldFilter_{cf.fieldname}"
    return CustomFieldFilter


def search(model: type[models.Model], queryset: QuerySet, results: QuerySet, term: str) -> QuerySet:
    searchable = [cf for cf in custom_fields(doctype_name(model)) if cf.fieldtype in ("Data", "Text", "Select", "Link")]
    if not term or not searchable:
        return results
    q = Q()
    annotated = queryset
    for cf in searchable:
        annotated, alias = index.annotate(annotated, cf)
        q |= Q(**{f"{alias}__icontains": term})
    return annotated.filter(Q(pk__in=results.values("pk")) | q)


def export_columns(model: type[models.Model]) -> list[str]:
    return [f"custom:{cf.fieldname}" for cf in custom_fields(doctype_name(model)) if not cf.hidden]


def export_cell(obj: models.Model, column: str) -> Any:
    cf = next((c for c in custom_fields(doctype_name(type(obj))) if c.fieldname == column[7:]), None)
    if cf is None:
        return None
    value = values.get(obj, cf)
    return bool(value) if cf.fieldtype == "Check" else values.plain(value)


def export_label(model: type[models.Model], column: str) -> str:
    cf = next((c for c in custom_fields(doctype_name(model)) if c.fieldname == column[7:]), None)
    return cf.label if cf else column


def label_of(model: type[models.Model], name: str) -> str | None:
    return prop(doctype_name(model), name, "label")
