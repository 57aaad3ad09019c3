"""Records that belong to another record — issued notices, timeline entries — are read by those who may
read that record, on every surface: the API list, the notice download, the private file."""

from __future__ import annotations

import pytest
from django.test import Client

from lowcode.api.models import credential_generate
from lowcode.printing.models import PrintedDocument
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    market = make_user("reviewer.market", "Department Reviewer", departments["market"])
    planning = make_user("reviewer.planning", "Department Reviewer", departments["planning"])
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    app = make_application(matter, user=clerk)
    engine.apply_transition(app, "accept", clerk)
    notice = PrintedDocument.objects.get(doctype="Application", doc_id=str(app.pk))
    return {"market": market, "planning": planning, "app": app, "notice": notice}


def api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def desk(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_another_departments_notices_are_out_of_reach(world) -> None:
    notice = world["notice"]
    planning, market = world["planning"], world["market"]
    listed = api(planning).get("/api/resource/Printed Document", {"fields": '["name", "title", "doc_id"]'})
    assert listed.status_code == 200
    assert notice.pk not in {r["name"] for r in listed.json()["data"]}
    assert api(planning).get(f"/api/resource/Printed Document/{notice.pk}").status_code == 404
    assert desk(planning).get(f"/printed/{notice.pk}/").status_code == 404
    assert desk(planning).get(notice.file.url).status_code == 404
    assert api(planning).get("/api/resource/Workflow Action").status_code == 403  # not a reviewer's to list

    assert desk(market).get(f"/printed/{notice.pk}/").status_code == 200
    assert desk(market).get(notice.file.url).status_code == 200
    mine = api(market).get("/api/resource/Printed Document", {"fields": '["name"]'})
    assert mine.status_code == 200 and notice.pk in {r["name"] for r in mine.json()["data"]}
