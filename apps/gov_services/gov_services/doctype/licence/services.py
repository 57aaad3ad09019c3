"""Writes on e-licences: issuing one (its identifier and validity are the controller's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.licence.models import Licence, LicenceType
from lowcode.core.documents import insert_doc


@transaction.atomic
def licence_issue(
    *,
    licence_type: LicenceType,
    issuer: Department,
    holder_name: str,
    holder_id_type: str,
    holder_id_number: str,
    issued_on: date,
    user: Any,
    valid_from: date | None = None,
    valid_to: date | None = None,
    number: str = "",
    application: Any = None,
) -> Licence:
    licence = Licence(
        licence_type=licence_type,
        number=number,
        holder_name=holder_name,
        holder_id_type=holder_id_type,
        holder_id_number=holder_id_number,
        issuer=issuer,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_to=valid_to,
        application=application,
    )
    return insert_doc(licence, user=user)
