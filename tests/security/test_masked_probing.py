"""Masked ID numbers cannot be recovered by probing the desk list: no lookups on a masked field, no regular
expressions, no search by it — for the roles that see it masked. Those who may see it keep searching by it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user, resident_id

LIST = "/desk/gov_services/application/"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    hotline = make_user("hotline", "Hotline Agent", departments["centre"])
    app = make_application(matters[0], user=clerk, id_number=resident_id("32110219880101001"))
    return {"clerk": clerk, "hotline": hotline, "app": app}


def desk(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_prefix_probing_and_regex_lookups_are_refused_for_the_hotline(world) -> None:
    hotline = desk(world["hotline"])
    assert hotline.get(LIST).status_code == 200
    full = world["app"].id_number
    for probe in (
        {"id_number__startswith": full[:10]},
        {"id_number": full},
        {"id_number__regex": "^3211"},
        {"applicant_name__regex": ".*"},
        {"number": world["app"].number, "id_number__startswith": "3"},
    ):
        page = hotline.get(LIST, probe)
        assert page.status_code == 400, probe
        assert full not in page.content.decode()
    found = hotline.get(LIST, {"q": full}).content.decode()
    assert world["app"].number not in found  # searching by the full ID number is no oracle either
    assert world["app"].number in hotline.get(LIST, {"q": world["app"].number}).content.decode()


def test_those_who_may_see_the_number_still_search_by_it(world) -> None:
    clerk = desk(world["clerk"])
    assert world["app"].number in clerk.get(LIST, {"q": world["app"].id_number}).content.decode()
    assert clerk.get(LIST, {"applicant_name__regex": ".*"}).status_code == 400


def test_a_portal_accounts_masked_name_is_no_oracle_in_the_api(world) -> None:
    import json

    from lowcode.api.models import credential_generate
    from tests.gov_services.portal_support import citizen

    account = citizen("32110219880101001", "李四", "13800000001", clerk=world["clerk"])
    credential, secret = credential_generate(user=world["hotline"])
    api = Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
    rows = api.get("/api/resource/Portal Account", {"fields": '["name"]'})
    assert rows.status_code == 200 and len(rows.json()["data"]) == 1
    assert account.id_number not in rows.content.decode() and "*" in rows.json()["data"][0]["name"]
    probe = api.get("/api/resource/Portal Account", {"filters": json.dumps([["name", "like", "3211021988%"]])})
    assert probe.status_code == 403
    ordered = api.get("/api/resource/Portal Account", {"order_by": "name asc"})
    assert ordered.status_code == 403
    # a guessed ID number answers the same whether or not an account has it
    assert api.get(f"/api/resource/Portal Account/{account.id_number}").status_code == 404
    assert api.get("/api/resource/Portal Account/110101199003077777").status_code == 404
