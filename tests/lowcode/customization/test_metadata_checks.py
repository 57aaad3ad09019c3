"""Custom fields and Customize Form overrides left pointing at a field that no longer exists are refused when
saved and, once stored, reported by `manage.py check` under their own ID with the row as `obj` and a hint."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils import translation

from lowcode.core.fixtures import sync_fixtures
from lowcode.core.models import Role
from lowcode.customization import services
from lowcode.customization.checks import check_custom_fields, check_property_setters
from lowcode.customization.models import CustomField, PropertySetter
from lowcode.customization.schema import check_overrides

pytestmark = pytest.mark.django_db


@pytest.fixture()
def admin(django_user_model):
    sync_fixtures()
    user = django_user_model.objects.create_user("sysmgr")
    user.groups.add(Role.objects.get(name="System Manager"))
    with translation.override("en"):
        yield user


def _field(admin, key: str, **extra) -> CustomField:
    cf = CustomField(doctype="Application", fieldname=key, label_zh=key, fieldtype="Data", **extra)
    return services.custom_field_insert(cf=cf, user=admin)


def _ours(messages: list[checks.CheckMessage]) -> list[tuple[str, str]]:
    return [(m.id, str(m.obj)) for m in messages if m.id and m.id.startswith("lowcode")]


def test_a_custom_field_inserted_after_a_field_that_does_not_exist_is_refused(admin) -> None:
    with pytest.raises(ValidationError) as refused:
        _field(admin, "licence_plate", insert_after="fax_number")
    assert refused.value.message_dict == {"insert_after": ["Application has no field “fax_number”."]}
    assert not CustomField.objects.exists()
    assert _field(admin, "licence_plate", insert_after="phone").insert_after == "phone"


def test_a_custom_field_left_after_a_removed_field_is_reported_by_check(admin) -> None:
    vehicle = _field(admin, "vehicle", insert_after="phone")
    plate = _field(admin, "plate", insert_after="vehicle")
    colour = _field(admin, "colour", insert_after="address")
    assert check_custom_fields() == []

    # Row writes: the field "plate" is placed after is archived, and "colour" follows a standard field since removed.
    CustomField.objects.filter(pk=vehicle.pk).update(archived=True)
    CustomField.objects.filter(pk=colour.pk).update(insert_after="postcode")
    found = check_custom_fields()
    assert [(m.id, m.obj) for m in found] == [
        ("lowcode_customization.E009", plate),
        ("lowcode_customization.E009", CustomField.objects.get(pk=colour.pk)),
    ]
    assert found[0].msg == "Application has no field “vehicle”."
    assert found[0].hint == "Insert the custom field after an existing field (or leave “insert after” empty)."
    assert found[1].msg == "Application has no field “postcode”."
    assert _ours(checks.run_checks()) == [
        ("lowcode_customization.E009", "Application.plate"),
        ("lowcode_customization.E009", "Application.colour"),
    ]


def test_an_override_of_a_field_the_model_no_longer_has_is_refused_and_reported(admin) -> None:
    # What Customize Form runs before it saves the overrides of a DocType.
    assert check_overrides("Application", {"fax_number": {"label": "传真"}, "remarks": {"label": "补充说明"}}) == [
        "Application has no field “fax_number”."
    ]

    PropertySetter.objects.create(doctype="Application", fieldname="remarks", property="label", value="补充说明")
    assert check_property_setters() == []
    # Stored before the model lost the field (a row write: Customize Form offers only existing fields).
    stale = PropertySetter.objects.create(doctype="Application", fieldname="fax_number", property="hidden", value="1")
    PropertySetter.objects.create(doctype="Application", fieldname="fax_number", property="label", value="传真")
    PropertySetter.objects.create(doctype="Application", fieldname="phone", property="required", value="0")
    found = check_property_setters()
    assert [(m.id, m.obj) for m in found] == [
        ("lowcode_customization.E021", stale),
        ("lowcode_customization.E024", PropertySetter.objects.get(fieldname="phone")),
    ]
    assert found[0].msg == "Application has no field “fax_number”."
    assert found[0].hint == "The field was removed or renamed: reset its overrides in Customize Form."
    assert found[1].msg == "“phone” is required by the model: it cannot be made optional."
    assert [i for i, _obj in _ours(checks.run_checks())] == ["lowcode_customization.E021", "lowcode_customization.E024"]
