"""The Application controller: what every writer of an application goes through (lowcode.core.controller)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.application.models import NAMING_SERIES, Application, ApplicationMaterial
from gov_services.gov_services.doctype.guide.models import GuideMaterial
from gov_services.gov_services.doctype.handover import delivery
from gov_services.gov_services.doctype.joint_review_opinion import controller as joint_review
from gov_services.gov_services.doctype.matter.models import Matter
from gov_services.gov_services.doctype.special_procedure.models import SpecialProcedure
from gov_services.gov_services.identifiers import check_delivery
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import make_name

# The stable code of the refusal to accept with materials outstanding (API clients and tests match on it).
MATERIALS_INCOMPLETE = "materials_incomplete"

# The stable code of the refusal to return from a supplement request with requested materials still defective.
SUPPLEMENT_INCOMPLETE = "supplement_incomplete"

# What acceptance looks at: the materials the guide requires, and those it allows to be owed (容缺后补).
OWED_AT_ACCEPTANCE = (GuideMaterial.Necessity.REQUIRED, GuideMaterial.Necessity.LATER)


def accepting(doc: Application, ctx: WriteContext) -> bool:
    """The write accepts the application: its state becomes accepted (accept, supplemented, any transition an
    administrator adds into that state), or it is first given its acceptance time (approve_immediately). A
    correction of an acceptance time already recorded is not a new acceptance."""
    if ctx.changing("status") and doc.status == Application.Status.ACCEPTED:
        return True
    return ctx.changing("accepted_at") and doc.accepted_at is not None and ctx.was("accepted_at", doc) is None


def outstanding_materials(doc: Application) -> list[str]:
    """The materials that stop acceptance, in the guide's order: a required (必要) one not received, or a 容缺后补
    one neither received nor recorded as owed with its due date (S003 art. 7 容缺受理)."""
    rows: dict[int | None, list[ApplicationMaterial]] = {}
    if doc.pk is not None:
        for row in ApplicationMaterial.objects.filter(application_id=doc.pk):
            rows.setdefault(row.guide_material_id, []).append(row)
    outstanding = []
    for material in GuideMaterial.objects.filter(guide_id=doc.guide_id, necessity__in=OWED_AT_ACCEPTANCE):
        mine = rows.get(material.pk, [])
        if any(r.received for r in mine):
            continue
        if material.necessity == GuideMaterial.Necessity.LATER and any(r.deferred for r in mine):
            continue
        outstanding.append(material.name)
    return outstanding


def requested_materials(doc: Application) -> list[ApplicationMaterial]:
    """What a supplement request (补正) asks for: the rows the reviewer marked defective, and any required row
    not in hand (optional materials the applicant chose not to give are never asked for)."""
    if doc.pk is None:
        return []
    required = set(
        GuideMaterial.objects.filter(guide_id=doc.guide_id, necessity=GuideMaterial.Necessity.REQUIRED).values_list(
            "pk", flat=True
        )
    )
    return [
        row
        for row in ApplicationMaterial.objects.filter(application_id=doc.pk).order_by("pk")
        if row.status == ApplicationMaterial.Status.DEFECTIVE
        or (row.guide_material_id in required and not row.received)
    ]


def check_special_procedure(doc: Application, was: str | None) -> None:
    """特别程序 is entered by recording the procedure (kind, reason, expected days: the notice tells the
    applicant) and left for review by ending it with its findings — not by the state alone."""
    running = SpecialProcedure.objects.filter(application_id=doc.pk, ended_at__isnull=True).exists()
    if doc.status == Application.Status.SPECIAL_PROCEDURE and not running:
        raise ValidationError(
            _("Record the special procedure (its kind, reason and expected working days) to start it."),
            code="special_procedure",
        )
    if was == Application.Status.SPECIAL_PROCEDURE and doc.status == Application.Status.UNDER_REVIEW and running:
        raise ValidationError(
            _("End the special procedure with what it found to resume the review."), code="special_procedure"
        )


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
        if doc.received_at is None:
            doc.received_at = doc.submitted_at  # at the window the materials come with the application
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate(doc.submitted_at))

    def validate(self, doc: Application, ctx: WriteContext) -> None:
        """Acceptance needs every required material in hand, or owed under 容缺受理 with a due date — on every
        surface, since every transition saves through here."""
        if ctx.changing("status") and Application.Status.SPECIAL_PROCEDURE in (doc.status, ctx.was("status", doc)):
            check_special_procedure(doc, ctx.was("status", doc))
        if ctx.changing("status") and ctx.was("status", doc) == Application.Status.JOINT_REVIEW:
            if doc.status == Application.Status.UNDER_REVIEW:
                joint_review.check_finished(doc)
        delivery.keep_generated_code(doc, ctx)  # a locker pickup code is the system's, never a writer's
        if doc.status == Application.Status.DELIVERED and ctx.changing("status"):
            check_delivery(doc)
        elif (ctx.changing("waybill_no") or ctx.changing("delivery_method")) and (
            Application.objects.filter(pk=doc.pk, completed_at__isnull=False).exists()
        ):
            raise ValidationError(
                _("The result has been delivered: how and under which waybill is the record."), code="delivered"
            )
        if ctx.changing("received_at") and doc.received_at is not None and doc.received_at > timezone.now():
            raise ValidationError({"received_at": _("The materials cannot have been received in the future.")})
        if ctx.changing("status") and ctx.was("status", doc) == Application.Status.SUPPLEMENT_REQUESTED:
            defective = requested_materials(doc)
            if doc.status == Application.Status.ACCEPTED and defective:
                raise ValidationError(
                    _("The supplement is not complete: these materials are still marked defective: %(materials)s.")
                    % {"materials": "、".join(r.name for r in defective)},
                    code=SUPPLEMENT_INCOMPLETE,
                )
        if accepting(doc, ctx):
            missing = outstanding_materials(doc)
            if missing:
                raise ValidationError(
                    _(
                        "The application cannot be accepted: these materials are neither received nor recorded "
                        "as 容缺后补 with a due date: %(materials)s."
                    )
                    % {"materials": "、".join(missing)},
                    code=MATERIALS_INCOMPLETE,
                )

    def validate_rows(self, doc: Application, model: type, rows: list[Any], ctx: WriteContext) -> None:
        """When a material was received is the system's record, never a writer's: it is stamped when the material
        comes in full (submitted, or a reused licence) — before acceptance with the application's receipt (when
        the window or the mail room received its materials; a clerk records a later one there), after it when
        the supplement brings it — and kept until the material is found defective."""
        if model is not ApplicationMaterial:
            return
        now = timezone.now()
        came = min(doc.received_at or now, now) if doc.accepted_at is None else now
        stored: dict[int, Any] = {}
        found = ApplicationMaterial.objects.filter(pk__in=[r.pk for r in rows if r.pk])
        for pk, received_at, status, licence in found.values_list("pk", "received_at", "status", "licence_id"):
            if received_at is None and ApplicationMaterial(status=status, licence_id=licence).received:
                received_at = doc.received_at or doc.submitted_at  # in hand before receipts were stamped
            stored[pk] = received_at
        for row in rows:
            kept = stored.get(row.pk)
            row.received_at = (kept or came) if row.received else None

    def on_update(self, doc: Application, ctx: WriteContext) -> None:
        """Joint review: entering it asks the co-departments for their opinions; leaving it other than by the
        lead's finishing it (denied, withdrawn) withdraws those still asked for."""
        delivery.application_delivered(doc, ctx)  # delivered into the locker: its pickup code, sent to the applicant
        if not ctx.changing("status"):
            return
        if doc.status == Application.Status.JOINT_REVIEW:
            joint_review.start(doc, ctx)
        elif ctx.was("status", doc) == Application.Status.JOINT_REVIEW:
            joint_review.withdraw_open(
                doc, _("The application left joint review: %(state)s") % {"state": doc.get_status_display()}
            )

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
