"""Many-to-many values a writer supplies (a web form's multi-select) go through insert_doc: checked by the field
rules like any other field, set in the same transaction, and the controller's after_insert has the last word."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gov_services.models import Application
from lowcode.core import registry
from lowcode.core.documents import insert_doc
from tests.gov_services.factories import catalogue, make_user, resident_id


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    return {
        "departments": departments,
        "matters": matters,
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
    }


def _new(matter) -> Application:
    return Application(
        matter=matter,
        applicant_type=Application.ApplicantType.PERSON,
        applicant_name="张伟",
        id_type="resident_id",
        id_number=resident_id(),
        phone="13912345678",
    )


def test_the_controller_decides_the_co_departments_whatever_the_writer_sends(world) -> None:
    matter = next(m for m in world["matters"] if m.co_departments.exists())
    stranger = world["departments"]["centre"]
    app = insert_doc(_new(matter), user=world["clerk"], relations={"co_departments": [stranger]})
    assert set(app.co_departments.all()) == set(matter.co_departments.all())


def test_a_relation_the_rules_refuse_is_refused_and_nothing_is_written(world) -> None:
    doctype = registry.for_model(Application)
    rules = doctype.extra.setdefault("field_rules", {})
    before = list(rules.get("read_only", []))
    rules["read_only"] = [*before, "co_departments"]
    try:
        with pytest.raises(ValidationError, match=r"co_departments|协办|co-departments"):
            insert_doc(
                _new(world["matters"][0]),
                user=world["clerk"],
                relations={"co_departments": [world["departments"]["centre"]]},
            )
    finally:
        rules["read_only"] = before
    assert not Application.objects.exists()
