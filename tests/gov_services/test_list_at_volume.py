"""The desk's Application list and the API's list built to cost what their page costs (lowcode.desk.changelist,
lowcode.core.counting, lowcode.core.search, lowcode.core.paging): the queries of a page do not grow with the
rows, counts are capped, names are found through the n-gram index and numbers by their start, a department's
list needs no DISTINCT, and the API pages by cursor without losing or repeating a row.

The figures at 1,000,000 applications are measured by `bench benchmark desk_list` (benchmarks/); here the
behaviour and the query counts are pinned on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.models import Application
from lowcode.api.models import credential_generate
from lowcode.core import permissions
from lowcode.core.documents import delete_doc, save_doc
from lowcode.core.models import SearchToken
from tests.gov_services.factories import catalogue, make_application, make_user, resident_id

pytestmark = pytest.mark.django_db
LIST = "admin:gov_services_application_changelist"
NAMES = ["王秀英", "李建国", "张伟", "欧阳丽华", "王伟", "秀王"]


@pytest.fixture()
def world():
    departments, matters = catalogue()
    market = [m for m in matters if m.department_id == departments["market"].pk]
    planning = next(m for m in matters if m.department_id == departments["planning"].pk)
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    reviewer = make_user("reviewer", "Department Reviewer", departments["market"])
    admin = make_user("admin", "System Manager", departments["centre"])
    admin.is_superuser = True
    admin.save()
    base = timezone.now() - timedelta(days=40)
    apps = []
    for i, name in enumerate(NAMES):
        apps.append(
            make_application(
                market[i % len(market)],
                user=clerk,
                applicant_name=name,
                id_number=resident_id(f"3201021990030{7000 + i}"),
                phone=f"1391234{i:04d}",
                submitted_at=base + timedelta(days=7 * i),
                materials_received=False,
            )
        )
    elsewhere = make_application(planning, user=clerk, applicant_name="赵敏", materials_received=False)
    with translation.override("zh-hans"):
        yield {
            "apps": apps,
            "elsewhere": elsewhere,
            "clerk": clerk,
            "reviewer": reviewer,
            "admin": admin,
            "matters": market,
            "departments": departments,
        }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _numbers(response) -> set[str]:
    page = response.context["cl"].result_list
    return {a.number for a in page}


def _more(world, count: int) -> None:
    for i in range(count):
        make_application(
            world["matters"][i % len(world["matters"])],
            user=world["clerk"],
            applicant_name=f"申请人{i}",
            materials_received=False,
        )


PAGES = [
    {},
    {"workflow_state": "submitted"},
    {"q": "王"},
    {"o": "5"},  # by department
    {"o": "-4"},  # by matter, descending
    {"p": "2"},
    {"deadline": "red"},
]


@pytest.mark.parametrize("who", ["admin", "clerk", "reviewer"])
def test_a_pages_queries_do_not_grow_with_the_rows(world, who) -> None:
    """The same pages with 7 applications and with more than a page of them run the same number of queries."""
    client = _client(world[who])
    url = reverse(LIST)
    client.get(url)

    def counts() -> list[int]:
        found = []
        for query in PAGES:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, query)
            assert response.status_code == 200, query
            found.append(len(captured))
        return found

    few = counts()
    _more(world, 55)
    many = counts()

    assert many == few
    assert max(many) <= 22  # a search adds one query per search field, whatever the rows


def test_the_page_is_read_by_id_with_no_subquery_per_row_and_no_distinct(world) -> None:
    client = _client(world["reviewer"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST))
    listed = [q["sql"] for q in captured.captured_queries if "gov_services_application" in q["sql"]]

    assert _numbers(response) == {a.number for a in world["apps"]}  # the department's own; not 赵敏's
    assert not any("DISTINCT" in sql.upper() for sql in listed)
    assert not any("lowcode_deadlines_deadline" in sql for sql in listed)  # lights come in their own query
    ordered = [sql for sql in listed if "ORDER BY" in sql and "LIMIT" in sql and "submitted_at" in sql]
    assert any(
        sql.lstrip().startswith('SELECT "gov_services_application"."id"')
        or "`id` AS `pk`" in sql
        or '"id" AS "pk"' in sql
        for sql in ordered
    )


def test_a_co_department_sees_a_joint_application_once(world) -> None:
    joint = world["elsewhere"]
    joint.co_departments.add(world["departments"]["market"])
    client = _client(world["reviewer"])

    response = client.get(reverse(LIST))
    numbers = [a.number for a in response.context["cl"].result_list]

    assert numbers.count(joint.number) == 1
    assert len(numbers) == len(set(numbers)) == len(world["apps"]) + 1


def test_deep_pages_of_a_scope_with_joint_handling_are_the_pages_of_the_whole_order(world, monkeypatch) -> None:
    """A deep page of an OR of branches (lowcode.core.paging: counted first, past the end empty, one filled
    branch read alone) is the same slice as the single query's, at every depth."""
    from lowcode.core import paging

    monkeypatch.setattr(paging, "DEEP", 1)
    joint = world["elsewhere"]
    joint.co_departments.add(world["departments"]["market"])
    scoped = permissions.scope(world["reviewer"], Application.objects.order_by("-submitted_at", "-pk"))
    lists = {"both branches filled": scoped, "the joint branch empty": scoped.exclude(pk=joint.pk)}
    for name, queryset in lists.items():
        expected = list(queryset.values_list("pk", flat=True))
        for bottom in range(len(expected) + 2):
            found = [a.pk for a in paging.rows_by_id(queryset, bottom, bottom + 2)]
            assert found == expected[bottom : bottom + 2], (name, bottom)
    assert joint.pk in scoped.values_list("pk", flat=True)


def test_counts_are_capped_and_pages_past_them_still_open(world, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "list_count_cap", 3)
    client = _client(world["admin"])

    whole = client.get(reverse(LIST))
    filtered = client.get(reverse(LIST), {"q": "王"})  # 王秀英, 王伟, 秀王: three — not more than the cap
    scoped = _client(world["reviewer"]).get(reverse(LIST))

    assert whole.context["cl"].row_count.kind == "about"
    assert whole.context["cl"].row_count.value == len(NAMES) + 1
    assert "约 7 条" in whole.content.decode()
    assert filtered.context["cl"].row_count.kind == "exact"
    assert scoped.context["cl"].row_count.kind == "more"
    assert "超过 3 条" in scoped.content.decode()


def test_pages_beyond_an_estimate_open_while_they_have_rows(world, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "list_count_cap", 1)
    monkeypatch.setattr("lowcode.desk.admin.DocTypeAdmin.list_per_page", 2)
    client = _client(world["reviewer"])  # scoped: "more than 1", one page by the count

    seen = []
    url = reverse(LIST)
    response = client.get(url)
    while True:
        seen += [a.number for a in response.context["cl"].result_list]
        following = response.context["cl"].next_page_url or ""
        if not following and response.context["cl"].page_num < response.context["cl"].paginator.num_pages:
            following = f"?p={response.context['cl'].page_num + 1}"
        if not following:
            break
        response = client.get(url + following)
        assert response.status_code == 200

    assert sorted(seen) == sorted(a.number for a in world["apps"])
    assert client.get(url, {"p": "40"}).status_code == 200  # far past the rows: an empty page, not an error


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("秀英", {"王秀英"}),
        ("王", {"王秀英", "王伟", "秀王"}),
        ("王秀", {"王秀英"}),  # 秀王 has both characters, not the pair
        ("欧阳丽华", {"欧阳丽华"}),
        ("阳丽", {"欧阳丽华"}),
        ("建国 李", {"李建国"}),  # every word must match
        ("孙", set()),
    ],
)
def test_names_are_found_through_the_ngram_index(world, term, expected) -> None:
    client = _client(world["clerk"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST), {"q": term})

    assert {a.applicant_name for a in response.context["cl"].result_list} == expected
    searched = [q["sql"] for q in captured.captured_queries if "gov_services_application" in q["sql"]]
    assert any("lowcode_core_searchtoken" in sql for sql in searched)
    like_anywhere = [s for s in searched if "LIKE '%" in s and "lowcode_core_searchtoken" not in s]
    assert not like_anywhere  # a containment test only on rows the index found


def test_numbers_are_found_by_their_start(world) -> None:
    client = _client(world["clerk"])
    app = world["apps"][2]

    by_number = client.get(reverse(LIST), {"q": app.number[:-2]})
    by_id = client.get(reverse(LIST), {"q": app.id_number})
    by_phone = client.get(reverse(LIST), {"q": app.phone[:9]})
    by_part_of_id = client.get(reverse(LIST), {"q": app.id_number[3:12]})

    assert app.number in _numbers(by_number)
    assert _numbers(by_id) == {app.number}
    assert _numbers(by_phone) == {a.number for a in world["apps"]}  # 139123400xx: all of them start so
    assert _numbers(by_part_of_id) == set()  # an ID number is searched whole, never by a part


def test_the_search_index_follows_every_write(world) -> None:
    app = world["apps"][0]
    client = _client(world["clerk"])

    app.contact_name = "孙悟空"
    save_doc(app, update_fields=["contact_name"], user=world["clerk"])
    assert _numbers(client.get(reverse(LIST), {"q": "悟空"})) == {app.number}

    app.contact_name = ""
    save_doc(app, update_fields=["contact_name"], user=world["clerk"])
    assert _numbers(client.get(reverse(LIST), {"q": "悟空"})) == set()

    gone = world["apps"][1]
    pk = gone.pk
    delete_doc(gone, user=world["admin"])
    assert not SearchToken.objects.filter(doctype="Application", doc_id=pk).exists()


def test_the_date_hierarchy_of_a_short_list_spans_its_own_rows_without_a_distinct(world) -> None:
    client = _client(world["admin"])
    first = timezone.localtime(world["apps"][0].submitted_at)
    month = {"submitted_at__year": first.year, "submitted_at__month": first.month}

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST), month)

    assert response.status_code == 200
    assert response.context["cl"].row_count.exact
    in_month = [
        timezone.localtime(a.submitted_at).day
        for a in Application.objects.all()
        if (timezone.localtime(a.submitted_at).year, timezone.localtime(a.submitted_at).month)
        == (first.year, first.month)
    ]
    assert _days(response) == list(range(min(in_month), max(in_month) + 1))  # the first to the last day with rows
    ends = [q["sql"] for q in captured.captured_queries if "MIN(" in q["sql"].upper() and "submitted_at" in q["sql"]]
    assert len(ends) == 1  # MIN and MAX in one query over the few rows the filter finds
    assert not any("DISTINCT" in q["sql"].upper() for q in captured.captured_queries)


def test_the_date_hierarchy_of_a_long_filtered_list_is_bounded_by_the_scoped_list(world, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "list_count_cap", 2)
    by_mail = make_application(
        world["matters"][0],
        user=world["clerk"],
        channel="mail",
        submitted_at=timezone.now() - timedelta(days=400),  # the scope starts a year before the filtered list
        materials_received=False,
    )
    client = _client(world["admin"])

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST), {"channel__exact": "window"})

    assert response.status_code == 200
    assert by_mail.number not in _numbers(response)
    assert not response.context["cl"].row_count.exact  # more than the cap: a long list
    years = [int(c["title"]) for c in _hierarchy(response)["choices"]]
    assert years == list(range(timezone.localtime(by_mail.submitted_at).year, timezone.localtime().year + 1))
    ends = [q["sql"] for q in captured.captured_queries if "submitted_at" in q["sql"] and "LIMIT 1" in q["sql"]]
    assert len(ends) >= 2 and not any("channel" in sql for sql in ends)  # the two index ends of the scope
    assert not any("DISTINCT" in q["sql"].upper() or "MIN(" in q["sql"].upper() for q in captured.captured_queries)


def _days(response) -> list[int]:
    days = [c["title"] for c in _hierarchy(response)["choices"]]
    return [int("".join(ch for ch in d.split("月")[-1] if ch.isdigit())) for d in days]


def _hierarchy(response) -> dict:
    from lowcode.desk.changelist import date_hierarchy_choices

    return date_hierarchy_choices(response.context["cl"])


def _api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


@pytest.mark.parametrize("order_by", [None, "applicant_type asc", "submitted_at desc"])
def test_the_api_pages_by_cursor_without_losing_or_repeating_a_row(world, order_by) -> None:
    client = _api(world["admin"])
    params = {"limit": 2, "cursor": "", "fields": json.dumps(["name"])}
    if order_by:
        params["order_by"] = order_by
    seen, pages = [], 0
    while True:
        answer = client.get("/api/resource/Application", params).json()
        seen += [r["name"] for r in answer["data"]]
        pages += 1
        if not answer["next_cursor"]:
            break
        params["cursor"] = answer["next_cursor"]
        assert pages < 10

    assert sorted(seen) == sorted(Application.objects.values_list("number", flat=True))
    assert len(seen) == len(set(seen))
    by_offset = client.get("/api/resource/Application", {"limit": 100, "fields": json.dumps(["name"])}).json()
    if order_by is None:
        assert [r["name"] for r in by_offset["data"]] == seen  # the same order as limit_start's


def test_a_cursor_made_up_or_for_another_order_is_refused(world) -> None:
    client = _api(world["admin"])
    first = client.get("/api/resource/Application", {"limit": 2, "cursor": ""}).json()

    forged = client.get("/api/resource/Application", {"limit": 2, "cursor": first["next_cursor"][:-3] + "abc"})
    other = client.get(
        "/api/resource/Application", {"limit": 2, "cursor": first["next_cursor"], "order_by": "phone asc"}
    )

    for response in (forged, other):
        assert response.status_code == 417
        assert response.json()["exc_type"] == "ValidationError"
        assert "cursor" in response.json()["exception"]


def test_get_count_stays_exact_above_the_cap(world, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "list_count_cap", 2)
    client = _api(world["admin"])

    answer = client.get("/api/method/frappe.client.get_count", {"doctype": "Application"}).json()

    assert answer["message"] == Application.objects.count()


def test_a_large_doctype_offers_only_the_sorts_an_index_serves(world) -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    from lowcode.core import indexes
    from lowcode.desk.admin import DocTypeAdmin

    request = RequestFactory().get("/")
    request.user = world["admin"]
    large = [(m, a) for m, a in admin.site._registry.items() if isinstance(a, DocTypeAdmin) and indexes.is_large(m)]
    assert {m.__name__ for m, _ in large} >= {"Application", "WorkOrder", "Evaluation", "Deadline", "Licence"}
    for model, model_admin in large:
        order = list(model_admin.get_ordering(request) or model._meta.ordering)
        assert indexes.serves(model, order[0]), (model.__name__, order)
        for column in model_admin.get_sortable_by(request):
            assert model_admin._sorted_by_index(column), (model.__name__, column)

    application = admin.site._registry[Application]
    names = {getattr(c, "__name__", c) for c in application.get_sortable_by(request)}
    assert names >= {"number", "applicant_name", "matter", "department", "workflow_status", "submitted_at"}
    assert "channel" not in names  # no index leads with it


def test_facet_counts_are_capped_counts(world, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "list_count_cap", 2)
    client = _client(world["admin"])

    response = client.get(reverse(LIST), {"_facets": "True"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "(2+)" in body  # the market department's seven, past the cap of two
    assert "(1)" in body  # planning's one


@pytest.mark.parametrize("few", [2000, 1], ids=["clocks-by-id", "clocks-probed"])
def test_a_light_filter_lists_the_most_urgent_clock_first_each_document_once(world, monkeypatch, few) -> None:
    """With a light chosen and no column sorted, the list is ordered by the clocks' due instants through the
    deadline index (lowcode.deadlines.desk.DueOrder); a column sort still orders by that column. Its count is
    the documents', for the whole list, a department's scope and another filter, whether the filter lists the
    few matching documents by id or probes each row's clocks."""
    monkeypatch.setattr("lowcode.deadlines.desk.FEW_DOCUMENTS", few)
    from lowcode.deadlines.models import Deadline, DeadlinePolicy
    from lowcode.deadlines.selectors import snapshot_of
    from lowcode.deadlines.services import build, policy_calendar

    policy = DeadlinePolicy.objects.get(name="application_promised_limit")
    stored = policy_calendar(policy)
    cal = snapshot_of(stored)
    apps = world["apps"]
    now = timezone.now()
    urgency = [apps[3], apps[0], apps[5], apps[1]]  # most overdue first, not the submission order
    for rank, app in enumerate(urgency):
        Deadline.objects.filter(doctype="Application", doc_id=app.pk).delete()
        for extra in range(2):  # two red clocks on one document: listed once, at the first
            clock = build(policy, app, app.submitted_at, stored=stored, cal=cal)
            clock.light, clock.due_at = Deadline.Light.RED, now - timedelta(days=10 - rank, hours=extra)
            clock.save()
    client = _client(world["clerk"])

    response = client.get(reverse(LIST), {"deadline": "red"})
    listed = [a.number for a in response.context["cl"].result_list]
    assert listed == [a.number for a in urgency]
    assert response.context["cl"].result_count == len(urgency)
    assert "最急在前" in response.content.decode()

    scoped = _client(world["reviewer"]).get(reverse(LIST), {"deadline": "red"})
    assert [a.number for a in scoped.context["cl"].result_list] == listed  # all of the market department
    assert scoped.context["cl"].result_count == len(urgency)
    narrowed = client.get(reverse(LIST), {"deadline": "red", "q": "王"})  # 王秀英 (0) and 秀王 (5) of the four
    assert [a.number for a in narrowed.context["cl"].result_list] == [apps[0].number, apps[5].number]
    assert narrowed.context["cl"].result_count == 2
    monkeypatch.setitem(settings.CONFIG, "list_count_cap", 3)  # eight clocks: more than the cap
    capped = client.get(reverse(LIST), {"deadline": "red"})
    assert capped.context["cl"].row_count.kind == "more"
    assert [a.number for a in capped.context["cl"].result_list] == listed

    sorted_by_column = client.get(reverse(LIST), {"deadline": "red", "o": "-1"})
    cl = sorted_by_column.context["cl"]
    assert cl.driver is None and cl.order_note is None
    assert sorted(a.number for a in cl.result_list) == sorted(listed)
    assert "最急在前" not in sorted_by_column.content.decode()
