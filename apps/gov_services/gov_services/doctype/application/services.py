"""Writes on applications. State changes beyond creation belong to the workflow (lowcode.workflow)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.codes import Channel
from gov_services.gov_services.doctype.application.models import NAMING_SERIES, Application, ApplicationMaterial
from gov_services.gov_services.doctype.matter.models import Matter
from lowcode.core.documents import insert_doc
from lowcode.core.naming import make_name


@transaction.atomic
def application_create(
    *,
    matter: Matter,
    applicant_type: str,
    applicant_name: str,
    id_type: str,
    id_number: str,
    phone: str,
    user: Any,
    channel: str = Channel.WINDOW,
    contact_name: str = "",
    address: str = "",
    applicant_user: Any = None,
    submitted_at: datetime | None = None,
    remarks: str = "",
) -> Application:
    """Open an application under the matter's published guide, with one material row per guide material."""
    if matter.status != Matter.Status.PUBLISHED or matter.published_guide_id is None:
        raise ValidationError(_("“%(matter)s” is not open for applications.") % {"matter": matter.name})
    application = Application(
        matter=matter,
        guide_id=matter.published_guide_id,
        department_id=matter.department_id,
        applicant_type=applicant_type,
        applicant_name=applicant_name.strip(),
        id_type=id_type,
        id_number=id_number.strip().upper(),
        contact_name=contact_name,
        phone=phone.strip(),
        address=address,
        applicant_user=applicant_user,
        channel=channel,
        submitted_at=submitted_at or timezone.now(),
        remarks=remarks,
    )
    application.full_clean(exclude=["number"])  # bad input is refused before a number is spent
    application.number = make_name(NAMING_SERIES, timezone.localdate(application.submitted_at))
    insert_doc(application, user=user)
    application.co_departments.set(matter.co_departments.all())
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            guide_material=material,
            name=material.name,
            status=ApplicationMaterial.Status.MISSING,
        )
        for material in application.guide.materials.all()
    )
    return application
