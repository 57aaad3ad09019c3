"""The Guide controller: publishing under S003 art. 8 and a published guide's text frozen (a change is a new
version), for every writer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.guide.models import Guide
from lowcode.core.controller import Controller, WriteContext, Writer


class GuideController(Controller):
    def validate(self, doc: Guide, ctx: WriteContext) -> None:
        if doc.status == Guide.Status.PUBLISHED and (ctx.creating or ctx.changing("status")):
            from gov_services.gov_services.doctype.guide.services import guide_publication_errors

            if ctx.creating:
                raise ValidationError(_("A guide is created as a draft and published once its materials are listed."))
            errors = guide_publication_errors(doc)
            if errors:
                raise ValidationError(errors, code="not_publishable")

    def validate_rows(self, doc: Guide, model: type, rows: list[Any], ctx: WriteContext) -> None:
        stored = Guide.objects.filter(pk=doc.pk).values_list("status", flat=True).first()
        if stored not in (None, Guide.Status.DRAFT):
            raise ValidationError(_("A published or archived guide is not edited: start a new version."), code="frozen")

    def frozen_fields(self, doc: Guide, ctx: WriteContext) -> tuple[set[str] | None, str]:
        stored = Guide.objects.filter(pk=doc.pk).values_list("status", flat=True).first()
        if stored in (None, Guide.Status.DRAFT):
            return set(), ""
        reason = _("A published or archived guide is not edited: start a new version.")
        if ctx.writer is Writer.USER:
            return None, reason
        content: Any = {f.name for f in Guide._meta.concrete_fields} - {"status", "modified_at", "modified_by"}
        return content, reason
