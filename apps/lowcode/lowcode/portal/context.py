"""The portal's menu, from each app's hooks (Frappe's `portal_menu_items`):

portal_menu_items = [{"title": _("Service guides"), "route": "/guides/"},
                     {"title": _("My services"), "route": "/my/", "login": True}]
portal_signup = [{"title": _("Sign up"), "route": "/signup/"}]
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lowcode.core.hooks import get_hooks


def menu(request: HttpRequest) -> dict[str, Any]:
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    links = [
        {"label": item["title"], "url": item["route"]}
        for item in get_hooks("portal_menu_items", []) or []
        if signed_in or not item.get("login")
    ]
    signup = [{"label": item["title"], "url": item["route"]} for item in get_hooks("portal_signup", []) or []]
    return {"portal_links": links, "portal_signup": signup}
