"""A custom field made through the API is made as the desk makes it (its indexed column included), and its
description is shown as text, never run as markup."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gov_services.models import Application
from lowcode.api.models import credential_generate
from lowcode.customization import index
from lowcode.customization.models import CustomField
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

SCRIPT = '<script>alert("x")</script><b>有效期</b>'


@pytest.mark.django_db(transaction=True)
def test_a_standard_filter_field_from_the_api_gets_its_column_and_the_list_keeps_working() -> None:
    departments, matters = catalogue()
    admin = make_user("sysmgr", "System Manager", departments["centre"])
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    make_application(matters[0], user=clerk)
    credential, secret = credential_generate(user=admin)
    api = Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
    made = api.post(
        "/api/resource/Custom Field",
        data=json.dumps(
            {
                "doctype": "Application",
                "fieldname": "permit_until",
                "label_zh": "许可有效期",
                "fieldtype": "Date",
                "in_standard_filter": 1,
                "description": SCRIPT,
            }
        ),
        content_type="application/json",
    )
    assert made.status_code == 200, made.content.decode()[:300]
    assert index.has_column(Application, "cf_permit_until")

    clerk_api_key, clerk_secret = credential_generate(user=clerk)
    clerk_api = Client(HTTP_AUTHORIZATION=f"token {clerk_api_key.api_key}:{clerk_secret}")
    listed = clerk_api.get("/api/resource/Application", {"filters": json.dumps([["permit_until", "<=", "2030-01-01"]])})
    assert listed.status_code == 200
    desk = Client()
    assert desk.login(username="clerk", password=PASSWORD)
    assert desk.get("/desk/gov_services/application/").status_code == 200
    form = desk.get(f"/desk/gov_services/application/{Application.objects.get().pk}/change/").content.decode()
    assert '<script>alert("x")</script>' not in form
    assert "&lt;script&gt;alert(" in form

    deleted = api.delete(f"/api/resource/Custom Field/{CustomField.objects.get().pk}")
    assert deleted.status_code == 200
    assert not index.has_column(Application, "cf_permit_until")
    assert clerk_api.get("/api/resource/Application").status_code == 200
