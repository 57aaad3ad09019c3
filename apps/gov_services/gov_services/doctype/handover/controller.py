"""The Handover controller: numbering, and which applications a handover may list (a department hands over
and receives only its own applications; a delivery may bundle any); and delivery to the applicant as S001 三(六)2
writes it — the signed service receipt (送达回证) kept, the locker pickup code generated, and the originals
handed back (lowcode.core.controller: every writer goes through here)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.application.models import ApplicationMaterial
from gov_services.gov_services.doctype.handover import delivery
from gov_services.gov_services.doctype.handover.models import NAMING_SERIES, Handover, HandoverItem, HandoverReturn
from gov_services.gov_services.identifiers import check_delivery
from lowcode.core.controller import Controller, WriteContext, Writer, system_write
from lowcode.core.documents import save_doc
from lowcode.core.naming import make_name
from lowcode.deadlines import services as deadline_services


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
    """A row ticked as verified (or given another licence while ticked) must agree with its licence; a mismatch
    is refused with the differences, for the clerk to send the result back (核验不符退回). A row verified before
    stays as it was checked: a licence that lapses later does not lock the handover's table."""
    rows = list(rows)
    ids = [r.pk for r in rows if r.pk]
    verified = dict(HandoverItem.objects.filter(pk__in=ids, verified=True).values_list("pk", "licence_id"))
    problems = []
    for row in rows:
        unchanged = row.pk in verified and verified[row.pk] == row.licence_id
        if row.verified and row.application_id and not unchanged:
            found = licence_differences(row)
            if found:
                problems.append(
                    _("%(application)s does not match its licence: %(differences)s.")
                    % {"application": row.application.number, "differences": "；".join(map(str, found))}
                )
    if problems:
        raise ValidationError(problems, code="licence_mismatch")


def materials_received_at(applications: list[Any]) -> datetime | None:
    """When the materials of a handover were received (S001 三(四)1(2): the cut-off runs from receipt): for each
    application the last of its materials to come in full (a supplement received later counts from then), else
    when the application says its materials came; the earliest of the applications, the strictest cut-off."""
    if not applications:
        return None
    last = dict(
        ApplicationMaterial.objects.filter(application__in=applications, received_at__isnull=False)
        .values("application_id")
        .annotate(last=Max("received_at"))
        .values_list("application_id", "last")
    )
    instants = [last.get(a.pk) or a.received_at or a.submitted_at for a in applications]
    return min((i for i in instants if i is not None), default=None)


def check_items(handover: Handover, applications: Iterable[Any]) -> None:
    problems = item_problems(handover, applications)
    if problems:
        raise ValidationError(problems, code="items")


class HandoverController(Controller):
    def frozen_fields(self, doc: Handover, ctx: WriteContext) -> tuple[set[str] | None, str]:
        signed = Handover.objects.filter(pk=doc.pk, status=Handover.Status.SIGNED).exists()
        if not signed:
            return set(), ""
        if doc.kind == Handover.Kind.DELIVERY:  # its method, waybill, code and the signed receipt are the record
            return None, _("A signed delivery is the record: how it was delivered and the signed receipt are kept.")
        return None, _("A signed handover is the record of what was handed over.")

    def validate(self, doc: Handover, ctx: WriteContext) -> None:
        if ctx.writer is not Writer.SYSTEM:
            delivery.keep_generated_code(doc, ctx)
        if doc.kind == Handover.Kind.DELIVERY and doc.status in (Handover.Status.SENT, Handover.Status.SIGNED):
            check_delivery(doc)
        if (
            doc.kind == Handover.Kind.DELIVERY
            and doc.status == Handover.Status.SENT
            and ctx.changed
            & {
                "status",
                "delivery_method",
            }
        ):  # put in the locker, or turned into a locker delivery once sent
            delivery.check_locker_applicant(doc)
        if doc.kind == Handover.Kind.DELIVERY and ctx.changing("status") and doc.status == Handover.Status.SIGNED:
            delivery.check_signed_delivery(doc)

    def on_update(self, doc: Handover, ctx: WriteContext) -> None:
        """A locker delivery in the locker has a current pickup code (generated when it is sent, again when the
        clerk withdraws the old one), used up when the pickup is signed for; a delivery not signed lists the
        originals its applications lent."""
        if doc.kind != Handover.Kind.DELIVERY:
            return
        if doc.status == Handover.Status.SIGNED:
            if ctx.changing("status"):
                delivery.code_used(doc)
            return
        delivery.keep_locker_code(doc)
        delivery.sync_returns(doc)

    def on_trash(self, doc: Handover, ctx: WriteContext) -> None:
        if Handover.objects.filter(pk=doc.pk, status=Handover.Status.SIGNED).exists():
            raise ValidationError(_("A signed handover is the record of what was handed over."), code="signed")

    def validate_rows(self, doc: Handover, model: type, rows: list[Any], ctx: WriteContext) -> None:
        if model is HandoverItem:
            if doc.pk and Handover.objects.filter(pk=doc.pk, status=Handover.Status.SIGNED).exists():
                raise ValidationError(_("A signed handover is the record of what was handed over."), code="signed")
            applications = [row.application if row.application_id else None for row in rows]
            check_items(doc, applications)
            check_verified(rows)
            if doc.kind == Handover.Kind.DELIVERY and doc.status == Handover.Status.SENT:
                delivery.check_locker_applicant(doc, applications)  # a result added to a compartment in use
        elif model is HandoverReturn:
            delivery.check_return_rows(doc, rows, ctx)

    def on_rows_saved(self, doc: Handover, model: type, rows: list[Any], ctx: WriteContext) -> None:
        """A materials handover was received when its items' materials were (the record the cut-off runs from):
        kept with the handover as its items are written, and its clock placed from it. A delivery lists the
        originals to hand back from its applications."""
        if model is HandoverItem and doc.kind == Handover.Kind.DELIVERY:
            delivery.sync_returns(doc)
            return
        if model is not HandoverItem or doc.kind != Handover.Kind.MATERIALS:
            return
        received = materials_received_at([row.application for row in rows if row.application_id])
        if received is None or received == doc.received_at:
            return
        doc.received_at = received
        with system_write():
            save_doc(doc, update_fields=["received_at"])
        deadline_services.start_again_from_record(doc)

    def before_insert(self, doc: Handover, ctx: WriteContext) -> None:
        if doc.kind == Handover.Kind.MATERIALS and doc.received_at is None:
            doc.received_at = timezone.now()  # until its items say when their materials came
        if not doc.number:
            doc.full_clean(exclude=["number"])  # bad input is refused before a number is spent
            doc.number = make_name(NAMING_SERIES, timezone.localdate())
