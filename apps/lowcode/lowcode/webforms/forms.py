"""Build a Django form from a Web Form: one form field per row, from the DocType's own field (type, choices,
length, link target), with the row's label, requirement and file rules layered over it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from lowcode.core import permissions, registry
from lowcode.core.files import EXTENSIONS, sniff
from lowcode.webforms.controller import WebFormController
from lowcode.webforms.models import FILE_TYPES, WebForm, WebFormField
from lowcode.webforms.schema import form_field

TYPE_NAMES = {v: k.upper() for k, v in FILE_TYPES.items()}


@dataclass
class Section:
    title: str
    names: list[str] = field(default_factory=list)


@dataclass
class Page:
    title: str
    sections: list[Section] = field(default_factory=list)
    introduction: str = ""


class UploadCheck:
    """A file's type by its content (an executable renamed .pdf is refused) and its size."""

    def __init__(self, types: list[str], limit: int) -> None:
        self.types, self.limit = types, limit

    def __call__(self, file: Any) -> None:
        if file is None or not hasattr(file, "read"):
            return
        if file.size > self.limit:
            raise ValidationError(
                _("The file is %(size).1f MB; at most %(limit)d MB is accepted.")
                % {"size": file.size / 1048576, "limit": self.limit // 1048576}
            )
        head = file.read(16)
        file.seek(0)
        kind = sniff(head)
        if kind not in self.types:
            raise ValidationError(
                _("This file is not a %(types)s file (its content was checked, not its name).")
                % {"types": " / ".join(TYPE_NAMES[t] for t in self.types)}
            )
        # kept under the extension of what it is: a PDF named p0.html is stored as p0.pdf
        base = str(file.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0][:80] or "file"
        file.name = base + EXTENSIONS[kind]

    def accept(self) -> str:
        return ",".join(f".{k}" + (",.jpeg" if k == "jpg" else "") for k, v in FILE_TYPES.items() if v in self.types)


def upload_field(*, label: str, required: bool, types: list[str], limit: int, help_text: str = "") -> forms.FileField:
    check = UploadCheck(types, limit)
    hint = _("%(types)s, at most %(limit)d MB") % {
        "types": " / ".join(TYPE_NAMES[t] for t in types),
        "limit": limit // 1048576,
    }
    return forms.FileField(
        label=label,
        required=required,
        validators=[check],
        help_text=f"{help_text} {hint}".strip(),
        widget=forms.ClearableFileInput(attrs={"accept": check.accept()}),
    )


def _form_field(row: WebFormField, model_field: models.Field, user: Any) -> forms.Field:
    from lowcode.customization.meta import prop

    relabelled = prop(row.web_form.doctype, row.fieldname, "label")  # Customize Form's label, as in the desk
    label = row.label or relabelled or str(model_field.verbose_name)
    if isinstance(model_field, models.FileField):
        return upload_field(
            label=label,
            required=row.required or not model_field.blank,
            types=row.accepted_types(),
            limit=row.size_limit(),
            help_text=row.description or str(model_field.help_text or ""),
        )
    kwargs: dict[str, Any] = {}
    if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"})
    formfield = model_field.formfield(**kwargs)
    if isinstance(model_field, models.ForeignKey):
        target = model_field.related_model
        formfield.queryset = permissions.scope(user, target._default_manager.all(), "read")  # type: ignore[attr-defined]
    formfield.label = label
    if row.required:
        formfield.required = True
    if row.description:
        formfield.help_text = row.description
    if row.read_only:
        formfield.disabled = True  # the value comes from `initial`, never from the request
    if isinstance(formfield.widget, forms.Textarea):
        formfield.widget.attrs.update(rows=4)
    return formfield


class WebFormForm(forms.Form):
    pages: list[Page]

    def __init__(self, *args: Any, pages: list[Page], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages = pages
        for name, bound in self.fields.items():
            attrs = bound.widget.attrs
            if bound.required and not isinstance(bound, forms.BooleanField):
                attrs["required"] = True
            if bound.help_text:
                attrs["aria-describedby"] = f"id_{name}_help"

    def clean(self) -> dict[str, Any]:
        from lowcode.customization import values as custom_values

        data = super().clean()
        for name, formfield in self.fields.items():
            cf = getattr(formfield, "custom_field", None)
            if cf is None:
                continue
            if not custom_values.visible(cf, None, dict(data)):
                data.pop(name, None)
            elif formfield.custom_required and data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, forms.Field.default_error_messages["required"])
        return data

    def layout(self) -> list[dict[str, Any]]:
        """Pages, their sections and bound fields, in order, for the template."""
        return [
            {
                "title": page.title,
                "introduction": page.introduction,
                "sections": [{"title": s.title, "fields": [self[n] for n in s.names]} for s in page.sections],
            }
            for page in self.pages
        ]

    def values(self, names: list[str]) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


def _place(pages: dict[str, Page], web_form: WebForm, row: WebFormField) -> None:
    page = pages.setdefault(row.page or web_form.title, Page(row.page or web_form.title))
    section = next((s for s in page.sections if s.title == row.section), None)
    if section is None:
        section = Section(row.section)
        page.sections.append(section)
    section.names.append(row.fieldname)


def _custom_form_field(row: WebFormField, cf: Any) -> forms.Field:
    from lowcode.customization import values as custom_values

    field = custom_values.form_field(cf, help_text=row.description, types=row.accepted_types(), limit=row.size_limit())
    field.label = row.label or cf.label
    if row.required:
        field.required = True
    if row.read_only:
        field.disabled = True
    from lowcode.customization import conditions

    condition = conditions.tree(cf.depends_on)
    if condition is not None:  # shown and hidden as the form is filled; required only while shown
        field.widget.attrs["data-show-if"] = json.dumps(condition)
        field.custom_required = field.required
        field.custom_field = cf
        field.required = False
        if field.custom_required:
            field.widget.attrs["data-required-when-shown"] = "1"
    return field


def build_form(
    web_form: WebForm,
    controller: WebFormController,
    *,
    data: Any = None,
    files: Any = None,
    instance: models.Model | None = None,
    editing: bool = False,
) -> tuple[WebFormForm, list[str]]:
    """The form and the names of its DocType fields (the rest belong to the controller's extra pages)."""
    model = registry.get(web_form.doctype).model
    declared: dict[str, forms.Field] = {}
    pages: dict[str, Page] = {}
    doc_names: list[str] = []
    initial: dict[str, Any] = {}
    from lowcode.customization import values as custom_values
    from lowcode.customization.meta import custom_fields

    customs = {cf.fieldname: cf for cf in custom_fields(web_form.doctype)}
    rows = list(web_form.fields.all())
    listed = {row.fieldname for row in rows}
    for cf in customs.values():
        if cf.in_web_form and cf.fieldname not in listed and not cf.hidden:
            after = next((i for i, r in enumerate(rows) if r.fieldname == cf.insert_after), None)
            page = rows[after].page if after is not None else (rows[0].page if rows else "")
            row = WebFormField(web_form=web_form, fieldname=cf.fieldname, page=page)
            rows.insert(after + 1 if after is not None else len([r for r in rows if r.page == page]), row)
    for row in rows:
        cf = customs.get(row.fieldname)
        if cf is not None:
            from lowcode.customization import conditions

            shown_later = conditions.tree(cf.depends_on) is not None
            if cf.hidden or not (shown_later or custom_values.visible(cf, instance, controller.initial())):
                continue
            declared[row.fieldname] = _custom_form_field(row, cf)
            if editing and cf.fieldtype == "Attach":
                declared[row.fieldname].required = False
            doc_names.append(row.fieldname)
            _place(pages, web_form, row)
            if instance is not None and (stored := custom_values.get(instance, cf)) not in (None, ""):
                initial[row.fieldname] = stored
            continue
        model_field = form_field(model, row.fieldname)
        if model_field is None:
            continue  # refused on save; a field dropped since is skipped rather than breaking the page
        declared[row.fieldname] = _form_field(row, model_field, controller.user)
        if editing and isinstance(model_field, models.FileField):
            declared[row.fieldname].required = False  # keep the stored file unless a new one is given
        doc_names.append(row.fieldname)
        _place(pages, web_form, row)
        if row.default:
            initial[row.fieldname] = row.default
        if instance is not None:
            value = getattr(instance, model_field.attname)
            initial[row.fieldname] = value
    if not editing:
        initial.update(controller.initial())
        for extra in controller.extra_pages():
            page = Page(extra.title, [Section("", list(extra.fields))], extra.introduction)
            declared.update(extra.fields)
            pages[extra.title] = page
    form_class = type("GeneratedWebForm", (WebFormForm,), dict(declared))
    form = form_class(data=data, files=files, initial=initial, pages=list(pages.values()))
    return form, doc_names
