"""Public pages of gov_services (the citizens' portal proper comes with the web forms)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gov_services.gov_services.doctype.licence.selectors import licence_for_verification
from gov_services.gov_services.identifiers import mask_id_number
from lowcode.core.throttle import client_address

VERIFY_LIMIT_PER_MINUTE = 30


def _rate_limited(request: HttpRequest) -> bool:
    key = f"licence-verify:{client_address(request)}:{timezone.now():%Y%m%d%H%M}"
    count = cache.get_or_set(key, 0, timeout=70)
    cache.incr(key)
    return count >= VERIFY_LIMIT_PER_MINUTE


def licence_verify(request: HttpRequest) -> HttpResponse:
    """Check a licence by its identifier (typed in, or from the QR code on the licence)."""
    identifier = (request.GET.get("id") or "").strip()
    context: dict = {"identifier": identifier}
    status = 200
    if identifier:
        if _rate_limited(request):
            context["error"] = _("Too many checks from your address; try again in a minute.")
            status = 429
        else:
            licence, problem = licence_for_verification(identifier)
            if problem:
                context["error"] = problem
            elif licence is None:
                context["error"] = _("No licence has this identifier.")
            else:
                today = timezone.localdate()
                in_force = (
                    licence.status == licence.Status.VALID
                    and licence.valid_from <= today
                    and (licence.valid_to is None or licence.valid_to >= today)
                )
                context.update(
                    licence=licence,
                    holder_id=mask_id_number(licence.holder_id_number),
                    in_force=in_force,
                )
    return render(request, "gov_services/licence_verify.html", context, status=status)
