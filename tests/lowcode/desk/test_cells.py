"""The list's per-row cells (lowcode.desk.cells) are the theme's own markup, rendered once and filled with each
row's escaped text: the same HTML the theme's templates give, with nothing a row's text could inject."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.template.loader import render_to_string
from django.utils import translation
from unfold.admin import checkbox

from lowcode.desk import cells


@pytest.mark.parametrize("kind", ["info", "success", "warning", "danger", "primary", ""])
@pytest.mark.parametrize("text", ["已受理", "逾期 · 12/3 10:00", "<b>&\"'</b>"])
def test_a_label_is_the_themes_label(kind, text) -> None:
    theirs = render_to_string(
        "unfold/helpers/display_label.html", {"label": text, "label_type": kind or None, "multiple": False}
    )
    assert cells.label(kind, text) == theirs
    assert "<b>" not in cells.label(kind, text)
    assert cells.label(kind, text).text == text  # what an export writes


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_row_checkbox_is_the_themes_checkbox_in_the_language_of_the_page(language) -> None:
    with translation.override(language):
        for pk in (1, 1000048, '"><script>'):
            assert cells.action_checkbox(pk) == checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(pk))
