"""The portal's public pages cached where they are the same for everyone (lowcode.portal.cache): served again
without a query, renewed when a guide, matter, department or web form is written through the write path, and
never carrying one visitor's name, CSRF token or nonce to another."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import translation

from gov_services.gov_services.doctype.guide.services import guide_new_version, guide_publish
from gov_services.models import Department, Matter
from gov_services.portal import selectors
from lowcode.core.documents import save_doc
from lowcode.portal import cache as portal_cache
from lowcode.webforms.models import WebForm
from tests.gov_services.factories import catalogue
from tests.gov_services.portal_support import citizen, client_for, online_matter

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture()
def world(db):
    departments, _ = catalogue()
    # the online matter (its page links to the application form) and the first guide on the home
    return {"departments": departments, "matter": online_matter(), "featured": selectors.published_matters()[0]}


def _guide_url(matter: Matter) -> str:
    return f"/guides/{matter.implementation_code}/"


def _pages(matter: Matter) -> list[str]:
    return ["/", "/guides/", _guide_url(matter), "/guides/?theme=" + matter.theme_window]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def _main(response) -> str:
    """The page's own part, without the shell (whose language form names the page's own address)."""
    return _without_tokens(re.search(r"<main .*</main>", response.content.decode(), flags=re.S).group(0))


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_a_public_page_is_served_the_second_time_without_a_query(world, django_assert_num_queries) -> None:
    client = Client()
    for url in _pages(world["matter"]):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200, url
        assert _without_tokens(second.content.decode()) == _without_tokens(first.content.decode()), url
    assert world["matter"].name in _text(client.get(_guide_url(world["matter"])))


def test_a_new_guide_version_shows_once_published_and_not_before(world, django_capture_on_commit_callbacks) -> None:
    matter = world["matter"]
    client = Client()
    assert "版本 1" in _text(client.get(_guide_url(matter)))
    with django_capture_on_commit_callbacks(execute=True):
        draft = guide_new_version(guide=matter.published_guide, user=None)
        draft.location = "镇江市政务服务中心二楼 B 区"
        save_doc(draft, update_fields=["location"])
    page = _text(client.get(_guide_url(matter)))
    assert "版本 1" in page and "二楼 B 区" not in page  # a draft is not shown

    with django_capture_on_commit_callbacks(execute=True):
        guide_publish(guide=draft, user=None)

    page = _text(client.get(_guide_url(matter)))
    assert "版本 2" in page and "镇江市政务服务中心二楼 B 区" in page


def test_a_matter_changed_is_shown_changed(world, django_capture_on_commit_callbacks) -> None:
    matter = world["featured"]
    client = Client()
    for url in _pages(matter):
        assert "食品经营许可（新办，含网络经营）" not in _text(client.get(url)), url
    with django_capture_on_commit_callbacks(execute=True):
        matter.name = "食品经营许可（新办，含网络经营）"
        save_doc(matter, update_fields=["name"])
    for url in _pages(matter):
        assert "食品经营许可（新办，含网络经营）" in _text(client.get(url)), url


def test_a_matter_unpublished_leaves_the_home_the_list_and_its_page(world, django_capture_on_commit_callbacks) -> None:
    matter = world["featured"]
    client = Client()
    for url in _pages(matter):
        assert matter.name in _text(client.get(url)), url

    with django_capture_on_commit_callbacks(execute=True):
        matter.status = Matter.Status.SUSPENDED
        save_doc(matter, update_fields=["status"])

    assert client.get(_guide_url(matter)).status_code == 404
    for url in ("/guides/", "/guides/?theme=" + matter.theme_window):
        assert matter.name not in _text(client.get(url)), url
    assert f'href="{_guide_url(matter)}"' not in client.get("/").content.decode()


def test_a_department_renamed_and_a_web_form_withdrawn_show(world, django_capture_on_commit_callbacks) -> None:
    matter = world["matter"]
    client = Client()
    apply_link = f'href="/apply/new?matter={matter.implementation_code}"'
    assert apply_link in client.get(_guide_url(matter)).content.decode()
    department = Department.objects.get(pk=matter.department_id)
    with django_capture_on_commit_callbacks(execute=True):
        department.name = "镇江市市场监督管理局（新）"
        save_doc(department, update_fields=["name"])
        form = WebForm.objects.get(doctype="Application", published=True)
        form.published = False
        save_doc(form, update_fields=["published"])

    page = client.get(_guide_url(matter)).content.decode()
    assert "镇江市市场监督管理局（新）" in page and apply_link not in page
    assert "镇江市市场监督管理局（新）" in _text(client.get("/"))
    assert "镇江市市场监督管理局（新）" in _text(client.get("/guides/"))


def test_a_write_renews_the_pages_inside_its_transaction_and_again_after_its_commit(
    world, django_capture_on_commit_callbacks
) -> None:
    """A page rendered while the write is still open (its data not yet visible to others) carries a version
    the commit leaves behind, so it is never served afterwards."""
    matter = world["matter"]
    before = portal_cache.version()
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        matter.name = "食品经营许可（变更）"
        save_doc(matter, update_fields=["name"])
    inside = portal_cache.version()
    assert inside > before
    for callback in after_commit:
        callback()
    assert portal_cache.version() > inside


def test_made_up_filters_share_one_entry_and_a_search_is_not_stored(world, django_assert_num_queries) -> None:
    client = Client()
    first = client.get("/guides/?department=999999&theme=nonsense&audience=x")
    assert "找到 0 个办事指南" in _text(first)
    with django_assert_num_queries(0):  # another made-up number: the same page, from the same entry
        again = client.get("/guides/?department=888888")
    assert _main(again) == _main(first)
    department = world["matter"].department
    chosen = client.get(f"/guides/?department=00{department.pk}")
    assert f'<option value="{department.pk}" selected>' in chosen.content.decode()
    assert world["matter"].name in _text(chosen)

    searched = client.get("/guides/?q=食品")
    assert world["matter"].name in _text(searched)
    assert 'value="食品"' in searched.content.decode()
    with django_assert_num_queries(1):  # a search runs its query each time (the departments come from the cache)
        client.get("/guides/?q=食品经营")


def test_english_and_chinese_pages_are_kept_apart(world) -> None:
    client = Client()
    assert "办事指南" in _text(client.get("/guides/"))
    client.cookies["django_language"] = "en"
    english = _text(client.get("/guides/"))
    assert "Service guides" in english and "办事指南" not in english
    client.cookies["django_language"] = "zh-hans"
    assert "办事指南" in _text(client.get("/guides/"))


def test_no_visitor_gets_anothers_name_csrf_token_or_nonce(world) -> None:
    li = citizen("11010519491231002", "李四", "13800000001", level=0)
    wang = citizen("11010519491231003", "王五", "13800000002", level=0)
    li_client, wang_client, anonymous = client_for(li), client_for(wang), Client()
    matter = world["matter"]

    # 李四 is the first visitor: every cached part is rendered on his request
    li_pages = {url: li_client.get(url) for url in _pages(matter)}
    for url, response in li_pages.items():
        assert "李四" in _text(response), url
    assert "欢迎您，李四。" in _text(li_pages["/"])
    li_secret = li_client.cookies["csrftoken"].value

    for client, own in ((anonymous, None), (wang_client, "王五")):
        for url in _pages(matter):
            response = client.get(url)
            html = response.content.decode()
            assert "李四" not in html, url
            if own:
                assert own in html, url
            secret = client.cookies["csrftoken"].value
            tokens = TOKEN.findall(html)
            assert tokens, url  # the language form (and the log-out form) carry the visitor's own token
            assert {_unmask_cipher_token(t) for t in tokens} == {secret} != {li_secret}, url
            nonce = _nonce(response)
            assert nonce != _nonce(li_pages[url]), url
            assert _nonce(li_pages[url]) not in html, url
            assert set(re.findall(r'nonce="([^"]+)"', html)) <= {nonce}, url

    anonymous_home = _text(anonymous.get("/"))
    assert "欢迎您" not in anonymous_home and "登录" in anonymous_home
    # nor is anything of a visitor in what the cache holds
    with translation.override("zh-hans"):
        stored = portal_cache.cached("home", render=lambda: pytest.fail("the home is cached"))
    assert "李四" not in str(stored) and "csrfmiddlewaretoken" not in str(stored) and "nonce" not in str(stored)
