"""Writes on applications. State changes beyond creation belong to the workflow (lowcode.workflow); what
every new application gets (guide version, department, number, material rows) is its controller's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from gov_services.gov_services.codes import Channel
from gov_services.gov_services.doctype.application.models import Application
from gov_services.gov_services.doctype.matter.models import Matter
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc


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
    received_at: datetime | None = None,
    remarks: str = "",
) -> Application:
    """Open an application under the matter's published guide. `submitted_at` is the system's to give (a
    mail-in or imported application keeps the day it was received); `received_at`, when its materials came, is
    the window's to record (empty: when it was submitted)."""
    application = Application(
        matter=matter,
        applicant_type=applicant_type,
        applicant_name=applicant_name,
        id_type=id_type,
        id_number=id_number,
        contact_name=contact_name,
        phone=phone,
        address=address,
        applicant_user=applicant_user,
        channel=channel,
        submitted_at=submitted_at,
        received_at=received_at,
        remarks=remarks,
    )
    with system_write():
        return insert_doc(application, user=user)
