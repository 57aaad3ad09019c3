from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lowcode.api.models import credential_generate
from lowcode.core.admin import UserAdmin


@admin.action(description=_("Generate an API key and secret"), permissions=["change"])
def generate_api_keys(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
    for user in queryset[:20]:
        credential, secret = credential_generate(user=user)
        modeladmin.message_user(
            request,
            _("%(user)s: API key %(key)s, API secret %(secret)s — the secret is shown this once; store it now.")
            % {"user": user.get_username(), "key": credential.api_key, "secret": secret},
            messages.WARNING,
        )


UserAdmin.actions = [*(UserAdmin.actions or []), generate_api_keys]
