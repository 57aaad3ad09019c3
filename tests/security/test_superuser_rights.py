"""Only superusers grant the highest rights: a System Manager cannot make itself superuser or staff, cannot
touch a superuser's account (its password page included), and cannot open the rq dashboard."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from lowcode.api.models import credential_generate
from tests.gov_services.factories import PASSWORD, catalogue, make_user


@pytest.fixture()
def world(db):
    departments, _ = catalogue()
    sysmgr = make_user("sysmgr", "System Manager", departments["centre"])
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    root = get_user_model().objects.create_superuser("Administrator", password=PASSWORD)
    return {"sysmgr": sysmgr, "clerk": clerk, "root": root}


def api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def put(client: Client, name: str, data: dict):
    return client.put(f"/api/resource/User/{name}", data=json.dumps(data), content_type="application/json")


def flags(user) -> tuple:
    user = get_user_model().objects.get(pk=user.pk)
    return user.is_superuser, user.is_staff, user.first_name, user.password


def test_a_system_manager_cannot_raise_itself_or_edit_a_superuser(world) -> None:
    client = api(world["sysmgr"])
    before = flags(world["sysmgr"]), flags(world["root"])
    made_super = put(client, "sysmgr", {"is_superuser": 1})
    assert (made_super.status_code == 417 and "superuser" in made_super.json()["exception"].lower()) or "超级" in (
        made_super.json()["exception"]
    )
    assert put(client, "clerk", {"is_staff": 0}).status_code == 417
    assert put(client, "Administrator", {"first_name": "x"}).status_code == 417
    assert client.delete("/api/resource/User/Administrator").status_code in (403, 417)
    assert (flags(world["sysmgr"]), flags(world["root"])) == before
    assert put(client, "clerk", {"first_name": "小王"}).status_code == 200  # everyone else is still managed


def test_the_desk_keeps_superusers_and_the_rq_dashboard_to_superusers(world) -> None:
    desk = Client()
    assert desk.login(username="sysmgr", password=PASSWORD)
    root = world["root"]
    assert desk.get(f"/desk/auth/user/{root.pk}/password/").status_code == 403
    page = desk.get(f"/desk/auth/user/{root.pk}/change/")
    assert page.status_code in (200, 403)
    assert 'name="first_name"' not in page.content.decode()  # shown, if at all, read-only
    assert desk.get("/desk/rq/").status_code == 403
    clerk = Client()
    assert clerk.login(username="clerk", password=PASSWORD)
    assert clerk.get("/desk/rq/").status_code == 403
    assert clerk.get("/desk/django_rq/dashboard/").status_code == 404  # not served through the admin either
    assert clerk.post("/desk/django_rq/dashboard/queues/0/empty/").status_code == 404
    superuser = Client()
    assert superuser.login(username="Administrator", password=PASSWORD)
    assert superuser.get("/desk/rq/").status_code == 200
    assert Client().get("/desk/rq/").status_code == 302
