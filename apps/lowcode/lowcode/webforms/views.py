"""The generated portal pages of a web form: new (multi-step, with a review step), the submitter's list,
one submission (read, and edit while its state allows), and the receipt."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lowcode.core import permissions, registry
from lowcode.customization import values as custom_values
from lowcode.customization.meta import custom_field
from lowcode.webforms.controller import Unavailable, controller_for, realname_level
from lowcode.webforms.forms import build_form
from lowcode.webforms.models import RealNameLevel, WebForm


def _web_form(route: str) -> WebForm:
    return get_object_or_404(WebForm, route=route, published=True)


def _gate(request: HttpRequest, web_form: WebForm) -> HttpResponse | None:
    """Login and real-name level, before anything of the form is shown."""
    if (web_form.login_required or web_form.owner_field) and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if web_form.realname_level and realname_level(request.user) < web_form.realname_level:
        return render(
            request,
            "webforms/level_required.html",
            {
                "web_form": web_form,
                "required": RealNameLevel(web_form.realname_level).label,
                "current": RealNameLevel(max(realname_level(request.user), 0)).label,
            },
            status=403,
        )
    return None


def _own(web_form: WebForm, request: HttpRequest, ptype: str = "read") -> models.QuerySet:
    """The submitter's own records of this form's DocType, through the one permission layer."""
    model = registry.get(web_form.doctype).model
    scoped = permissions.scope(request.user, model._default_manager.all(), ptype)
    return scoped.filter(**{web_form.owner_field: request.user}) if web_form.owner_field else scoped.none()


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def new(request: HttpRequest, route: str) -> HttpResponse:
    web_form = _web_form(route)
    if (refused := _gate(request, web_form)) is not None:
        return refused
    controller = controller_for(web_form, request)
    try:
        controller.check()
    except Unavailable as exc:
        return render(request, "webforms/unavailable.html", {"web_form": web_form, "reason": str(exc)}, status=404)
    data = files = None
    if request.method == "POST":
        data, files = request.POST, request.FILES
    form, _names = build_form(web_form, controller, data=data, files=files)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                doc = controller.insert(_standard(web_form, form.cleaned_data))
                _save_custom(web_form, doc, form.cleaned_data, controller.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("webforms:receipt", route=web_form.route, name=controller.name_of(doc))
    return render(
        request,
        "webforms/form.html",
        {
            "web_form": web_form,
            "title": controller.title(),
            "form": form,
            "hidden": controller.hidden(),
            "action": f"{request.path}?{urlencode(controller.hidden())}" if controller.hidden() else request.path,
            "submit_label": _("Submit"),
            "depends_on_values": _known(web_form, None, controller.initial(), request.user),
        },
        status=400 if form.errors else 200,
    )


def receipt(request: HttpRequest, route: str, name: str) -> HttpResponse:
    web_form = _web_form(route)
    if (refused := _gate(request, web_form)) is not None:
        return refused
    controller = controller_for(web_form, request)
    doc = _find(web_form, request, name)
    return render(
        request,
        "webforms/receipt.html",
        {
            "web_form": web_form,
            "doc": doc,
            "name": name,
            "detail_url": controller.detail_url(doc),
            "rows": _rows(web_form, doc),
        },
    )


def my_list(request: HttpRequest, route: str) -> HttpResponse:
    web_form = _web_form(route)
    if not web_form.show_list:
        raise Http404
    if (refused := _gate(request, web_form)) is not None:
        return refused
    controller = controller_for(web_form, request)
    model = registry.get(web_form.doctype).model
    columns = web_form.list_columns or [r.fieldname for r in web_form.fields.all()[:3]]
    labels = [str(model._meta.get_field(c).verbose_name) if c != "name" else _("Number") for c in columns]
    rows = []
    for doc in _own(web_form, request).order_by("-pk")[:200]:
        rows.append((controller.detail_url(doc), controller.name_of(doc), [_display(doc, c) for c in columns]))
    return render(request, "webforms/list.html", {"web_form": web_form, "labels": labels, "rows": rows})


def detail(request: HttpRequest, route: str, name: str) -> HttpResponse:
    web_form = _web_form(route)
    if (refused := _gate(request, web_form)) is not None:
        return refused
    controller = controller_for(web_form, request)
    doc = _find(web_form, request, name)
    editable = _editable(web_form, doc) and permissions.has_permission(request.user, doc, "write")
    form = None
    if editable:
        data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        form, names = build_form(web_form, controller, data=data, files=files, instance=doc, editing=True)
        if request.method == "POST" and form.is_valid():
            values = {n: form.cleaned_data[n] for n in names if n in form.changed_data and not form.fields[n].disabled}
            values = {n: v for n, v in values.items() if v is not None or not _is_file(doc, n)}
            try:
                with transaction.atomic():
                    standard = _standard(web_form, values)
                    if standard:
                        controller.update(doc, standard)
                    _save_custom(web_form, doc, values, controller.user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(request.path)
    elif request.method == "POST":
        return render(
            request,
            "webforms/unavailable.html",
            {"web_form": web_form, "reason": _("This record can no longer be changed.")},
            status=409,
        )
    return render(
        request,
        "webforms/detail.html",
        {
            "web_form": web_form,
            "doc": doc,
            "name": name,
            "rows": _rows(web_form, doc),
            "form": form,
            "title": str(doc),
            "submit_label": _("Save changes"),
            "action": request.path,
            "hidden": {},
            "depends_on_values": _known(web_form, doc, {}, request.user),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _known(web_form: WebForm, doc: models.Model | None, initial: dict[str, Any], user: Any) -> dict[str, Any]:
    from lowcode.core.documents import jsonable
    from lowcode.customization.desk import known_values

    known = known_values(registry.get(web_form.doctype).model, doc, user)
    return {name: jsonable(initial.get(name, value)) for name, value in known.items()}


def _standard(web_form: WebForm, values: dict[str, Any]) -> dict[str, Any]:
    """The values of the DocType's own fields (custom ones are kept in the record's `custom`)."""
    from lowcode.customization.meta import custom_fields

    custom = {cf.fieldname for cf in custom_fields(web_form.doctype)}
    return {k: v for k, v in values.items() if k not in custom}


def _save_custom(web_form: WebForm, doc: models.Model, values: dict[str, Any], user: Any) -> None:
    from lowcode.core.documents import save_doc
    from lowcode.customization import values as custom_values
    from lowcode.customization.meta import custom_fields

    changed = False
    for cf in custom_fields(web_form.doctype):
        if cf.fieldname in values and not cf.read_only:
            changed |= custom_values.put(doc, cf, values[cf.fieldname])
    if changed:
        save_doc(doc, update_fields=["custom"], user=user)


def _find(web_form: WebForm, request: HttpRequest, name: str) -> models.Model:
    key = registry.get(web_form.doctype).natural_key or "pk"
    doc = _own(web_form, request).filter(**{key: name}).first()
    if doc is None:
        raise Http404  # another person's record looks the same as none
    return doc


def _editable(web_form: WebForm, doc: models.Model) -> bool:
    from lowcode.webforms.schema import state_field

    field = state_field(web_form.doctype)
    return bool(field and web_form.editable_states and getattr(doc, field) in web_form.editable_states)


def _is_file(doc: models.Model, name: str) -> bool:
    cf = custom_field(registry.for_model(type(doc)).name, name)  # type: ignore[union-attr]
    if cf is not None:
        return cf.fieldtype == "Attach"
    return isinstance(doc._meta.get_field(name), models.FileField)


def _display(doc: models.Model, name: str) -> Any:
    if name == "name":
        return str(doc)
    field = doc._meta.get_field(name)
    if getattr(field, "choices", None):
        return getattr(doc, f"get_{name}_display")()
    value = getattr(doc, name)
    return "" if value is None else value


def _rows(web_form: WebForm, doc: models.Model) -> list[tuple[str, Any, str]]:
    """(label, shown value, file URL) of the form's fields, for reading."""
    rows = []
    for row in web_form.fields.all():
        cf = custom_field(web_form.doctype, row.fieldname)
        if cf is not None:
            value = custom_values.get(doc, cf)
            url = reverse("private_file", args=[value]) if cf.fieldtype == "Attach" and value else ""
            rows.append((row.label or cf.label, value.rsplit("/", 1)[-1] if url else value, url))
            continue
        try:
            field = doc._meta.get_field(row.fieldname)
        except Exception:  # noqa: S112  a field dropped since the form was made
            continue
        value = getattr(doc, row.fieldname)
        url = value.url if isinstance(field, models.FileField) and value else ""
        shown = value.name.rsplit("/", 1)[-1] if url else _display(doc, row.fieldname)
        rows.append((row.label or str(field.verbose_name), shown, url))
    return rows
