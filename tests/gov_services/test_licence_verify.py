"""The public licence verification page."""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from gov_services.gov_services.codes import IdType
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.gov_services.identifiers import mask_id_number
from gov_services.models import LicenceType
from tests.gov_services.factories import catalogue, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture()
def licence():
    departments, _ = catalogue()
    cache.clear()
    return licence_issue(
        licence_type=LicenceType.objects.get(code="11100000000013338W"),
        issuer=departments["market"],
        holder_name="张伟",
        holder_id_type=IdType.RESIDENT_ID,
        holder_id_number=resident_id(),
        issued_on=date(2026, 3, 2),
        user=None,
    )


def test_a_valid_identifier_shows_the_licence_with_the_holder_masked(licence) -> None:
    response = Client().get("/licence/verify", {"id": licence.identifier})

    body = response.content.decode()
    assert response.status_code == 200
    assert "此证照真实有效" in body
    for text in (
        "食品经营许可证",
        licence.number,
        "张伟",
        mask_id_number(licence.holder_id_number),
        "镇江市市场监督管理局",
        "2026年3月2日",
        "2031年3月2日",
    ):
        assert text in body
    assert licence.holder_id_number not in body
    assert licence.valid_to == date(2031, 3, 2)  # five years, from the licence type


def test_a_wrong_check_character_is_reported(licence) -> None:
    tampered = licence.identifier[:-1] + ("0" if licence.identifier[-1] != "0" else "1")
    body = Client().get("/licence/verify", {"id": tampered}).content.decode()
    assert "电子证照标识的校验位不正确" in body
    assert licence.number not in body


def test_an_unknown_identifier_and_a_revoked_licence(licence) -> None:
    from gov_services.gov_services.identifiers import licence_identifier

    unknown = licence_identifier("11100000000013338W", licence.issuer.uscc, "999999")
    assert "没有找到此标识的电子证照" in Client().get("/licence/verify", {"id": unknown}).content.decode()

    licence.status = licence.Status.REVOKED
    licence.save(update_fields=["status"])
    body = Client().get("/licence/verify", {"id": licence.identifier}).content.decode()
    assert "此证照真实，但目前不在有效状态" in body
    assert "已撤销" in body


def test_checks_are_rate_limited(licence) -> None:
    client = Client()
    codes = [client.get("/licence/verify", {"id": licence.identifier}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429
