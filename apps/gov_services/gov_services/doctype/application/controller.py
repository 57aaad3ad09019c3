"""The Application controller: what every writer of an application goes through (lowcode.core.controller)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.application.models import NAMING_SERIES, Application, ApplicationMaterial
from gov_services.gov_services.doctype.matter.models import Matter
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import make_name


class ApplicationController(Controller):
    def before_insert(self, doc: Application, ctx: WriteContext) -> None:
        """An application opens under its matter's published guide, in the matter's department, numbered by
        the day it was submitted."""
        matter = Matter.objects.filter(pk=doc.matter_id).first() if doc.matter_id else None
        if matter is None or matter.status != Matter.Status.PUBLISHED or matter.published_guide_id is None:
            name = matter.name if matter else ""
            raise ValidationError(
                {"matter": _("“%(matter)s” is not open for applications.") % {"matter": name}}, code="closed"
            )
        doc.guide_id = matter.published_guide_id
        doc.department_id = matter.department_id
        doc.applicant_name = (doc.applicant_name or "").strip()
        doc.id_number = (doc.id_number or "").strip().upper()
        doc.phone = (doc.phone or "").strip()
        if doc.submitted_at is None:
            doc.submitted_at = timezone.now()
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate(doc.submitted_at))

    def after_insert(self, doc: Application, ctx: WriteContext) -> None:
        """One material row per guide material; the matter's co-departments join the application."""
        doc.co_departments.set(doc.matter.co_departments.all())
        ApplicationMaterial.objects.bulk_create(
            ApplicationMaterial(
                application=doc,
                guide_material=material,
                name=material.name,
                status=ApplicationMaterial.Status.MISSING,
            )
            for material in doc.guide.materials.all()
        )
