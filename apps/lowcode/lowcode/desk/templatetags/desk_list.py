"""Template tags of the desk's list (see lowcode.desk.changelist)."""

from __future__ import annotations

from typing import Any

from django import template

from lowcode.desk.changelist import date_hierarchy_choices

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def desk_date_hierarchy(cl: Any) -> dict[str, Any]:
    """Django's date hierarchy, each choice found through the index (no scan of every row's date)."""
    return date_hierarchy_choices(cl) or {}
