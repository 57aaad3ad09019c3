"""What a DocType adds to its generated web forms (hooks.py `webform_controllers = {"DocType": "path.Class"}`):
prefilled values, extra pages (e.g. one upload per required material), and how a submission is written
through the DocType's own service. Without one, a record is inserted with the form's values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string

from lowcode.core import registry
from lowcode.core.documents import insert_doc, save_doc
from lowcode.core.hooks import get_hooks


class Unavailable(Exception):
    """The form cannot be used now; the message says why (shown to the citizen)."""


@dataclass
class ExtraPage:
    title: str
    fields: dict[str, forms.Field] = field(default_factory=dict)
    introduction: str = ""


class WebFormController:
    def __init__(self, web_form: Any, request: HttpRequest) -> None:
        self.web_form = web_form
        self.request = request
        self.user = request.user
        self.model: type[models.Model] = registry.get(web_form.doctype).model

    # -- the form ------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return str(self.web_form.title)

    def check(self) -> None:
        """Raise Unavailable when the form cannot be used (e.g. the matter is not open online)."""

    def initial(self) -> dict[str, Any]:
        return {}

    def extra_pages(self) -> list[ExtraPage]:
        return []

    def hidden(self) -> dict[str, str]:
        """Query values to carry through the form (e.g. which matter)."""
        return {}

    # -- writing -------------------------------------------------------------------------------------------------
    def insert(self, values: dict[str, Any]) -> models.Model:
        plain = {k: v for k, v in values.items() if not self._is_m2m(k)}
        doc = self.model(**plain)
        if self.web_form.owner_field:
            setattr(doc, self.web_form.owner_field, self.user)
        relations = {k: v for k, v in values.items() if self._is_m2m(k)}
        return insert_doc(doc, user=self.user, relations=relations)

    def update(self, doc: models.Model, values: dict[str, Any]) -> models.Model:
        for name, value in values.items():
            setattr(doc, name, value)
        return save_doc(doc, update_fields=list(values), user=self.user)

    # -- where things are ----------------------------------------------------------------------------------------
    def name_of(self, doc: models.Model) -> str:
        key = registry.for_model(type(doc)).natural_key  # type: ignore[union-attr]
        return str(getattr(doc, key) if key else doc.pk)

    def detail_url(self, doc: models.Model) -> str:
        return reverse("webforms:detail", args=[self.web_form.route, self.name_of(doc)])

    def _is_m2m(self, name: str) -> bool:
        return any(f.name == name for f in self.model._meta.many_to_many)


def controller_for(web_form: Any, request: HttpRequest) -> WebFormController:
    paths = (get_hooks("webform_controllers", {}) or {}).get(web_form.doctype) or []
    cls = import_string(paths[-1]) if paths else WebFormController
    return cls(web_form, request)


def realname_level(user: Any) -> int:
    """The user's real-name level, from the app that keeps portal accounts (hook `portal_realname_level`)."""
    if not getattr(user, "is_authenticated", False):
        return -1
    paths = get_hooks("portal_realname_level", []) or []
    return int(import_string(paths[-1])(user)) if paths else 0
