"""The Handover controller: numbering, and which applications a handover may list (a department hands over
and receives only its own applications; a delivery may bundle any)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.handover.models import NAMING_SERIES, Handover, HandoverItem
from gov_services.gov_services.identifiers import check_delivery
from lowcode.core.controller import Controller, WriteContext
from lowcode.core.naming import make_name


def item_problems(handover: Handover, applications: Iterable[Any]) -> list[str]:
    applications = [a for a in applications if a is not None]
    if not applications:
        return [_("A handover lists at least one application.")]
    foreign = [a.number for a in applications if a.department_id != handover.department_id]
    if foreign and handover.kind != Handover.Kind.DELIVERY:
        return [_("Applications of another department: %(numbers)s") % {"numbers": ", ".join(foreign)}]
    return []


def licence_differences(item: HandoverItem) -> list[str]:
    """What the issuing clerk's verification finds between the result and the licence record (S001 三(六)):
    the licence is this application's, its holder and holder's ID are the applicant's, it has a number and it
    is valid today. Empty: they agree."""
    application, licence = item.application, item.licence
    if licence is None:
        return [_("no licence record is named to verify the result against")] if application.issues_licence else []
    found = []
    if licence.application_id not in (None, application.pk):
        found.append(_("the licence belongs to another application"))
    if licence.holder_name.strip() != application.applicant_name.strip():
        found.append(
            _("holder “%(licence)s” on the licence, applicant “%(application)s”")
            % {"licence": licence.holder_name, "application": application.applicant_name}
        )
    if licence.holder_id_number.strip().upper() != application.id_number.strip().upper():
        found.append(_("the holder's ID number differs from the applicant's"))
    if not licence.number.strip():
        found.append(_("the licence has no number"))
    today = timezone.localdate()
    if licence.status != licence.Status.VALID:
        found.append(_("the licence is %(status)s") % {"status": licence.get_status_display()})
    elif licence.valid_from > today or (licence.valid_to is not None and licence.valid_to < today):
        found.append(
            _("valid %(start)s to %(end)s, not today")
            % {"start": licence.valid_from, "end": licence.valid_to or _("long-term")}
        )
    return found


def check_verified(rows: Iterable[HandoverItem]) -> None:
    """A row ticked as verified must agree with its licence; a mismatch is refused with the differences, for the
    clerk to send the result back (核验不符退回)."""
    problems = []
    for row in rows:
        if row.verified and row.application_id:
            found = licence_differences(row)
            if found:
                problems.append(
                    _("%(application)s does not match its licence: %(differences)s.")
                    % {"application": row.application.number, "differences": "；".join(map(str, found))}
                )
    if problems:
        raise ValidationError(problems, code="licence_mismatch")


def check_items(handover: Handover, applications: Iterable[Any]) -> None:
    problems = item_problems(handover, applications)
    if problems:
        raise ValidationError(problems, code="items")


class HandoverController(Controller):
    def validate(self, doc: Handover, ctx: WriteContext) -> None:
        if doc.kind == Handover.Kind.DELIVERY and doc.status in (Handover.Status.SENT, Handover.Status.SIGNED):
            check_delivery(doc)
        if ctx.changing("received_at") and doc.received_at is not None and doc.received_at > timezone.now():
            raise ValidationError({"received_at": _("The materials cannot have been received in the future.")})

    def validate_rows(self, doc: Handover, model: type, rows: list[Any], ctx: WriteContext) -> None:
        if model is HandoverItem:
            check_items(doc, [row.application if row.application_id else None for row in rows])
            check_verified(rows)

    def before_insert(self, doc: Handover, ctx: WriteContext) -> None:
        if doc.kind == Handover.Kind.MATERIALS and doc.received_at is None:
            doc.received_at = timezone.now()  # not told otherwise: received as it is handed over
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate())
