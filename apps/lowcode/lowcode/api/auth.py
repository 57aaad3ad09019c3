"""Who is calling: `Authorization: token <api_key>:<api_secret>` (or Basic with the same pair), else the
session. A wrong token is an AuthenticationError (401), never a silent guest."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from lowcode.api.errors import ApiError
from lowcode.api.models import ApiCredential


def request_user(request: HttpRequest) -> tuple[Any, bool]:
    """(user, by_token)."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return getattr(request, "user", AnonymousUser()), False
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "token":
        pair = value.strip()
    elif scheme == "basic":
        try:
            pair = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            raise ApiError("Invalid Basic authorization", "AuthenticationError") from None
    else:
        raise ApiError(f"Unsupported authorization scheme {scheme!r}", "AuthenticationError")
    key, sep, secret = pair.partition(":")
    credential = ApiCredential.objects.select_related("user").filter(api_key=key).first() if sep else None
    if credential is None or not credential.check_secret(secret) or not credential.user.is_active:
        raise ApiError("Invalid API key or secret", "AuthenticationError")
    ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    return credential.user, True
