"""Writes on service guides: versions, and publishing under the rules of S003 art. 8."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.guide.models import Guide, GuideFee, GuideMaterial
from gov_services.gov_services.doctype.matter.models import Matter
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc, save_doc

# Catch-all wording that S003 art. 8 forbids in a materials list.
VAGUE_TERMS = ("其他", "其它", "有关", "相关材料", "等材料", "等文件", "等资料", "等证明", "若干")


def material_problems(material: GuideMaterial) -> list[str]:
    problems = []
    if not material.legal_basis.strip():
        problems.append(_("it has no legal basis"))
    found = [term for term in VAGUE_TERMS if term in material.name]
    if found:
        problems.append(_("it uses vague catch-all wording: %(terms)s") % {"terms": "、".join(f"“{t}”" for t in found)})
    return problems


def guide_publication_errors(guide: Guide) -> list[str]:
    """Every reason the guide cannot be published, each naming the material row it concerns."""
    materials = list(guide.materials.order_by("idx", "id"))
    errors = []
    if not materials:
        errors.append(_("A guide lists at least one material."))
    for position, material in enumerate(materials, start=1):
        problems = material_problems(material)
        if problems:
            errors.append(
                _("Material row %(row)s “%(name)s”: %(problems)s.")
                % {"row": position, "name": material.name, "problems": "；".join(problems)}
            )
    if not guide.charge_free and not guide.fees.exists():
        errors.append(_("A guide that charges fees lists them."))
    return errors


@transaction.atomic
def guide_publish(*, guide: Guide, user: Any) -> Guide:
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    if guide.status != Guide.Status.DRAFT:
        raise ValidationError(_("Only a draft guide can be published."))
    errors = guide_publication_errors(guide)
    if errors:
        raise ValidationError(errors)
    matter = Matter.objects.select_for_update().get(pk=guide.matter_id)
    previous = Guide.objects.filter(matter=matter, status=Guide.Status.PUBLISHED).exclude(pk=guide.pk)
    with system_write():
        for old in previous:
            old.status = Guide.Status.ARCHIVED
            save_doc(old, update_fields=["status"], user=user)
        guide.status = Guide.Status.PUBLISHED
        guide.published_at = timezone.now()
        save_doc(guide, update_fields=["status", "published_at"], user=user)
        matter.published_guide = guide
        save_doc(matter, update_fields=["published_guide"], user=user)
    return guide


@transaction.atomic
def guide_archive(*, guide: Guide, user: Any) -> Guide:
    guide.status = Guide.Status.ARCHIVED
    with system_write():
        return save_doc(guide, update_fields=["status"], user=user)


@transaction.atomic
def guide_new_version(*, guide: Guide, user: Any) -> Guide:
    """A new draft copied from `guide`, with its materials and fees; older versions stay as they are."""
    next_version = (Guide.objects.filter(matter_id=guide.matter_id).aggregate(v=Max("version"))["v"] or 0) + 1
    materials = list(guide.materials.all())
    fees = list(guide.fees.all())
    guide = Guide.objects.get(pk=guide.pk)  # a copy of its own: the caller's instance stays the old version
    guide.pk = None
    guide._state.adding = True
    guide.version = next_version
    guide.status = Guide.Status.DRAFT
    guide.published_at = None
    with system_write():
        insert_doc(guide, user=user)
    for row in materials:
        row.pk = None
        row.guide = guide
    GuideMaterial.objects.bulk_create(materials)
    for fee in fees:
        fee.pk = None
        fee.guide = guide
    GuideFee.objects.bulk_create(fees)
    return guide
