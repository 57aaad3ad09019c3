"""The User controller: who may grant the platform's highest rights.

Only a superuser makes or unmakes superusers and staff, changes a user's roles or permissions through the
user record, or edits a superuser's account — on every surface (desk, API, import). A System Manager
manages everyone else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lowcode.core.controller import Controller, WriteContext, Writer

GUARDED = ("is_superuser", "is_staff", "groups", "user_permissions")


def may_manage(actor: Any, target: Any) -> bool:
    """Whether `actor` may edit `target`'s account at all."""
    return bool(getattr(actor, "is_superuser", False)) or not getattr(target, "is_superuser", False)


class UserController(Controller):
    def _guard(self, doc: Any, ctx: WriteContext) -> None:
        if ctx.writer is not Writer.USER or getattr(ctx.user, "is_superuser", False):
            return
        stored = type(doc)._default_manager.filter(pk=doc.pk).values_list("is_superuser", flat=True).first()
        if not ctx.creating and stored:
            raise ValidationError(_("Only a superuser edits a superuser's account."), code="superuser_only")
        guarded = [name for name in GUARDED if name in ctx.changed]
        if ctx.creating:
            guarded = [name for name in ("is_superuser",) if getattr(doc, name)]
        if guarded:
            raise ValidationError(
                {name: ValidationError(_("Only a superuser changes this."), code="superuser_only") for name in guarded}
            )

    def validate(self, doc: Any, ctx: WriteContext) -> None:
        self._guard(doc, ctx)

    def on_trash(self, doc: Any, ctx: WriteContext) -> None:
        if ctx.writer is Writer.USER and doc.is_superuser and not getattr(ctx.user, "is_superuser", False):
            raise ValidationError(_("Only a superuser edits a superuser's account."), code="superuser_only")
