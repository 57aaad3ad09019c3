"""Delivery of results to the applicant (S001 三(六)2 发放证件), the rules the Handover and Application controllers
apply for every writer:

- the applicant's signature is kept: an EMS delivery is signed for with the signed EMS slip (留存服务对象签收的寄件
  单据), a pickup at the window with the signed 办理结果签收表 — uploaded as the handover's service receipt
  (送达回证) before it is signed, and kept once it is;
- a locker delivery has a pickup code (取证密码) the system generates when the result goes into the locker, valid for
  the site's `locker_code_hours` (72 by default), sent to the applicant's portal account; an expired code does not
  mark the pickup done, and the clerk's new code replaces the old everywhere. Nobody types a code: a person's is
  refused by the field rules, any other writer's is ignored;
- the originals the applicant lent for inspection (原件核验后退还) are listed on the delivery and ticked as they
  are handed back; a delivery is not signed while one is not.

The SMS to the applicant's phone comes with the SMS gateway (a later issue); here the code goes to the portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gov_services.gov_services.codes import DeliveryMethod
from gov_services.gov_services.doctype.application.models import Application, ApplicationMaterial
from gov_services.gov_services.doctype.handover.models import Handover, HandoverReturn
from gov_services.gov_services.identifiers import locker_code_validity, new_locker_code
from lowcode.core.controller import WriteContext, Writer, system_write, workflow_write
from lowcode.core.documents import insert_doc, save_doc, save_rows
from lowcode.core.models import NotificationLog

# Stable codes of the refusals (API clients and tests match on them).
RECEIPT_REQUIRED = "service_receipt_required"
LOCKER_CODE_EXPIRED = "locker_code_expired"
LOCKER_ONE_APPLICANT = "locker_one_applicant"
ORIGINALS_NOT_RETURNED = "originals_not_returned"
RETURNS_LISTED = "returns_listed"

# Signed for on paper by the applicant: the signed EMS slip, the 办理结果签收表 signed at the window. A locker
# pickup is signed for by the code and ID card at the locker.
SIGNED_ON_PAPER = frozenset({DeliveryMethod.EMS, DeliveryMethod.PICKUP})

LOCKER_FIELDS = ["locker_code", "locker_code_expires_at"]

_generating: ContextVar[bool] = ContextVar("gov_services_generating_locker_code", default=False)


@contextmanager
def _generator() -> Iterator[None]:
    """The block is the code generator writing a code: the only writer whose code is kept. It writes as part of
    the transition that put the result in the locker (or took it out), whose effect — withdrawing the old code —
    makes the code a field of the workflow's."""
    token = _generating.set(True)
    try:
        with workflow_write():
            yield
    finally:
        _generating.reset(token)


def keep_generated_code(doc: Handover | Application, ctx: WriteContext) -> None:
    """A pickup code is never typed: a new record starts without one, and a write that is not the generator's
    keeps the stored code and validity — except that the workflow may withdraw the code (the clerk's 'new pickup
    code', after which the generator makes the new one)."""
    if _generating.get():
        return
    if ctx.creating:
        doc.locker_code, doc.locker_code_expires_at = "", None
        return
    withdrawn = ctx.writer is Writer.WORKFLOW and ctx.changing("locker_code") and not doc.locker_code
    for name in LOCKER_FIELDS:
        if ctx.changing(name) and not withdrawn:
            setattr(doc, name, ctx.was(name, doc))


def code_current(doc: Handover | Application, now: datetime | None = None) -> bool:
    expires = doc.locker_code_expires_at
    return bool(doc.locker_code) and expires is not None and expires > (now or timezone.now())


# -- the handover ----------------------------------------------------------------------------------------------


def _applications(doc: Handover) -> list[Application]:
    return list(Application.objects.filter(handover_items__handover=doc).select_related("matter").order_by("pk"))


def check_locker_applicant(doc: Handover, applications: list[Any] | None = None) -> None:
    """One compartment opens for one person: a locker delivery holds the results of one applicant (its items as
    stored, or `applications`: the table as a write would leave it)."""
    if doc.delivery_method != DeliveryMethod.LOCKER:
        return
    found = _applications(doc) if applications is None else [a for a in applications if a is not None]
    applicants = {(a.id_type, a.id_number.strip().upper()) for a in found}
    if len(applicants) > 1:
        raise ValidationError(
            _("A locker compartment opens for one applicant: put the results of one applicant in one delivery."),
            code=LOCKER_ONE_APPLICANT,
        )


def check_signed_delivery(doc: Handover) -> None:
    """What signing for a delivery needs: the applicant's signed receipt (EMS, pickup), a code still valid when
    the locker pickup is marked done, and every original lent for inspection handed back."""
    if doc.delivery_method in SIGNED_ON_PAPER and not doc.service_receipt:
        message = (
            _("Upload the signed EMS slip (送达回证) before signing for the delivery.")
            if doc.delivery_method == DeliveryMethod.EMS
            else _("Upload the 办理结果签收表 the applicant signed (送达回证) before signing for the pickup.")
        )
        raise ValidationError({"service_receipt": ValidationError(message, code=RECEIPT_REQUIRED)})
    if doc.delivery_method == DeliveryMethod.LOCKER and not code_current(doc):
        raise ValidationError(
            _("The pickup code has expired: it cannot mark the pickup done. Issue a new pickup code."),
            code=LOCKER_CODE_EXPIRED,
        )
    outstanding = outstanding_returns(doc)
    if outstanding:
        raise ValidationError(
            _("Hand back the originals and tick them returned first: %(materials)s.")
            % {"materials": "、".join(f"{m.application.number} {m.name}" for m in outstanding)},
            code=ORIGINALS_NOT_RETURNED,
        )


def keep_locker_code(doc: Handover) -> None:
    """A locker delivery in the locker (sent) has a code; one that is not (rejected, or no longer by locker)
    has none, and its applications' copies go with it."""
    in_locker = doc.delivery_method == DeliveryMethod.LOCKER and doc.status == Handover.Status.SENT
    if in_locker and not doc.locker_code:
        issue_code(doc)
    elif not in_locker and doc.locker_code:
        withdraw_code(doc)


def issue_code(doc: Handover) -> None:
    """A new pickup code for the delivery and its applications (the old one, if any, stops opening the locker),
    and the applicant told in their portal account."""
    code, expires = new_locker_code(), timezone.now() + locker_code_validity()
    doc.locker_code, doc.locker_code_expires_at = code, expires
    with _generator():
        save_doc(doc, update_fields=LOCKER_FIELDS)
    for application in _applications(doc):
        _give_code(application, code, expires)


def withdraw_code(doc: Handover) -> None:
    old = doc.locker_code
    doc.locker_code, doc.locker_code_expires_at = "", None
    with _generator():
        save_doc(doc, update_fields=LOCKER_FIELDS)
    _clear_applications(doc, old)


def code_used(doc: Handover) -> None:
    """The pickup is signed for: the code opened the locker and opens nothing more. The delivery keeps it as its
    record; the applications' copies (what the applicant's portal shows) go."""
    if doc.delivery_method == DeliveryMethod.LOCKER and doc.locker_code:
        _clear_applications(doc, doc.locker_code)


def _clear_applications(doc: Handover, code: str) -> None:
    with _generator():
        for application in _applications(doc):
            if application.locker_code == code:
                application.locker_code, application.locker_code_expires_at = "", None
                save_doc(application, update_fields=LOCKER_FIELDS)


# -- the application -------------------------------------------------------------------------------------------


def application_delivered(doc: Application, ctx: WriteContext) -> None:
    """An application delivered into the locker by its own action, not through a locker delivery handover,
    gets its code then."""
    if not (ctx.changing("status") and doc.status == Application.Status.DELIVERED):
        return
    if doc.delivery_method != DeliveryMethod.LOCKER or code_current(doc):
        return
    in_locker_delivery = Handover.objects.filter(
        kind=Handover.Kind.DELIVERY,
        delivery_method=DeliveryMethod.LOCKER,
        status__in=[Handover.Status.SENT, Handover.Status.SIGNED],
        items__application=doc,
    )
    if not in_locker_delivery.exists():  # else that delivery's code is the one (or was used at the pickup)
        _give_code(doc, new_locker_code(), timezone.now() + locker_code_validity())


def _give_code(application: Application, code: str, expires: datetime) -> None:
    application.locker_code, application.locker_code_expires_at = code, expires
    with _generator():
        save_doc(application, update_fields=LOCKER_FIELDS)
    notify_applicant(application)


def notify_applicant(application: Application) -> NotificationLog | None:
    """The pickup code to the applicant's portal account (the SMS channel comes with the SMS gateway)."""
    if application.applicant_user_id is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        until = date_format(timezone.localtime(application.locker_code_expires_at), "Y-m-d H:i")
        subject = _("Your result is in the self-service locker: %(number)s") % {"number": application.number}
        body = _(
            "Application %(number)s (%(matter)s): pickup code %(code)s, valid until %(until)s. Bring your ID card "
            "(or citizen card) and the code to the self-service locker of the service centre."
        ) % {
            "number": application.number,
            "matter": application.matter.name,
            "code": application.locker_code,
            "until": until,
        }
    note = NotificationLog(
        user_id=application.applicant_user_id,
        subject=subject[:200],
        body=body,
        doctype="Application",
        doc_id=str(application.pk),
        created_at=timezone.now(),
    )
    with system_write():
        return insert_doc(note)


# -- originals to return ---------------------------------------------------------------------------------------


def wanted_returns(doc: Handover) -> list[ApplicationMaterial]:
    """The originals the delivery's applications lent for inspection (原件核验后退还), in the applications' order."""
    return list(
        ApplicationMaterial.objects.filter(application__handover_items__handover=doc, return_original=True)
        .select_related("application")
        .order_by("application_id", "pk")
    )


def outstanding_returns(doc: Handover) -> list[ApplicationMaterial]:
    returned = set(HandoverReturn.objects.filter(handover=doc, returned=True).values_list("material_id", flat=True))
    return [m for m in wanted_returns(doc) if m.pk not in returned]


def sync_returns(doc: Handover) -> None:
    """List on the delivery the originals its applications lent, and drop those of applications it no longer
    lists (or no longer to return); the ticks already made stay."""
    wanted = wanted_returns(doc)
    rows = list(HandoverReturn.objects.filter(handover=doc))
    have = {r.material_id for r in rows}
    wanted_ids = {m.pk for m in wanted}
    new = [
        HandoverReturn(handover=doc, application_id=m.application_id, material=m) for m in wanted if m.pk not in have
    ]
    gone = [r for r in rows if r.material_id not in wanted_ids]
    if new or gone:
        table = [r for r in rows if r.material_id in wanted_ids] + new
        with system_write():
            save_rows(doc, HandoverReturn, changed=new, deleted=gone, table=table)


def check_return_rows(doc: Handover, rows: list[Any], ctx: WriteContext) -> None:
    """The clerk ticks the originals handed back; which originals they are is listed from the applications."""
    if doc.pk and Handover.objects.filter(pk=doc.pk, status=Handover.Status.SIGNED).exists():
        raise ValidationError(_("A signed handover is the record of what was handed over."), code="signed")
    if ctx.writer is not Writer.USER:
        return
    stored = dict(HandoverReturn.objects.filter(handover_id=doc.pk).values_list("pk", "material_id"))
    for row in rows:
        if row.pk not in stored or stored[row.pk] != row.material_id:
            raise ValidationError(
                _("The originals to return are listed from the applications; tick those handed back."),
                code=RETURNS_LISTED,
            )
