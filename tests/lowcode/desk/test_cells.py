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


def test_a_list_page_computes_its_header_row_once_for_all_its_rows(db, monkeypatch) -> None:
    from django.test import Client
    from unfold.templatetags import unfold_list

    from tests.gov_services.factories import PASSWORD, catalogue, make_user

    catalogue()  # 30 matters: a page of rows, each cell labelled by its column's header
    make_user("admin-desk", "System Manager")
    shared = unfold_list.result_headers
    assert getattr(shared, "shared", False)
    computed = []
    original = shared.original

    def counted(cl):
        computed.append(cl)
        yield from original(cl)

    monkeypatch.setattr(shared, "original", counted)
    client = Client()
    assert client.login(username="admin-desk", password=PASSWORD)
    with translation.override("zh-hans"):
        page = client.get("/desk/gov_services/matter/")
    body = page.content.decode()
    assert page.status_code == 200
    assert len(computed) == 1
    assert body.count('data-label="事项名称"') >= 20  # every row's cell is still labelled
