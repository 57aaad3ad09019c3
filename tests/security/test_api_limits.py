"""The API's inputs are bounded: `like` is SQL's own LIKE (no regular expression a request can make explode),
patterns, filter counts, JSON nesting and page sizes have limits, and each refusal is a 417 in Frappe's shape
that changes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gov_services.models import WorkOrder
from lowcode.api.models import credential_generate
from lowcode.api.resources import MAX_PAGE
from tests.gov_services.factories import catalogue, make_user


@pytest.fixture()
def hotline(db):
    departments, _ = catalogue()
    user = make_user("hotline", "Hotline Agent", departments["centre"])
    from gov_services.gov_services.doctype.work_order.services import work_order_create

    for i, content in enumerate(["营业执照%办理_进度", "a" * 160 + "b", "社保卡补办"]):
        work_order_create(
            user=user,
            order_type=WorkOrder.Type.CONSULTATION,
            source=WorkOrder.Source.HOTLINE,
            subject=f"咨询{i}",
            content=content,
            applicant_name="王五",
            phone="13800000000",
        )
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


def rows(client: Client, **params) -> tuple[int, dict]:
    query = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
    response = client.get("/api/resource/Work Order", {"fields": '["name", "content"]', **query})
    return response.status_code, response.json()


def test_like_is_sqls_like_with_its_wildcards(hotline) -> None:
    status, body = rows(hotline, filters=[["content", "like", "%执照%进度"]])
    assert status == 200 and [r["content"] for r in body["data"]] == ["营业执照%办理_进度"]
    status, body = rows(hotline, filters=[["content", "like", "社保_补办"]])
    assert status == 200 and [r["content"] for r in body["data"]] == ["社保卡补办"]
    status, body = rows(hotline, filters=[["content", "not like", "%a%"]])
    assert status == 200 and len(body["data"]) == 2
    status, body = rows(hotline, filters=[["content", "like", "%!%"]])  # the escape character is literal
    assert status == 200 and body["data"] == []


def test_the_regex_stall_pattern_is_refused_before_it_runs(hotline) -> None:
    status, body = rows(hotline, filters=[["content", "like", "%a%a%a%a%b"]])
    assert status == 417 and "wildcards" in body["exception"]
    status, body = rows(hotline, filters=[["content", "like", "%" + "x" * 200]])
    assert status == 417 and "characters" in body["exception"]


def test_too_many_filters_deep_json_and_huge_pages(hotline) -> None:
    status, body = rows(hotline, filters=[["subject", "!=", f"x{i}"] for i in range(1001)])
    assert status == 417 and "At most 50 filters" in body["exception"]
    deep = "[" * 5000 + "]" * 5000
    response = hotline.get("/api/resource/Work Order", {"filters": deep})
    assert response.status_code == 417 and "nested too deeply" in response.json()["exception"]
    response = hotline.post("/api/resource/Work Order", data=deep, content_type="application/json")
    assert response.status_code == 417 and "nested too deeply" in response.json()["exception"]
    assert WorkOrder.objects.count() == 3
    status, body = rows(hotline, limit_page_length=10**8)
    assert status == 200 and len(body["data"]) == 3 and MAX_PAGE == 1_000


def test_expressions_have_the_print_sandboxs_limits(db) -> None:
    from lowcode.printing.sandbox import TemplateProblem, render
    from lowcode.workflow.expressions import ExpressionError, evaluate

    class Doc:
        _meta = type("Meta", (), {"concrete_fields": []})()

    for costly in ("((range(99999)|list)*300)|length > 0", "((range(9999)|list)*300)|length > 0", "9**999 > 1"):
        with pytest.raises(ExpressionError):
            evaluate(costly, Doc(), None)
    with pytest.raises(TemplateProblem):
        render("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", {})
