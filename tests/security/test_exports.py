"""Exports never fail on a column: the hotline's Work Order export (whose state column is a coloured label)
gives a workbook with the state's text."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import WorkOrder
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_user


@pytest.fixture()
def world(db):
    departments, _ = catalogue()
    hotline = make_user("hotline", "Hotline Agent", departments["centre"])
    order = work_order_create(
        user=hotline,
        order_type=WorkOrder.Type.CONSULTATION,
        source=WorkOrder.Source.HOTLINE,
        subject="咨询社保卡补办",
        content="社保卡丢失后如何补办？",
        applicant_name="王五",
        phone="13800000000",
    )
    engine.apply_transition(order, "transfer", hotline, values={"department": departments["market"]})
    return {"hotline": hotline, "order": order}


def test_the_hotlines_work_order_export_has_the_states_text(world) -> None:
    client = Client()
    assert client.login(username="hotline", password=PASSWORD)
    response = client.post(
        reverse("admin:gov_services_workorder_changelist"),
        {"action": "export_xlsx", "_selected_action": [world["order"].pk]},
    )
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert world["order"].number in rows[1]
    assert "已转办" in rows[1]
