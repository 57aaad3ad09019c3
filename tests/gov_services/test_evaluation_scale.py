"""The evaluation scale as data (issue 17): the national five levels shipped in use, the four of S004 art. 22
shipped beside them; the scale in use decides the levels offered and which are poor — for the portal's form, the
desk, the API and the controller — and a poor review opens the callback and rectification clocks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from gov_services.gov_services.doctype.evaluation.scales import NATIONAL, scale_in_use
from gov_services.gov_services.doctype.evaluation.services import evaluation_create
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.models import Evaluation, EvaluationScale, EvaluationScaleLevel
from gov_services.portal.forms import EvaluationForm
from lowcode.api.models import credential_generate
from lowcode.core.documents import insert_doc, save_doc, save_rows
from lowcode.deadlines import services
from lowcode.workflow import engine
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

FOUR = "网上办事平台服务评价四级"


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    users = {
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
        "hotline": make_user("hotline", "Hotline Agent", departments["centre"]),
        "sysmgr": make_user("sysmgr", "System Manager", departments["centre"]),
    }
    app = make_application(matters[0], user=users["clerk"])
    with translation.override("zh-hans"):
        yield {"users": users, "app": app, "market": departments["market"]}


def _four_level_site() -> EvaluationScale:
    scale = EvaluationScale.objects.get(name=FOUR)
    scale.is_default = True
    save_doc(scale, update_fields=["is_default"])
    return scale


def _evaluate(world, level: int, reason: str = "") -> Evaluation:
    return evaluation_create(
        user=None, application=world["app"], level=level, reason=reason, channel="pc", evaluator_name="张伟"
    )


def test_the_national_five_levels_are_shipped_in_use(world) -> None:
    in_use = scale_in_use()
    assert in_use == NATIONAL
    assert [(v, label) for v, label in in_use.choices()][-2:] == [(2, "不满意"), (1, "非常不满意")]
    assert in_use.poor_values == {1, 2}
    assert EvaluationScale.objects.filter(is_default=True).count() == 1
    poor = _evaluate(world, 2, "办理时间比承诺的长")
    assert (poor.poor, poor.level_label, poor.status) == (True, "不满意", Evaluation.Status.POOR)
    assert {d.policy.name for d in services.open_deadlines(poor)} == {"evaluation_callback", "evaluation_rectification"}


def test_a_four_level_scale_site_treats_dissatisfied_as_poor_and_basically_satisfied_as_not(world) -> None:
    _four_level_site()
    assert list(EvaluationScale.objects.filter(is_default=True).values_list("name", flat=True)) == [FOUR]
    in_use = scale_in_use()
    assert in_use.choices() == [(4, "非常满意"), (3, "满意"), (2, "基本满意"), (1, "不满意")]

    with pytest.raises(ValidationError) as refused:
        _evaluate(world, 1)
    assert "reason" in refused.value.message_dict  # 不满意 needs its reason (S004 art. 22)
    poor = _evaluate(world, 1, "窗口一次性告知不完整")
    assert (poor.poor, poor.level_label, poor.status) == (True, "不满意", Evaluation.Status.POOR)
    assert {d.policy.name for d in services.open_deadlines(poor)} == {"evaluation_callback", "evaluation_rectification"}

    fair = _evaluate(world, 2)  # 基本满意 here; 不满意 on the national scale
    assert (fair.poor, fair.level_label, fair.status) == (False, "基本满意", Evaluation.Status.RECORDED)
    assert services.open_deadlines(fair) == []

    with pytest.raises(ValidationError) as refused:
        _evaluate(world, 5)
    assert "非常满意" in " ".join(refused.value.message_dict["level"])
    # A review already given keeps what it meant.
    assert Evaluation.objects.get(pk=poor.pk).level_label == "不满意"


def test_the_portal_form_offers_the_levels_in_use_and_asks_the_reason_of_a_poor_one(world) -> None:
    _four_level_site()
    form = EvaluationForm({"level": "1", "text": "", "reason": ""})
    assert [label for _, label in form.fields["level"].choices] == ["非常满意", "满意", "基本满意", "不满意"]
    assert not form.is_valid() and "reason" in form.errors
    assert EvaluationForm({"level": "2", "text": "", "reason": ""}).is_valid()
    assert not EvaluationForm({"level": "5", "text": "", "reason": ""}).is_valid()


def _api(user: Any) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def test_the_api_and_the_desk_follow_the_scale_in_use(world) -> None:
    _four_level_site()
    client = _api(world["users"]["hotline"])
    order = work_order_create(
        user=world["users"]["hotline"],
        order_type="consultation",
        source="hotline",
        subject="营业执照办理时间",
        content="个体工商户设立登记要多久",
        applicant_name="李四",
        phone="13800000000",
    )
    engine.apply_transition(order, "transfer", world["users"]["hotline"], values={"department": world["market"]})
    base = {"work_order": order.pk, "channel": "phone", "evaluator_name": "李四"}
    refused = client.post(
        "/api/resource/Evaluation", data=json.dumps({**base, "level": 5}), content_type="application/json"
    )
    assert refused.status_code == 417 and refused.json()["exc_type"] == "ValidationError"
    forged = client.post(
        "/api/resource/Evaluation",
        data=json.dumps({**base, "level": 1, "reason": "电话无人接听", "poor": False, "level_label": "满意"}),
        content_type="application/json",
    )
    assert forged.status_code == 417  # what a level means is the scale's, not the writer's
    assert not Evaluation.objects.exists()
    made = client.post(
        "/api/resource/Evaluation",
        data=json.dumps({**base, "level": 1, "reason": "电话无人接听"}),
        content_type="application/json",
    )
    assert made.status_code == 200, made.content.decode()[:300]
    stored = Evaluation.objects.get(pk=made.json()["data"]["name"])
    assert (stored.poor, stored.level_label, stored.status) == (True, "不满意", Evaluation.Status.POOR)

    desk = Client()
    assert desk.login(username="hotline", password=PASSWORD)
    page = desk.get("/desk/gov_services/evaluation/", {"level": "1"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "1 不满意" in body and "4 非常满意" in body and "非常不满意" not in body
    add = desk.get("/desk/gov_services/evaluation/add/").content.decode()
    assert "基本满意" in add and "非常不满意" not in add


def test_a_scale_needs_two_levels_distinct_values_and_some_poor_and_one_is_in_use(world) -> None:
    scale = insert_doc(EvaluationScale(name="三级", is_default=False))

    def levels(*spec: tuple[int, str, bool]) -> list[EvaluationScaleLevel]:
        return [EvaluationScaleLevel(scale=scale, value=v, label_zh=label, is_poor=p) for v, label, p in spec]

    for bad in (
        levels((3, "满意", False)),
        levels((3, "满意", False), (3, "一般", False), (1, "不满意", True)),
        levels((3, "满意", False), (2, "一般", False), (1, "不满意", False)),
        levels((3, "满意", True), (1, "不满意", True)),
        levels((3, "", False), (1, "不满意", True)),
    ):
        with pytest.raises(ValidationError):
            save_rows(scale, EvaluationScaleLevel, changed=bad, table=bad)
    good = levels((3, "满意", False), (2, "一般", False), (1, "不满意", True))
    save_rows(scale, EvaluationScaleLevel, changed=good, table=good)
    assert scale.levels.count() == 3

    scale.is_default = True
    save_doc(scale, update_fields=["is_default"])
    assert list(EvaluationScale.objects.filter(is_default=True)) == [scale]
    assert scale_in_use().choices() == [(3, "满意"), (2, "一般"), (1, "不满意")]


def test_a_recorded_poor_review_is_flagged_through_the_workflow_and_a_fair_one_is_not(world) -> None:
    """flag_poor (recorded → poor) reads whether the review is poor: taken for one recorded before the scale said
    so (e.g. migrated), refused for a fair one."""
    fair = _evaluate(world, 4)
    legacy = _evaluate(world, 3)
    Evaluation.objects.filter(pk=legacy.pk).update(poor=True, reason="材料要求前后不一")  # as migrated data
    legacy.refresh_from_db()
    hotline = world["users"]["hotline"]
    with pytest.raises(engine.WorkflowError):
        engine.apply_transition(fair, "flag_poor", hotline, comment="核实")
    flagged = engine.apply_transition(legacy, "flag_poor", hotline, comment="核实")
    assert flagged.status == Evaluation.Status.POOR
    assert {d.policy.name for d in services.open_deadlines(flagged)} == {
        "evaluation_callback",
        "evaluation_rectification",
    }
