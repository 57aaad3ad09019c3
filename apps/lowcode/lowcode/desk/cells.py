"""Cells a list page draws on every row — a coloured label, the row's selection checkbox — from the theme's own
templates, rendered once per process and language around a marker and then filled with each row's escaped text
(the templates escape what they are given, and so does this). A page of 50 rows renders two templates, not a
hundred and fifty."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib.admin import helpers
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from unfold.admin import checkbox

MARK = "\x00"
LABEL_TEMPLATE = "unfold/helpers/display_label.html"


class Label(SafeString):
    """A label's markup that still knows its plain text (what an export writes in the cell)."""

    text: str

    def __new__(cls, html: str, text: str) -> Label:
        made = super().__new__(cls, html)
        made.text = text
        return made


def _split(html: str, what: str) -> tuple[str, str]:
    head, found, tail = html.partition(MARK)
    if not found or MARK in tail:
        raise ValueError(f"{what} does not show its text exactly once")
    return head, tail


@lru_cache(maxsize=64)
def _label_parts(kind: str, language: str | None) -> tuple[str, str]:
    context = {"label": MARK, "label_type": kind or None, "multiple": False}
    return _split(render_to_string(LABEL_TEMPLATE, context), LABEL_TEMPLATE)


@lru_cache(maxsize=16)
def _checkbox_parts(language: str | None) -> tuple[str, str]:
    return _split(str(checkbox.render(helpers.ACTION_CHECKBOX_NAME, MARK)), "the row checkbox")


def label(kind: str | None, text: Any) -> Label:
    """The theme's coloured label (`kind`: info, success, warning, danger, primary) with `text`."""
    head, tail = _label_parts(kind or "", get_language())
    plain = str(text)
    return Label(head + escape(plain) + tail, plain)


def badge(found: tuple[str, Any] | None, default: tuple[str, Any]) -> Label:
    kind, text = found or default
    return label(kind, text)


def action_checkbox(pk: Any) -> SafeString:
    """The row's selection checkbox, as the theme draws it, for the record `pk`."""
    head, tail = _checkbox_parts(get_language())
    return mark_safe(head + escape(str(pk)) + tail)  # noqa: S308 - the theme's markup around the escaped key


HEADERS = "_lowcode_result_headers"


def share_result_headers() -> None:
    """Compute a list page's header row once. The theme's row renderer asks for the whole header row (each
    column's label and its three sort links) on every row, to label its cells; the headers depend on the change
    list alone, so the first answer is kept on the change list and given again — 50 rows, one header row."""
    from unfold.templatetags import unfold_list

    original = unfold_list.result_headers
    if getattr(original, "shared", False):
        return

    def result_headers(cl: Any) -> Any:
        headers = cl.__dict__.get(HEADERS)
        if headers is None:
            headers = cl.__dict__[HEADERS] = list(result_headers.original(cl))  # type: ignore[attr-defined]
        yield from headers

    result_headers.shared = True  # type: ignore[attr-defined]
    result_headers.original = original  # type: ignore[attr-defined]
    unfold_list.result_headers = result_headers
