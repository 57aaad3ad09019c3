"""Test data built through the real services (and the demo's master data, which uses them too)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from gov_services.demo import _departments, _licence_types, _matters
from gov_services.gov_services.codes import IdType
from gov_services.gov_services.doctype.application.services import application_create
from gov_services.gov_services.identifiers import resident_id_check_char
from gov_services.models import Application, ApplicationMaterial, Department, Matter, Staff
from lowcode.core.definitions import reading_once
from lowcode.core.documents import save_rows
from lowcode.core.fixtures import sync_fixtures
from lowcode.core.roles import user_set_roles

PASSWORD = "a-long-test-password-1"


def resident_id(first17: str = "32010219900307777") -> str:
    return first17 + resident_id_check_char(first17)


def catalogue() -> tuple[dict[str, Department], list[Matter]]:
    """Roles, the demo departments, licence types and 30 published matters."""
    sync_fixtures()
    with reading_once():  # one batch, as the demo loads it: the definitions are checked once, not per write
        departments = _departments()
        matters = _matters(departments, _licence_types(departments))
    return departments, matters


def make_user(username: str, role: str, department: Department | None = None) -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=username)
    user_set_roles(user=user, roles=[role])
    if role != "Applicant":
        Staff.objects.create(user=user, department=department)
    return user


def make_application(
    matter: Matter, user: Any = None, *, materials_received: bool = True, **overrides: Any
) -> Application:
    """An application as the window opens it. With `materials_received` (the default) the clerk has the
    required and 容缺后补 materials in hand, so it may be accepted; without, every material row is missing."""
    fields = {
        "matter": matter,
        "applicant_type": Application.ApplicantType.PERSON,
        "applicant_name": "张伟",
        "id_type": IdType.RESIDENT_ID,
        "id_number": resident_id(),
        "phone": "13912345678",
        "user": user,
    }
    fields.update(overrides)
    application = application_create(**fields)
    if materials_received:
        receive_materials(application, user=user)
    return application


def receive_materials(
    application: Application, *, user: Any = None, necessities: tuple[str, ...] = ("required", "later")
) -> list[ApplicationMaterial]:
    """Mark the rows of these guide necessities received (submitted), as the clerk does in the form's inline."""
    table = list(application.materials.select_related("guide_material"))
    changed = [r for r in table if r.guide_material and r.guide_material.necessity in necessities]
    for row in changed:
        row.status = ApplicationMaterial.Status.SUBMITTED
    save_rows(application, ApplicationMaterial, changed=changed, table=table, user=user)
    return changed
