"""Portal accounts: sign-up (always at level none) and the clerk's recorded change of the real-name level."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.codes import IdType
from gov_services.gov_services.doctype.application.models import validate_applicant_id
from gov_services.gov_services.doctype.portal_account.models import PortalAccount, RealNameCheck
from lowcode.core import permissions
from lowcode.core.controller import system_write
from lowcode.core.documents import insert_doc, save_doc
from lowcode.core.roles import user_set_roles

APPLICANT_ROLE = "Applicant"


def new_username() -> str:
    """The user name others see of a portal account: opaque, never the ID number it signs in with."""
    User = get_user_model()
    while True:
        candidate = f"u{secrets.token_hex(5)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def login_name(given: str) -> str | None:
    """Hook `login_name`: a citizen or a company signs in with the ID number or credit code."""
    wanted = given.strip().upper()
    if not wanted or len(wanted) > 30:
        return None
    return PortalAccount.objects.filter(id_number=wanted).values_list("user__username", flat=True).first()


@transaction.atomic
def portal_account_register(
    *,
    account_type: str,
    name: str,
    id_number: str,
    phone: str,
    password: str,
    contact_name: str = "",
    address: str = "",
) -> PortalAccount:
    """A new account signs in with its ID number (a person) or credit code (a company)."""
    id_type = IdType.RESIDENT_ID if account_type == PortalAccount.AccountType.PERSON else IdType.USCC
    id_number = id_number.strip().upper()
    validate_applicant_id(id_type, id_number)
    if account_type == PortalAccount.AccountType.COMPANY and not contact_name.strip():
        raise ValidationError({"contact_name": _("A company account names its contact person.")})
    User = get_user_model()
    if PortalAccount.objects.filter(id_number=id_number).exists() or User.objects.filter(username=id_number).exists():
        raise ValidationError(
            {
                "id_number": _(
                    "This ID number cannot be registered here. "
                    "If you have an account, log in; otherwise ask at a window."
                )
            }
        )
    user = User(username=new_username(), first_name=name.strip()[:150])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    user_set_roles(user=user, roles=[APPLICANT_ROLE])
    account = PortalAccount(
        user=user,
        account_type=account_type,
        name=name.strip(),
        id_type=id_type,
        id_number=id_number,
        contact_name=contact_name.strip(),
        phone=phone.strip(),
        address=address.strip(),
    )
    return insert_doc(account, user=user)


@transaction.atomic
def portal_account_set_level(*, account: PortalAccount, level: int, method: str, user: Any) -> RealNameCheck:
    """A clerk sets the real-name level after checking identity; the check is recorded."""
    if not permissions.has_permission(user, account, "write"):
        raise ValidationError(_("You may not change real-name levels."))
    if level not in PortalAccount.Level.values:
        raise ValidationError({"realname_level": _("Unknown real-name level.")})
    if not method.strip():
        raise ValidationError({"method": _("Say how the identity was checked.")})
    locked = PortalAccount.objects.select_for_update().get(pk=account.pk)
    if locked.realname_level == level:
        raise ValidationError({"realname_level": _("The account already has this level.")})
    check = RealNameCheck.objects.create(
        account=locked,
        from_level=locked.realname_level,
        to_level=level,
        method=method.strip(),
        checked_by=user,
        checked_at=timezone.now(),
    )
    locked.realname_level = level
    with system_write():  # the level is the system's to set, through this check only
        save_doc(locked, update_fields=["realname_level"], user=user)
    account.realname_level = level
    return check


def realname_level(user: Any) -> int:
    """The hook lowcode.webforms asks (portal_realname_level)."""
    return int(PortalAccount.objects.filter(user_id=user.pk).values_list("realname_level", flat=True).first() or 0)
