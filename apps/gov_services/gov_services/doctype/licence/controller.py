"""The Licence controller: an issued licence gets its GB/T 36904 identifier and its validity from its type,
whoever issues it (a service, the desk, the API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.licence.models import Licence
from gov_services.gov_services.identifiers import licence_identifier
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import next_value


class LicenceController(Controller):
    def validate(self, doc: Licence, ctx: WriteContext) -> None:
        """A revoked or void licence stays so: what a verifier was told is never undone (a new one is issued)."""
        ended = (Licence.Status.REVOKED, Licence.Status.VOID)
        if not ctx.creating and ctx.changing("status") and ctx.was("status", doc) in ended:
            raise ValidationError(
                {"status": _("A revoked or void licence cannot be made valid again: issue a new one.")}, code="ended"
            )

    def before_insert(self, doc: Licence, ctx: WriteContext) -> None:
        """The serial counts per licence type and issuer, so identifiers never repeat."""
        if doc.identifier:
            return
        licence_type, issuer = doc.licence_type, doc.issuer
        doc.valid_from = doc.valid_from or doc.issued_on
        if doc.valid_to is None and licence_type.validity_years and doc.valid_from:
            try:
                doc.valid_to = doc.valid_from.replace(year=doc.valid_from.year + licence_type.validity_years)
            except ValueError:  # 29 February
                doc.valid_to = doc.valid_from.replace(year=doc.valid_from.year + licence_type.validity_years, day=28)
        if doc.valid_to is not None and doc.valid_from and doc.valid_to < doc.valid_from:
            raise ValidationError({"valid_to": _("A licence cannot end before it begins.")}, code="invalid")
        doc.holder_id_number = (doc.holder_id_number or "").strip().upper()
        doc.name = doc.name or licence_type.name
        doc.full_clean(exclude=["identifier", "number"])  # bad input is refused before a serial is spent
        serial = f"{next_value(f'licence:{licence_type.code}:{issuer.uscc}'):06d}"
        doc.identifier = licence_identifier(licence_type.code, issuer.uscc, serial)
        doc.number = doc.number or f"{licence_type.code}{doc.issued_on:%Y}{serial}"
