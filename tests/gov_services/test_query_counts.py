"""Query counts of the pages people open all day, pinned: the desk's Application form and list, and the API's
list — as Administrator and as a department-scoped reviewer.

The data has what makes a per-row or per-field lookup show: several applications with their material rows,
a workflow history (accepted, some under review), running deadlines, a change history and two custom fields
shown in the list. Counts are of a running process (the definitions it caches are loaded by a first request);
what a definition change costs — the next request of every process reloads it — is tested at the end, across
two processes."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov_services.models import Application, ApplicationMaterial
from lowcode.api.models import credential_generate
from lowcode.core.documents import save_doc
from lowcode.core.models import Role, Version
from lowcode.customization import services as customization
from lowcode.customization.models import CustomField
from lowcode.deadlines.models import Deadline
from lowcode.workflow import engine
from lowcode.workflow.models import WorkflowAction, WorkflowState, WorkflowTransition
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user
from tests.support.server import bench_serve, first_answer

# the list and the API read a page by id (ids, then rows); a department user's scope reads its joint applications once
FORM_MAX, LIST_MAX, API_MAX = 25, 18, 10
APPLICATIONS = 6


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    market = departments["market"]
    in_market = [m for m in matters if m.department_id == market.pk][:3]
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    reviewer = make_user("reviewer", "Department Reviewer", market)
    admin = get_user_model().objects.create_superuser("admin", password=PASSWORD)
    for key, fieldtype, options in (("permit_no", "Data", ""), ("handled_by", "Link", "Department")):
        customization.custom_field_insert(
            cf=CustomField(
                doctype="Application",
                fieldname=key,
                label_zh=key,
                fieldtype=fieldtype,
                options=options,
                in_list_view=True,
            ),
            user=admin,
        )
    base = timezone.now() - timedelta(days=3)
    apps = []
    for i in range(APPLICATIONS):
        app = make_application(
            in_market[i % len(in_market)],
            user=clerk,
            applicant_name=f"申请人{i}",
            submitted_at=base + timedelta(hours=i),
        )
        Application.objects.filter(pk=app.pk).update(custom={"permit_no": f"JY{i:04d}", "handled_by": market.pk})
        app.refresh_from_db()
        app.remarks = f"备注{i}"
        save_doc(app, update_fields=["remarks"], user=clerk)  # a change history
        ApplicationMaterial.objects.filter(application=app).update(status=ApplicationMaterial.Status.SUBMITTED)
        app = engine.apply_transition(app, "accept", clerk)
        if i % 2 == 0:
            app = engine.apply_transition(app, "start_review", reviewer)
        apps.append(app)
    first = apps[0]
    # what the pages have to show, so a missing lookup cannot pass for a saved one
    assert ApplicationMaterial.objects.filter(application=first).count() >= 2
    assert WorkflowAction.objects.filter(doctype="Application", doc_id=str(first.pk)).count() == 2
    assert Deadline.objects.filter(doctype="Application", doc_id=first.pk).exists()
    assert Version.objects.filter(doctype="Application", doc_id=str(first.pk)).exists()
    with translation.override("zh-hans"):
        yield {"apps": apps, "Administrator": admin, "Department Reviewer": reviewer, "clerk": clerk}


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def _warm(client: Client, url: str) -> None:
    """The process has loaded its cached definitions, as every running process has after its first request."""
    assert client.get(url).status_code == 200


USERS = ["Administrator", "Department Reviewer"]


@pytest.mark.parametrize("who", USERS)
def test_the_application_form(world, who, django_assert_max_num_queries) -> None:
    app = world["apps"][0]
    client = _session(world[who])
    url = reverse("admin:gov_services_application_change", args=[app.pk])
    _warm(client, url)

    with django_assert_max_num_queries(FORM_MAX):
        response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert app.number in body
    assert "审查中" in body  # the state's workflow label
    assert "受理" in body  # the timeline
    assert "JY0000" in body  # a custom field's value


@pytest.mark.parametrize("who", USERS)
def test_the_application_list(world, who, django_assert_max_num_queries) -> None:
    client = _session(world[who])
    url = reverse("admin:gov_services_application_changelist")
    _warm(client, url)

    with django_assert_max_num_queries(LIST_MAX):
        response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert all(a.number in body for a in world["apps"])
    assert "JY0005" in body  # a custom column


@pytest.mark.parametrize("who", USERS)
def test_the_api_list(world, who, django_assert_max_num_queries) -> None:
    client = _token(world[who])
    url = "/api/resource/Application?" + "&".join(
        f"{k}={v}" for k, v in {"fields": json.dumps(["name", "status", "permit_no"]), "limit": 20}.items()
    )
    _warm(client, url)

    with django_assert_max_num_queries(API_MAX):
        response = client.get(url)

    assert response.status_code == 200
    rows = response.json()["data"]
    assert sorted(r["name"] for r in rows) == sorted(a.number for a in world["apps"])
    assert {r["permit_no"] for r in rows} == {f"JY{i:04d}" for i in range(APPLICATIONS)}


def test_a_changed_workflow_shows_at_the_next_request(world) -> None:
    """Within one process: a state relabelled (saved as a shell or fixture would) shows on the next page."""
    client = _session(world["Administrator"])
    url = reverse("admin:gov_services_application_change", args=[world["apps"][0].pk])
    assert "审查中" in client.get(url).content.decode()
    state = WorkflowState.objects.get(workflow__doctype="Application", name="under_review")
    state.label_zh = "正在审查（本站）"
    state.save()

    body = client.get(url).content.decode()

    assert "正在审查（本站）" in body


@pytest.mark.django_db(transaction=True)
def test_another_running_process_sees_a_changed_workflow_without_restart() -> None:
    """A web process that has the workflow cached shows a state relabelled and a transition's roles changed
    here at its next request: a roles change hides the action from the clerk's form."""
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    app = make_application(matters[0], user=clerk)
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def form() -> str:
        url = f"{base}{reverse('admin:gov_services_application_change', args=[app.pk])}"
        with browser.open(url, timeout=10) as response:
            return response.read().decode()

    with bench_serve(8720) as (base, _server):
        login = urllib.parse.urlencode({"usr": "clerk", "pwd": PASSWORD}).encode()
        first_answer(lambda: browser.open(f"{base}/api/method/login", data=login, timeout=10).close())
        before = form()
        assert "一次性告知" in before  # the clerk may take it; that process has the workflow cached now
        transition = WorkflowTransition.objects.get(
            workflow__doctype="Application", from_state="submitted", action="notify_incomplete"
        )
        transition.roles.remove(Role.objects.get(name="Window Clerk"))

        assert "一次性告知" not in form()  # the same running process, no restart
        state = WorkflowState.objects.get(workflow__doctype="Application", name="submitted")
        state.label_zh = "已提交（本站）"
        state.save()

        assert "已提交（本站）" in form()
