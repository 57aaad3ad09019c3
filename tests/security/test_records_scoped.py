"""The other records that belong to a record or a person — its clocks (Deadline), a person's desk notifications,
its change history (Version) — reach only those who may read what they belong to, on the API and the desk."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from lowcode.api.models import credential_generate
from lowcode.core.models import NotificationLog
from lowcode.deadlines.models import Deadline
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    market = make_user("reviewer.market", "Department Reviewer", departments["market"])
    planning = make_user("reviewer.planning", "Department Reviewer", departments["planning"])
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    app = engine.apply_transition(make_application(matter, user=clerk), "accept", clerk)
    NotificationLog.objects.create(user=market, subject="本部门办件即将超时", created_at=timezone.now())
    return {"clerk": clerk, "market": market, "planning": planning, "app": app}


def api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def test_another_departments_clocks_are_out_of_reach(world) -> None:
    clocks = Deadline.objects.filter(doctype="Application", doc_id=str(world["app"].pk))
    assert clocks.exists()
    theirs = api(world["planning"]).get("/api/resource/Deadline", {"fields": '["name"]', "limit_page_length": 0})
    assert theirs.status_code == 200
    assert not {c.pk for c in clocks} & {r["name"] for r in theirs.json()["data"]}
    assert api(world["planning"]).get(f"/api/resource/Deadline/{clocks[0].pk}").status_code == 404
    mine = api(world["market"]).get("/api/resource/Deadline", {"fields": '["name"]', "limit_page_length": 0})
    assert {c.pk for c in clocks} <= {r["name"] for r in mine.json()["data"]}
    desk = Client()
    assert desk.login(username=world["planning"].username, password=PASSWORD)
    page = desk.get("/desk/lowcode_deadlines/deadline/")
    assert page.status_code == 200 and world["app"].number not in page.content.decode()
    assert desk.get(f"/desk/lowcode_deadlines/deadline/{clocks[0].pk}/change/").status_code in (302, 404)


def test_a_persons_notifications_are_theirs_alone(world) -> None:
    note = NotificationLog.objects.get(user=world["market"])
    others = api(world["planning"]).get("/api/resource/Notification Log", {"fields": '["name", "subject"]'})
    assert others.status_code == 200 and "本部门办件即将超时" not in others.content.decode()
    assert api(world["planning"]).get(f"/api/resource/Notification Log/{note.pk}").status_code == 404
    own = api(world["market"]).get("/api/resource/Notification Log", {"fields": '["subject"]'})
    assert "本部门办件即将超时" in own.content.decode()


def test_the_change_history_is_only_on_the_records_own_form(world) -> None:
    assert api(world["clerk"]).get("/api/resource/Version").status_code == 404  # no DocType of its own
    desk = Client()
    assert desk.login(username=world["planning"].username, password=PASSWORD)
    assert desk.get(f"/desk/gov_services/application/{world['app'].pk}/change/").status_code in (302, 404)
