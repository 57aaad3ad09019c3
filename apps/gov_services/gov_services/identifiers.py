"""Chinese identifiers: resident ID numbers (GB 11643), unified social credit codes (GB 32100),
e-licence identifiers (GB/T 36904, check character by ISO/IEC 7064 MOD 37,36), EMS item numbers, self-service
locker pickup codes, and masking for display.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: 17 digits weighted by 2^(17-i) mod 11, check from the table below.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^(i) mod 31.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# ISO/IEC 7064 MOD 37,36 (hybrid system): alphanumeric, one check character.
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LICENCE_PREFIX = "1.2.156.3005.2"


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> None:
    """A mainland resident ID number: 18 characters, a real birth date, and the GB 11643 check character."""
    value = (value or "").strip().upper()
    if not _ID_PATTERN.match(value):
        raise ValidationError(_("A resident ID number has 17 digits followed by a digit or X."), code="id_format")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date in this ID number is not a real date."), code="id_birth") from None
    if born.year < 1900 or born > date.today():  # noqa: DTZ011 (a calendar date, not an instant)
        raise ValidationError(_("The birth date in this ID number is not plausible."), code="id_birth")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check character of this ID number is wrong."), code="id_check")


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """A unified social credit code (统一社会信用代码): 18 characters with the GB 32100 check character."""
    value = (value or "").strip().upper()
    if not _USCC_PATTERN.match(value):
        raise ValidationError(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, S, V, Z."),
            code="uscc_format",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check character of this unified social credit code is wrong."), code="uscc_check")


def mod37_36_check_char(data: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character of an alphanumeric string."""
    m = 36
    p = m
    for ch in data.upper():
        value = _ALNUM.find(ch)
        if value < 0:
            raise ValueError(f"{ch!r} is not in the MOD 37,36 character set")
        s = (p + value) % m or m
        p = (s * 2) % (m + 1)
    return _ALNUM[(m + 1 - p) % m]


def mod37_36_is_valid(data_with_check: str) -> bool:
    if len(data_with_check) < 2:
        return False
    try:
        return mod37_36_check_char(data_with_check[:-1]) == data_with_check[-1].upper()
    except ValueError:
        return False


def licence_identifier(type_code: str, issuer_uscc: str, serial: str, version: str = "1") -> str:
    """A GB/T 36904 licence identifier. The check character covers every alphanumeric character before it
    (the dots are separators, outside the MOD 37,36 character set)."""
    body = ".".join([LICENCE_PREFIX, type_code, issuer_uscc, serial, version])
    return f"{body}.{mod37_36_check_char(body.replace('.', ''))}"


_LICENCE_PATTERN = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]+)\.(?P<issuer>[0-9A-Z]{18})\.(?P<serial>[0-9A-Z]+)"
    r"\.(?P<version>[0-9A-Z]+)\.(?P<check>[0-9A-Z])$"
)


def validate_licence_identifier(value: str) -> None:
    match = _LICENCE_PATTERN.match((value or "").strip())
    if not match:
        raise ValidationError(
            _("A licence identifier reads 1.2.156.3005.2.<type>.<issuer code>.<serial>.<version>.<check>."),
            code="licence_format",
        )
    body = value[: -len(match["check"]) - 1]
    if mod37_36_check_char(body.replace(".", "")) != match["check"]:
        raise ValidationError(_("The check character of this licence identifier is wrong."), code="licence_check")


def mask_id_number(value: str | None) -> str:
    """Keep the first 4 and last 4 characters: 320102199003077777 -> 3201**********7777."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits of a mobile number: 13952800001 -> 139****0001."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str | None) -> str:
    """Keep the city and district (the first 6 characters, at most half):
    镇江市京口区正东路1号 -> 镇江市京口区****."""
    if not value:
        return ""
    value = str(value)
    return value[: min(6, len(value) // 2)] + "****"


# An EMS item number: the UPU S10 form (two letters, eight digits and a check digit, the country's two letters,
# e.g. EA123456785CN) or China Post's domestic 13-digit number.
_S10_PATTERN = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
_DOMESTIC_EMS = re.compile(r"^\d{13}$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial8: str) -> str:
    remainder = 11 - sum(int(d) * w for d, w in zip(serial8, _S10_WEIGHTS, strict=True)) % 11
    return {10: "0", 11: "5"}.get(remainder, str(remainder))


def validate_waybill(value: str) -> None:
    number = (value or "").strip().upper()
    if _DOMESTIC_EMS.match(number):
        return
    if _S10_PATTERN.match(number) and s10_check_digit(number[2:10]) == number[10]:
        return
    raise ValidationError(
        _("Not an EMS item number: 13 digits, or two letters, nine digits and two letters (e.g. EA123456785CN)."),
        code="waybill",
    )


def check_delivery(doc: object) -> None:
    """A result sent by EMS carries its item number (S001 三(六)): refused without one, or with a malformed one."""
    if getattr(doc, "delivery_method", "") != "ems":
        return
    number = (getattr(doc, "waybill_no", "") or "").strip().upper()
    if not number:
        raise ValidationError({"waybill_no": _("Delivery by EMS needs the EMS waybill number.")}, code="waybill")
    try:
        validate_waybill(number)
    except ValidationError as exc:
        raise ValidationError({"waybill_no": exc.messages}, code="waybill") from None
    doc.waybill_no = number  # type: ignore[attr-defined]


# -- self-service locker pickup codes (S001 三(六)2: 取证密码) -----------------------------------------------------

LOCKER_CODE_DIGITS = 6
# How long a pickup code opens the locker, unless the site says otherwise ("locker_code_hours" in site_config.json).
LOCKER_CODE_HOURS = 72


def new_locker_code() -> str:
    """A pickup code: six digits from the operating system's cryptographic source, never typed by anyone."""
    return "".join(secrets.choice("0123456789") for _ in range(LOCKER_CODE_DIGITS))


def locker_code_validity() -> timedelta:
    """How long a pickup code is valid: the site's `locker_code_hours` (site_config.json), 72 hours by default."""
    config = getattr(settings, "CONFIG", None) or {}
    try:
        hours = float(config.get("locker_code_hours", LOCKER_CODE_HOURS))
    except (TypeError, ValueError):
        hours = LOCKER_CODE_HOURS
    return timedelta(hours=hours if hours > 0 else LOCKER_CODE_HOURS)


def mask_locker_code(value: str | None) -> str:
    """A pickup code opens the locker: nothing of it is shown to whoever may not see it (123456 -> ******)."""
    return "*" * len(str(value)) if value else ""
