"""The controller of a DocType (Frappe's Document class methods) and the field write rules of its meta.

Every insert, save and delete goes through lowcode.core.documents, which runs, in one transaction:

1. the field rules declared in the DocType's meta (`field_rules`), for the writer at hand;
2. the controller's hooks — `before_insert`, `validate`, `before_save`, `after_insert`, `on_update`,
   `on_trash` — each called as `hook(doc, ctx)` with a `WriteContext`;
3. the hooks' doc_events.

A controller is a class in the DocType's folder, named in its meta as `"controller": "dotted.Path"`; it
keeps no state (one instance serves every write). The field rules:

    "field_rules": {
        "read_only": ["number", "submitted_at"],     # set by the system (controller, services, jobs) only
        "set_once": ["matter", "id_number"],          # given at creation, never changed after, by anyone
        "write_roles": {"satisfaction": ["Hotline Agent"]},   # Frappe's permission levels
    }

and the fields a workflow owns (its state field and the fields its transitions set), which only
`apply_transition` writes; the workflow app tells core which they are through `register_field_owner`. A field a
transition requires is the workflow's too once the record is past that transition: before, a person fills it in
and then takes the action; after, it is what was decided.

Who writes decides which rules apply: a person through a surface (desk, API, portal, import — `user` set
and no `system_write()` around the call); the system (services that compute system fields, fixtures,
demo data, jobs — `user` None or inside `system_write()`); or the workflow engine (`workflow_write()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lowcode.core import registry
from lowcode.core.permissions import user_roles


class Writer(StrEnum):
    USER = "user"
    SYSTEM = "system"
    WORKFLOW = "workflow"


class WriteErrorCode(StrEnum):
    READ_ONLY = "read_only"
    SET_ONCE = "set_once"
    WORKFLOW_OWNED = "workflow_owned"
    ROLE_REQUIRED = "role_required"
    FROZEN = "frozen"
    INVALID = "invalid"


_writer: ContextVar[Writer | None] = ContextVar("lowcode_writer", default=None)


@contextmanager
def _writing_as(writer: Writer) -> Iterator[None]:
    token = _writer.set(writer)
    try:
        yield
    finally:
        _writer.reset(token)


def system_write() -> Any:
    """The block writes as the system: a service setting the fields it computes (numbers, timestamps)."""
    return _writing_as(Writer.SYSTEM)


def workflow_write() -> Any:
    """The block is the workflow engine applying a transition: it alone writes workflow-owned fields."""
    return _writing_as(Writer.WORKFLOW)


def current_writer(user: Any) -> Writer:
    explicit = _writer.get()
    if explicit is not None:
        return explicit
    # a guest (AnonymousUser) is a person writing through a surface too, never the system
    return Writer.USER if getattr(user, "pk", None) or getattr(user, "is_anonymous", False) else Writer.SYSTEM


@dataclass
class WriteContext:
    """What a controller hook knows about the write in progress."""

    user: Any
    writer: Writer
    creating: bool
    changed: set[str] = field(default_factory=set)
    before: dict[str, Any] | None = None  # stored values (attname → value) of the saved fields

    def was(self, name: str, doc: models.Model) -> Any:
        return (self.before or {}).get(doc._meta.get_field(name).attname)

    def changing(self, name: str) -> bool:
        return name in self.changed


class Controller:
    """Base controller: every hook does nothing. Subclass in the DocType's folder and name it in meta."""

    def before_insert(self, doc: Any, ctx: WriteContext) -> None:
        """Set what the system computes for a new record (numbers, derived fields); runs before validate."""

    def validate(self, doc: Any, ctx: WriteContext) -> None:
        """Raise ValidationError ({field: message}) to refuse the write; runs on insert and save."""

    def frozen_fields(self, doc: Any, ctx: WriteContext) -> tuple[set[str] | None, str]:
        """Fields that may not change in the record's stored state (None: all of them), with the reason."""
        return set(), ""

    def after_insert(self, doc: Any, ctx: WriteContext) -> None:
        """Write what hangs off a new record (child rows), in the same transaction."""

    def on_update(self, doc: Any, ctx: WriteContext) -> None:
        """After a save, in the same transaction."""

    def on_trash(self, doc: Any, ctx: WriteContext) -> None:
        """Raise to refuse a delete."""

    def validate_rows(self, doc: Any, model: type[models.Model], rows: list[Any], ctx: WriteContext) -> None:
        """Raise to refuse a change to a child table of `doc`; `rows` is the whole table as it would be. Writes
        nothing: the desk also calls it to judge a form before anything is saved."""

    def on_rows_saved(self, doc: Any, model: type[models.Model], rows: list[Any], ctx: WriteContext) -> None:
        """After a child table of `doc` was written (`rows`: the table as it now is), in the same transaction:
        what the parent derives from its rows."""


_BASE = Controller()
_field_owners: list[Callable[..., set[str]]] = []


def register_field_owner(owner: Callable[..., set[str]]) -> None:
    """A capability that owns fields of some DocTypes (the workflow) says which: `owner(model)` — those it owns
    in every state of a record; `owner(model, doc, stored=…)` — those it owns of this record in its state (a
    superset), the state read from the database (the row locked) with `stored=True`, else as `doc` holds it."""
    _field_owners.append(owner)


@cache
def _controller_class(path: str) -> Controller:
    return import_string(path)()


def controller_for(model: type[models.Model]) -> Controller:
    doctype = registry.for_model(model)
    path = doctype.extra.get("controller") if doctype else None
    return _controller_class(path) if path else _BASE


@dataclass(frozen=True)
class FieldRules:
    read_only: frozenset[str] = frozenset()
    set_once: frozenset[str] = frozenset()
    write_roles: dict[str, frozenset[str]] = field(default_factory=dict)


def field_rules(model: type[models.Model]) -> FieldRules:
    doctype = registry.for_model(model)
    declared = (doctype.extra.get("field_rules") if doctype else None) or {}
    return FieldRules(
        read_only=frozenset(declared.get("read_only", ())),
        set_once=frozenset(declared.get("set_once", ())),
        write_roles={k: frozenset(v) for k, v in declared.get("write_roles", {}).items()},
    )


def workflow_owned(model: type[models.Model], doc: models.Model | None = None, *, stored: bool = False) -> set[str]:
    """The fields only the workflow writes: without `doc`, those it owns in every state; with it, those it owns
    of this record now — by the state stored (a write: `stored=True`) or the one `doc` holds (a form shown)."""
    owned: set[str] = set()
    for owner in _field_owners:
        owned |= owner(model) if doc is None else owner(model, doc, stored=stored)
    return owned


# Kept by the write path itself on every DocType.
SYSTEM_FIELDS = frozenset({"owner", "created_at", "modified_at", "modified_by", "fixture_hash"})


def _system_set(model: type[models.Model], name: str) -> bool:
    if name in SYSTEM_FIELDS:
        return True
    if name == "custom":
        return False  # custom-field values: each one's own rules apply (lowcode.customization)
    try:
        return not model._meta.get_field(name).editable
    except Exception:
        return False


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def readonly_for(model: type[models.Model], user: Any, doc: models.Model | None = None) -> set[str]:
    """The editable fields a person may not write in a form (shown read-only): the system's, the workflow's,
    and those another role writes. Set-once fields stay in the form (with their Customize Form labels and
    options) and a change to one is refused with its reason. With `doc` (the record the form shows), also the
    fields the workflow owns of it in its state: those a transition it has passed required."""
    rules = field_rules(model)
    blocked = set(rules.read_only) | workflow_owned(model, doc)
    if not getattr(user, "is_superuser", False):
        roles = user_roles(user)
        blocked |= {name for name, allowed in rules.write_roles.items() if not allowed & roles}
    return {f.name for f in model._meta.concrete_fields if f.editable and f.name in blocked}


def check_field_rules(doc: models.Model, ctx: WriteContext) -> None:
    """Refuse the changed fields this writer may not write, each named with its reason; writes nothing."""
    model = type(doc)
    rules = field_rules(model)
    errors: dict[str, list[ValidationError]] = {}

    def refuse(name: str, message: str, code: WriteErrorCode) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    owned = workflow_owned(model) if ctx.writer is not Writer.WORKFLOW else set()
    # what a transition the record has passed required: the workflow's, judged by the state as stored
    decided: set[str] = set()
    if ctx.writer is not Writer.WORKFLOW and ctx.changed - owned:
        decided = workflow_owned(model, doc, stored=not ctx.creating) - owned
    superuser = bool(getattr(ctx.user, "is_superuser", False))
    for name in sorted(ctx.changed):
        label = _label(model, name)
        if name in owned:
            refuse(
                name,
                _("%(field)s is set by the workflow: take a workflow action instead.") % {"field": label},
                WriteErrorCode.WORKFLOW_OWNED,
            )
        elif name in rules.set_once and not ctx.creating:
            refuse(
                name,
                _("%(field)s is recorded once and cannot be changed.") % {"field": label},
                WriteErrorCode.SET_ONCE,
            )
        elif ctx.writer is Writer.USER and (name in rules.read_only or _system_set(model, name)):
            refuse(name, _("%(field)s is set by the system.") % {"field": label}, WriteErrorCode.READ_ONLY)
        elif ctx.writer is Writer.USER and name in rules.write_roles and not superuser:
            allowed = rules.write_roles[name]
            if not allowed & user_roles(ctx.user):
                refuse(
                    name,
                    _("%(field)s may be written only by: %(roles)s.")
                    % {"field": label, "roles": "、".join(sorted(allowed))},
                    WriteErrorCode.ROLE_REQUIRED,
                )
        if name in decided and name not in errors:
            refuse(
                name,
                _("%(field)s was recorded by a workflow action and cannot be changed in this state.")
                % {"field": label},
                WriteErrorCode.WORKFLOW_OWNED,
            )
    if not ctx.creating:
        frozen, reason = controller_for(model).frozen_fields(doc, ctx)
        blocked = set(ctx.changed) if frozen is None else ctx.changed & frozen
        for name in sorted(blocked - set(errors)):
            refuse(
                name,
                reason or _("%(field)s cannot change now.") % {"field": _label(model, name)},
                WriteErrorCode.FROZEN,
            )
    if errors:
        raise ValidationError(errors)


def given_fields(doc: models.Model, names: Iterable[str] | None) -> set[str]:
    """The concrete fields a new record was given: those named, else those differing from a blank record."""
    concrete = {f.name: f for f in doc._meta.concrete_fields if not f.primary_key}
    if names is not None:
        related = {f.name for f in doc._meta.many_to_many}
        return {n for n in names if n in concrete or n in related}
    blank = type(doc)()
    given = set()
    for name, f in concrete.items():
        if callable(f.default) and f.default is not models.NOT_PROVIDED:
            continue  # a computed default (now, a new dict) is not something the writer gave
        if getattr(doc, f.attname) != getattr(blank, f.attname):
            given.add(name)
    return given
