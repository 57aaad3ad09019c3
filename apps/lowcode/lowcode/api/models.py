from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiCredential(models.Model):
    """A user's API key and secret (Frappe's api_key / api_secret): `Authorization: token <key>:<secret>`.
    The secret is shown once when generated and stored only as a hash."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_credential"
    )
    api_key = models.CharField(_("API key"), max_length=32, unique=True)
    secret_hash = models.CharField(_("secret (hashed)"), max_length=200, editable=False)
    created_at = models.DateTimeField(_("generated at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.api_key}"

    def check_secret(self, secret: str) -> bool:
        """The secret is 128 random bits, not a password: one SHA-256 is as safe against guessing as a slow hash
        and costs microseconds instead of the third of a second PBKDF2 takes on every API request. A pair made
        before is checked the slow way once, then stored the fast way."""
        if self.secret_hash.startswith(FAST_PREFIX):
            return hmac.compare_digest(self.secret_hash, secret_digest(secret))
        if not check_password(secret, self.secret_hash):
            return False
        self.secret_hash = secret_digest(secret)
        ApiCredential.objects.filter(pk=self.pk).update(secret_hash=self.secret_hash)
        return True


FAST_PREFIX = "sha256$"


def secret_digest(secret: str) -> str:
    return FAST_PREFIX + hashlib.sha256(secret.encode()).hexdigest()


def credential_generate(*, user: object) -> tuple[ApiCredential, str]:
    """New key and secret for the user (replacing any earlier pair); returns the secret, never stored plain."""
    secret = secrets.token_hex(16)
    credential, _created = ApiCredential.objects.update_or_create(
        user=user,
        defaults={
            "api_key": secrets.token_hex(8)[:15],
            "secret_hash": secret_digest(secret),
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return credential, secret
