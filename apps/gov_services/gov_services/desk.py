"""Shared pieces of the gov_services desk views."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Badge colours of unfold's labels, by status value.
STATUS_COLOURS = {
    "draft": "info",
    "published": "success",
    "suspended": "warning",
    "abolished": "danger",
    "archived": "info",
    "submitted": "info",
    "pre_review": "info",
    "one_time_notice": "warning",
    "not_accepted": "danger",
    "accepted": "success",
    "supplement_requested": "warning",
    "under_review": "info",
    "joint_review": "info",
    "special_procedure": "warning",
    "approved": "success",
    "denied": "danger",
    "licence_issued": "success",
    "result_handed_over": "success",
    "delivered": "success",
    "withdrawn": "info",
    "new": "info",
    "transferred": "info",
    "returned": "warning",
    "replied": "success",
    "reopened": "warning",
    "closed": "success",
    "created": "info",
    "sent": "info",
    "signed": "success",
    "rejected": "danger",
    "valid": "success",
    "revoked": "danger",
    "expired": "warning",
    "void": "danger",
    "recorded": "success",
    "poor": "danger",
    "called_back": "warning",
    "rectifying": "warning",
    "rectified": "success",
    "reviewed": "success",
    "appealed": "warning",
    "removed": "info",
    "pending": "warning",
}

SECTION_BASIC = _("Basic information")
