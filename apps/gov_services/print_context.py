"""What gov_services' print formats see beyond the record's own fields (hook `print_context`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from gov_services.gov_services.codes import LimitUnit
from gov_services.models import Application, Handover, Licence
from lowcode.deadlines.selectors import NoCalendar, calendar_snapshot

UNIT_WORDS = {LimitUnit.WORKING_DAYS: "个工作日", LimitUnit.CALENDAR_DAYS: "日", LimitUnit.WORKING_HOURS: "个工作小时"}


def promised_due(application: Application) -> Any:
    """The promised completion instant: the matter's promised limit from acceptance, on the calendar."""
    matter = application.matter
    start = application.accepted_at or application.submitted_at
    try:
        cal = calendar_snapshot()
    except NoCalendar:
        return None
    return cal.add(start, matter.promised_limit, matter.promised_limit_unit)


def _department(department: Any) -> dict[str, str]:
    return {"name": department.name, "phone": department.phone, "address": department.address}


def application(doc: Application, user: Any) -> dict[str, Any]:
    matter, guide = doc.matter, doc.guide
    requirements = {m.pk: m for m in guide.materials.all()}
    materials = []
    for row in doc.materials.select_related("licence"):
        required = requirements.get(row.guide_material_id)
        materials.append(
            {
                "name": row.name,
                "status": row.status,
                "status_label": row.get_status_display(),
                "received": row.received,
                "deferred": row.deferred,
                "due_date": row.due_date,
                "note": row.note,
                "reused_licence": str(row.licence) if row.licence_id else "",
                "form": required.get_form_display() if required else "",
                "copies": required.copies if required else 1,
                "necessity": required.get_necessity_display() if required else "",
                "requirement": (required.notes or required.legal_basis) if required else "",
            }
        )
    return {
        "matter": {
            "name": matter.name,
            "legal_limit": f"{matter.legal_limit}{UNIT_WORDS.get(matter.legal_limit_unit, '')}",
            "promised_limit": f"{matter.promised_limit}{UNIT_WORDS.get(matter.promised_limit_unit, '')}",
            "result_name": guide.result_name,
        },
        "guide": {
            "location": guide.location,
            "office_hours": guide.office_hours,
            "consultation": guide.consultation,
            "complaint_channel": guide.complaint_channel,
            "charge_free": guide.charge_free,
        },
        "department": _department(doc.department),
        "materials": materials,
        "missing": [m for m in materials if m["status"] in ("missing", "defective")],
        "received": [m for m in materials if m["received"]],
        # 容缺后补 (S003 art. 7): what the applicant still owes after acceptance, each with its due date
        "owed": [m for m in materials if m["deferred"]],
        "promised_due": promised_due(doc),
        "special_procedure": _special_procedure(doc),
    }


def _special_procedure(doc: Application) -> dict[str, Any] | None:
    """The special procedure an application in 特别程序 is in (what its 特别程序告知书 tells the applicant; the notice
    as issued is kept). Read only in that state: a print of the application in any other reads nothing more."""
    if doc.pk is None or doc.status != Application.Status.SPECIAL_PROCEDURE:
        return None
    found = doc.special_procedures.order_by("-started_at", "-pk").first()
    if found is None:
        return None
    return {
        "kind": found.get_kind_display(),
        "reason": found.reason,
        "expected_days": found.expected_days,
        "started_at": found.started_at,
        "expected_end": found.expected_end,
        "ended_at": found.ended_at,
        "findings": found.findings,
    }


def handover(doc: Handover, user: Any) -> dict[str, Any]:
    rows = []
    for item in doc.items.select_related("application__matter", "licence"):
        app = item.application
        rows.append(
            {
                "number": app.number if app else "",
                "applicant": app.applicant_name if app else "",
                "matter": app.matter.name if app else "",
                "licence": item.licence.number if item.licence_id else "",
                "pieces": item.pieces,
                "verified": item.verified,
                "note": item.note,
            }
        )
    return {"rows": rows, "department": _department(doc.department), "total_pieces": sum(r["pieces"] for r in rows)}


def licence(doc: Licence, user: Any) -> dict[str, Any]:
    url = f"{settings.SITE_URL}{reverse('gov_services:licence_verify')}?{urlencode({'id': doc.identifier})}"
    return {"verify_url": url, "issuer": _department(doc.issuer)}
