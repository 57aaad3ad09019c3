"""The Content-Security-Policy of every HTML page: the desk's, the portal's (everything outside /desk/), and the
framing exception of the print preview.

One policy per area, built once per process from `settings.CONTENT_SECURITY_POLICY` (see `site_policies`, which
reads site_config.json's "content_security_policy"). Each request gets a fresh nonce, `request.csp_nonce`: an
inline `<script>` or `<style>` of ours carries `nonce="{{ request.csp_nonce }}"`; inline event handlers and
`javascript:` URLs are never allowed, so behaviour lives in static files.

What needs more than 'self', and why:
- the desk's script-src has 'unsafe-eval': django-unfold ships the standard Alpine.js build, which compiles the
  expressions in unfold's templates (x-data, x-init, x-on …) with the Function constructor. Alpine's CSP build
  evaluates only bare property and method names, so it cannot run those templates. The portal has no Alpine.
- the desk's style-src has 'unsafe-inline': unfold writes `<style>` blocks (theme colours, the change list),
  `style` attributes and Alpine `x-bind:style` strings. Styles cannot run code; scripts stay nonce-only.
- the desk's script-src has the hashes of django-rq's one fixed inline script (its dashboard lists start the
  admin's actions.js with it), read from the installed templates, so that script and no other runs.

A response whose view set its own policy (public files, sandboxed print output) keeps it. The frame-ancestors
directive says what X-Frame-Options says: 'none' everywhere, 'self' on the views marked
`xframe_options_sameorigin` (the print format editor's preview frame).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from lowcode.sites import SiteError

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
AREAS = ("desk", "portal")

BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'", "data:"),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
AREA_POLICY: dict[str, dict[str, tuple[str, ...]]] = {
    "desk": {
        "script-src": ("'self'", "'unsafe-eval'"),
        "style-src": ("'self'", "'unsafe-inline'"),
    },
    "portal": {},
}
# The directives a nonce is added to, unless they allow 'unsafe-inline' (a nonce would switch that off).
NONCE_DIRECTIVES = ("script-src", "style-src")

Policy = dict[str, tuple[str, ...]]
_DIRECTIVE = re.compile(r"[a-z][a-z-]*")
_SOURCE = re.compile(r"[^\s;,]+")


def site_policies(config: Any) -> dict[str, Policy]:
    """The desk's and the portal's policy: ours, overridden by site_config.json's "content_security_policy".

    Its top-level keys are directives for both areas; "desk" and "portal" hold directives for one area only.
    A directive's value is a list of sources (or one string of them), [] for a directive without sources
    (upgrade-insecure-requests) and null to send no such directive. For example
    {"img-src": ["'self'", "data:", "https://maps.example.org"], "portal": {"report-uri": "/csp-report"}}.
    """
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise SiteError('site_config.json: "content_security_policy" must be an object of directives')
    both = {key: value for key, value in config.items() if key not in AREAS}
    policies = {}
    for area in AREAS:
        own = config.get(area) or {}
        if not isinstance(own, dict):
            raise SiteError(f'site_config.json: "content_security_policy"."{area}" must be an object of directives')
        policy = {**BASE_POLICY, **AREA_POLICY[area]}
        for name, value in {**both, **own}.items():
            if not isinstance(name, str) or not _DIRECTIVE.fullmatch(name):
                raise SiteError(f'site_config.json: "content_security_policy": {name!r} is not a directive name')
            if value is None:
                policy.pop(name, None)
                continue
            sources = value.split() if isinstance(value, str) else value
            if not isinstance(sources, list) or not all(isinstance(s, str) and _SOURCE.fullmatch(s) for s in sources):
                raise SiteError(
                    f'site_config.json: "content_security_policy": {name} must be a list of sources '
                    "(no spaces, semicolons or commas in one source)"
                )
            policy[name] = tuple(sources)
        policies[area] = policy
    return policies


@cache
def rq_script_hashes() -> tuple[str, ...]:
    """The hash sources of the fixed inline scripts in django-rq's dashboard templates (none if it is absent)."""
    if not apps.is_installed("django_rq"):
        return ()
    folder = Path(apps.get_app_config("django_rq").path) / "templates" / "django_rq"
    found = set()
    for template in folder.glob("*.html"):
        for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", template.read_text(), flags=re.S):
            if body.strip() and "{{" not in body and "{%" not in body:  # the browser hashes the text as sent
                digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                found.add(f"'sha256-{digest}'")
    return tuple(sorted(found))


def header_value(policy: Policy, nonce: str) -> str:
    parts = []
    for name, sources in policy.items():
        if name in NONCE_DIRECTIVES and "'unsafe-inline'" not in sources:
            sources = (*sources, f"'nonce-{nonce}'")
        parts.append(" ".join((name, *sources)))
    return "; ".join(parts)


def _framing(response: HttpResponse) -> tuple[str, ...] | None:
    """frame-ancestors as X-Frame-Options has it: None for a view exempt from it, else 'self' or 'none'."""
    if getattr(response, "xframe_options_exempt", False):
        return None
    return ("'self'",) if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" else ("'none'",)


class ContentSecurityPolicyMiddleware:
    """Sends the area's policy with each HTML response. Sits before XFrameOptionsMiddleware, so that it sees the
    X-Frame-Options each response leaves with."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policies = {area: dict(policy) for area, policy in settings.CONTENT_SECURITY_POLICY.items()}
        desk_scripts = self.policies["desk"].get("script-src")
        if desk_scripts is not None and "'unsafe-inline'" not in desk_scripts:  # a hash would switch it off
            self.policies["desk"]["script-src"] = (*desk_scripts, *rq_script_hashes())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(18)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if HEADER in response:
            # The view's own, stricter policy (sandboxed print output, public files) stays; only a framing
            # exception it makes through X-Frame-Options is spelt in CSP too.
            framing = _framing(response)
            if framing == ("'self'",) and "frame-ancestors" not in response[HEADER]:
                response[HEADER] = f"{response[HEADER].rstrip('; ')}; frame-ancestors 'self'"
            return response
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # Django's technical error pages style and script themselves inline
        area = "desk" if request.path.startswith(_desk_prefix()) else "portal"
        policy = dict(self.policies[area])
        if "frame-ancestors" in policy:
            framing = _framing(response)
            if framing is None:
                del policy["frame-ancestors"]
            elif framing == ("'self'",):
                policy["frame-ancestors"] = framing
        response[HEADER] = header_value(policy, request.csp_nonce)  # type: ignore[attr-defined]
        return response


@cache
def _desk_prefix() -> str:
    return reverse("admin:index")
