"""A citizen cannot forge an evaluation on someone else's application, nor link a work order to it — through
the API as through the portal."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gov_services.models import Evaluation, WorkOrder
from lowcode.api.models import credential_generate
from tests.gov_services.factories import catalogue, make_application, make_user
from tests.gov_services.portal_support import citizen


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    alice = citizen("11010519491231002", "李四", "13800000001", clerk=clerk)
    mallory = citizen("11010519800101001", "王五", "13800000002", clerk=clerk)
    app = make_application(matters[0], user=clerk, applicant_user=alice.user)
    return {"alice": alice, "mallory": mallory, "app": app}


def api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def post(client: Client, doctype: str, data: dict):
    return client.post(f"/api/resource/{doctype}", data=json.dumps(data), content_type="application/json")


def test_a_poor_evaluation_on_a_strangers_application_is_refused(world) -> None:
    app, mallory = world["app"], world["mallory"].user
    forged = post(
        api(mallory),
        "Evaluation",
        {
            "application": app.number,
            "level": 1,
            "reason": "态度差",
            "channel": "pc",
            "evaluator_name": "李四",
            "evaluator_user": mallory.username,
        },
    )
    assert forged.status_code == 417 and "本人" in forged.json()["exception"], forged.content.decode()[:300]
    assert not Evaluation.objects.exists()
    own_undecided = post(
        api(world["alice"].user),
        "Evaluation",
        {"application": app.number, "level": 5, "channel": "pc", "evaluator_name": "李四"},
    )
    assert own_undecided.status_code == 417 and "办结后" in own_undecided.json()["exception"]
    assert not Evaluation.objects.exists()


def test_a_work_order_cannot_name_a_strangers_application(world) -> None:
    mallory = world["mallory"].user
    linked = post(
        api(mallory),
        "Work Order",
        {
            "order_type": "complaint",
            "source": "online",
            "subject": "投诉",
            "content": "……",
            "applicant_name": "王五",
            "phone": "13800000002",
            "application": world["app"].number,
        },
    )
    assert linked.status_code == 417 and "本人的办件" in linked.json()["exception"], linked.content.decode()[:300]
    assert not WorkOrder.objects.exists()


def test_online_level_changes_are_scoped_and_their_decision_is_not_writable(db) -> None:
    from gov_services.gov_services.doctype.matter.services import online_level_change_request
    from gov_services.models import Matter, OnlineLevelChange

    departments, matters = catalogue()
    market = make_user("liaison.market", "Department Liaison", departments["market"])
    planning = make_user("liaison.planning", "Department Liaison", departments["planning"])
    matter = next(m for m in matters if m.department_id == departments["market"].pk)
    Matter.objects.filter(pk=matter.pk).update(online_level=1)
    matter.refresh_from_db()
    change = online_level_change_request(matter=matter, to_level=2, reason="网上申办量大", user=market)
    assert api(planning).get(f"/api/resource/Online Level Change/{change.pk}").status_code == 404
    listed = api(planning).get("/api/resource/Online Level Change").json()["data"]
    assert change.pk not in {r["name"] for r in listed}
    sysmgr = make_user("sysmgr", "System Manager", departments["centre"])
    assert (
        api(market)
        .put(
            f"/api/resource/Online Level Change/{change.pk}",
            data=json.dumps({"status": "approved"}),
            content_type="application/json",
        )
        .status_code
        == 403
    )
    approve = api(sysmgr).put(
        f"/api/resource/Online Level Change/{change.pk}",
        data=json.dumps({"status": "approved", "approval_document": "镇审改〔2026〕1号"}),
        content_type="application/json",
    )
    assert approve.status_code == 417 and "status" in approve.json()["exception"]
    assert OnlineLevelChange.objects.get(pk=change.pk).status == OnlineLevelChange.Status.PENDING
    assert Matter.objects.get(pk=matter.pk).online_level == 1
