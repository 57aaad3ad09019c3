"""Writes on e-licences: issuing one with its GB/T 36904 identifier."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.licence.models import Licence, LicenceType
from gov_services.gov_services.identifiers import licence_identifier
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc
from lowcode.core.naming import next_value


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
    """Issue a licence. Its serial counts per licence type and issuer, so identifiers never repeat."""
    valid_from = valid_from or issued_on
    if valid_to is None and licence_type.validity_years:
        try:
            valid_to = valid_from.replace(year=valid_from.year + licence_type.validity_years)
        except ValueError:  # 29 February
            valid_to = valid_from.replace(year=valid_from.year + licence_type.validity_years, day=28)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("A licence cannot end before it begins.")})
    serial = f"{next_value(f'licence:{licence_type.code}:{issuer.uscc}'):06d}"
    licence = Licence(
        identifier=licence_identifier(licence_type.code, issuer.uscc, serial),
        licence_type=licence_type,
        name=licence_type.name,
        number=number or f"{licence_type.code}{issued_on:%Y}{serial}",
        holder_name=holder_name,
        holder_id_type=holder_id_type,
        holder_id_number=holder_id_number.strip().upper(),
        issuer=issuer,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_to=valid_to,
        application=application,
    )
    with system_write():  # the identifier and serial are the system's
        return insert_doc(licence, user=user)
