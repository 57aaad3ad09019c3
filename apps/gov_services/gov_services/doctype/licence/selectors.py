"""Reads of licences that are public: the verification page."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from gov_services.gov_services.doctype.licence.models import Licence
from gov_services.gov_services.identifiers import validate_licence_identifier


def licence_for_verification(identifier: str) -> tuple[Licence | None, str]:
    """The licence with this identifier and "" — or None and why (a malformed identifier, or none such)."""
    identifier = (identifier or "").strip().upper()
    try:
        validate_licence_identifier(identifier)
    except ValidationError as exc:
        return None, exc.messages[0]
    licence = Licence.objects.select_related("licence_type", "issuer").filter(identifier=identifier).first()
    return licence, ""
