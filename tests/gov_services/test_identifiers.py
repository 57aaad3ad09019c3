"""Check characters and masking, against worked vectors from the standards."""

import pytest
from django.core.exceptions import ValidationError

from gov_services.gov_services.identifiers import (
    licence_identifier,
    mask_id_number,
    mod37_36_check_char,
    mod37_36_is_valid,
    resident_id_check_char,
    uscc_check_char,
    validate_licence_identifier,
    validate_resident_id,
    validate_uscc,
)


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X")],  # the example of GB 11643-1999
)
def test_resident_id_check_character(first17: str, check: str) -> None:
    assert resident_id_check_char(first17) == check
    validate_resident_id(first17 + check)  # accepted


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),  # the GB 11643 example with a wrong check character
        ("11010519491231002", "id_format"),  # 17 characters
        ("1101051949123100XX", "id_format"),
        ("110105194913310028", "id_birth"),  # month 13
        ("110105189912310021", "id_birth"),  # born before 1900
    ],
)
def test_bad_resident_ids_are_refused(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert exc.value.code == code


def test_lower_case_x_is_read_as_x() -> None:
    validate_resident_id("11010519491231002x")


@pytest.mark.parametrize(
    ("first17", "check"),
    [("91350100M000100Y4", "3")],  # the example of GB 32100-2015
)
def test_credit_code_check_character(first17: str, check: str) -> None:
    assert uscc_check_char(first17) == check
    validate_uscc(first17 + check)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y44", "uscc_check"),
        ("91350100M000100Y4", "uscc_format"),
        ("91350100M000100YI3", "uscc_format"),  # I is not in the GB 32100 character set
    ],
)
def test_bad_credit_codes_are_refused(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code


@pytest.mark.parametrize("vector", ["A12425GABC1234002M", "B159D8FA01240000K", "188166C7342000003"])
def test_mod37_36_worked_vectors(vector: str) -> None:
    assert mod37_36_is_valid(vector)
    assert mod37_36_check_char(vector[:-1]) == vector[-1]


@pytest.mark.parametrize("vector", ["A12425GABC1234002N", "B159D8FA01240000J", "188166C7342000004"])
def test_mod37_36_detects_a_changed_check_character(vector: str) -> None:
    assert not mod37_36_is_valid(vector)


def test_licence_identifier_form_and_check_character() -> None:
    identifier = licence_identifier("11100000000013338W", "91350100M000100Y43", "000123", "1")

    assert identifier.startswith("1.2.156.3005.2.11100000000013338W.91350100M000100Y43.000123.1.")
    assert mod37_36_is_valid(identifier.replace(".", ""))
    validate_licence_identifier(identifier)
    tampered = identifier[:-1] + ("A" if identifier[-1] != "A" else "B")
    with pytest.raises(ValidationError, match="校验位不正确"):
        validate_licence_identifier(tampered)
    with pytest.raises(ValidationError):
        validate_licence_identifier("1.2.156.3005.2.TYPE.ISSUER")


def test_masking_keeps_four_characters_each_side() -> None:
    assert mask_id_number("320102199003077774") == "3201**********7774"
    assert mask_id_number("91350100M000100Y43") == "9135**********0Y43"
    assert mask_id_number("") == ""
