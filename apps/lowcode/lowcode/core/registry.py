"""The DocType registry: which Django models the low-code layer knows, by Frappe-style DocType name.

A DocType name ("Work Order") is how hooks.py, fixtures, the API and the desk refer to a model. Each
DocType belongs to a module, which groups it on the desk home and in the sidebar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class DocType:
    name: str
    model: type[models.Model]
    module: str
    natural_key: str | None = None
    icon: str = "description"
    extra: dict = field(default_factory=dict)


_doctypes: dict[str, DocType] = {}
_by_model: dict[type[models.Model], DocType] = {}
_hidden: set[type[models.Model]] = set()


class UnknownDocType(LookupError):
    pass


def register(
    model: type[models.Model],
    *,
    name: str,
    module: str,
    natural_key: str | None = None,
    icon: str = "description",
    **extra: object,
) -> DocType:
    existing = _doctypes.get(name)
    if existing is not None and existing.model is not model:
        raise ValueError(f"DocType {name!r} is already registered for {existing.model.__name__}")
    doctype = DocType(name=name, model=model, module=module, natural_key=natural_key, icon=icon, extra=dict(extra))
    _doctypes[name] = doctype
    _by_model[model] = doctype
    return doctype


def hide(model: type[models.Model]) -> None:
    """Keep a model out of the desk navigation (it stays reachable by URL for those allowed)."""
    _hidden.add(model)


def is_hidden(model: type[models.Model]) -> bool:
    return model in _hidden


def get(name: str) -> DocType:
    try:
        return _doctypes[name]
    except KeyError:
        raise UnknownDocType(f"unknown DocType {name!r}") from None


def for_model(model: type[models.Model]) -> DocType | None:
    return _by_model.get(model)


def all_doctypes() -> list[DocType]:
    return list(_doctypes.values())
