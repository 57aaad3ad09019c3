"""Login throttling and the login audit, shared by every login (desk, portal, API): all of them go through
Django's `authenticate`, whose first backend here is `ThrottledModelBackend`.

Failures are counted in Redis per account and per client address over a window. Past a threshold the
account (or the address) is locked, for a time that doubles with each further lock (back-off) up to a
ceiling. Every success, failure and refusal while locked is kept as a `LoginEvent` (who, when, from which
address, with which browser), which the System Manager reads in the desk.

The client address is REMOTE_ADDR, or — when the request comes from one of the site's configured trusted
proxies (`trusted_proxies`) — the address that proxy reports in its header (`trusted_proxy_header`,
e.g. X-Forwarded-For), so that behind the intended reverse proxy each citizen has a bucket of their own.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from redis import Redis

from lowcode.core.hooks import get_hooks


@dataclass(frozen=True)
class Limits:
    window: int = 15 * 60  # seconds over which failures count
    per_account: int = 5  # failures of one account before it locks
    per_address: int = 20  # failures from one address before it locks
    first_lock: int = 60  # seconds; doubles with each lock in a row
    longest_lock: int = 60 * 60


def limits() -> Limits:
    configured = getattr(settings, "LOGIN_THROTTLE", {}) or {}
    return Limits(**{k: int(v) for k, v in configured.items() if k in Limits.__dataclass_fields__})


@cache
def _redis(url: str) -> Redis:
    return Redis.from_url(url)


def _conn() -> Redis:
    return _redis(settings.REDIS_URL)


def _key(*parts: str) -> str:
    return ":".join([settings.SITE_NAME, "login", *parts])


def client_address(request: Any) -> str:
    """The address a request came from, believing the configured proxy header only from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if not header or remote not in trusted:
        return remote
    hops = [h.strip() for h in str(request.META.get(header, "")).split(",") if h.strip()]
    for hop in reversed(hops):  # the nearest hop that is not one of ours is the client
        if hop not in trusted:
            return hop
    return remote


class LoginLocked(PermissionDenied):
    def __init__(self, seconds: int) -> None:
        self.seconds = max(1, seconds)
        minutes = math.ceil(self.seconds / 60)
        super().__init__(_("Too many failed sign-ins: try again in %(minutes)s minutes.") % {"minutes": minutes})


def account_key(username: str) -> str:
    """One bucket per account however its name is typed: the database matches user names ignoring case,
    accents and full-width forms (MariaDB's collation), so the counter does too."""
    decomposed = unicodedata.normalize("NFKD", username.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _subjects(request: Any, username: str) -> list[tuple[str, str]]:
    subjects = [("addr", client_address(request))]
    if username:
        subjects.append(("user", account_key(username)))
    return subjects


def locked_for(request: Any, username: str) -> int:
    """Seconds the account or the address is still locked (0: not locked)."""
    conn = _conn()
    ttls = [conn.ttl(_key("lock", kind, value)) for kind, value in _subjects(request, username)]
    return max([t for t in ttls if t and t > 0] or [0])


def check(request: Any, username: str) -> None:
    seconds = locked_for(request, username)
    if seconds:
        raise LoginLocked(seconds)


def _failed(request: Any, username: str) -> None:
    conn, lim = _conn(), limits()
    for kind, value in _subjects(request, username):
        count_key = _key("fail", kind, value)
        count = conn.incr(count_key)
        if count == 1:
            conn.expire(count_key, lim.window)
        threshold = lim.per_account if kind == "user" else lim.per_address
        if count >= threshold:
            streak_key = _key("streak", kind, value)
            streak = conn.incr(streak_key)
            conn.expire(streak_key, lim.longest_lock * 4)
            seconds = min(lim.first_lock * 2 ** (streak - 1), lim.longest_lock)
            conn.set(_key("lock", kind, value), 1, ex=seconds)
            conn.delete(count_key)


def _succeeded(request: Any, username: str) -> None:
    conn = _conn()
    kind, value = "user", account_key(username)
    conn.delete(_key("fail", kind, value), _key("streak", kind, value))


def reset(request: Any = None, username: str = "") -> None:
    """Forget counters and locks (a System Manager unlocking an account; tests)."""
    conn = _conn()
    if request is None and not username:
        keys = list(conn.scan_iter(match=_key("*")))
    else:
        keys = [_key(p, k, v) for k, v in _subjects(request, username) for p in ("fail", "streak", "lock")]
    if keys:
        conn.delete(*keys)


def _record(request: Any, username: str, outcome: str, user: Any = None) -> None:
    from lowcode.core.models import LoginEvent

    if request is None:
        return
    LoginEvent.objects.create(
        at=timezone.now(),
        username=(username or "")[:150],
        user=user if getattr(user, "pk", None) else None,
        outcome=outcome,
        address=client_address(request)[:64],
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        path=request.path[:200],
    )


def login_name(given: str) -> str:
    """The user name a login, as typed, stands for. An app may let its users sign in by another unique value
    than the user name others see (hook `login_name`: f(given) -> user name or None) — a citizen by the ID
    number, which is never the user name."""
    for path in get_hooks("login_name", []) or []:
        found = import_string(path)(given)
        if found:
            return str(found)
    return given


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, refusing at once while the account or the address is locked."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username:
            username = login_name(username)
        if request is not None:
            seconds = locked_for(request, username or kwargs.get("username", "") or "")
            if seconds:
                request._lowcode_login_locked = seconds
                _record(request, username or "", "locked")
                raise LoginLocked(seconds)  # no other backend is tried
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottledLoginFormMixin:
    """A login form that says the account is locked (and for how long) instead of "wrong password"."""

    def clean(self) -> Any:
        try:
            return super().clean()  # type: ignore[misc]
        except ValidationError:
            seconds = getattr(getattr(self, "request", None), "_lowcode_login_locked", 0)
            if seconds:
                raise ValidationError(str(LoginLocked(seconds).args[0]), code="locked") from None
            raise


class ThrottledAuthenticationForm(ThrottledLoginFormMixin, AuthenticationForm):
    pass


@receiver(user_login_failed)
def _on_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if request is None or getattr(request, "_lowcode_login_locked", 0):
        return  # a refusal while locked is recorded as such and counts no further
    username = login_name(str(credentials.get("username", "")))
    _failed(request, username)
    _record(request, username, "failure")


@receiver(user_logged_in)
def _on_success(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    _succeeded(request, user.get_username())
    _record(request, user.get_username(), "success", user)
