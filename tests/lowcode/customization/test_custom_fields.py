"""Custom fields of every type on Application: good values round-trip through the API and the desk form; bad
values are refused with a clear message and nothing is saved; the audit trail, prints, exports, archiving,
purging and the index follow."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import translation

from gov_services.models import Application
from lowcode.api.models import credential_generate
from lowcode.core.models import Version
from lowcode.customization import index, services, values
from lowcode.customization.models import CustomField
from lowcode.printing.context import document_context
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

# type, options, good value sent, value read back, bad values with (a part of) the message
CASES = [
    ("Data", "", "京A12345", "京A12345", [("x" * 141, "不超过 140 字符")]),
    ("Text", "", "第一行\n第二行", "第一行\n第二行", [([1, 2], "请输入单个值")]),
    ("Int", "", 42, 42, [("4.5", "输入整数"), ("abc", "输入整数")]),
    ("Float", "", 2.5, 2.5, [("two", "输入一个数字")]),
    ("Currency", "", "1234.56", 1234.56, [("12.345", "小数不超过 2 位"), ("lots", "输入一个数字")]),
    ("Check", "", 1, 1, [("maybe", "请输入 0 或 1")]),
    ("Date", "", "2027-06-30", "2027-06-30", [("2027-02-30", "有效的日期"), ("30/06/2027", "有效的日期")]),
    ("Datetime", "", "2027-06-30 09:30:00", "2027-06-30 09:30:00.000000", [("tomorrow", "有效的日期/时间")]),
    ("Select", "食品\n药品\n医疗器械", "药品", "药品", [("化妆品", "化妆品 不在可用的选项中")]),
    ("Link", "Department", "镇江市市场监督管理局", "镇江市市场监督管理局", [("不存在的部门", "不在可用的选项中")]),
]


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    admin = make_user("sysmgr", "System Manager", departments["centre"])
    app = make_application(next(m for m in matters if m.name == "食品经营许可（新办）"), user=clerk)
    with translation.override("zh-hans"):
        yield {"clerk": clerk, "admin": admin, "app": app}


def _add(admin, fieldtype: str, options: str = "", **extra) -> CustomField:
    cf = CustomField(
        doctype="Application",
        fieldname=f"x_{fieldtype.lower()}",
        label_zh=f"测试{fieldtype}",
        fieldtype=fieldtype,
        options=options,
        **extra,
    )
    return services.custom_field_insert(cf=cf, user=admin)


def _api(user) -> Client:
    credential, secret = credential_generate(user=user)
    return Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")


@pytest.mark.parametrize(("fieldtype", "options", "good", "read", "bad"), CASES, ids=[c[0] for c in CASES])
def test_each_type_round_trips_and_refuses_bad_values(world, fieldtype, options, good, read, bad) -> None:
    cf = _add(world["admin"], fieldtype, options)
    app, client = world["app"], _api(world["clerk"])
    url = f"/api/resource/Application/{app.number}"

    for value, message in bad:
        response = client.put(
            url, data=json.dumps({cf.fieldname: value, "remarks": "不应保存"}), content_type="application/json"
        )
        assert response.status_code == 417, (value, response.content.decode()[:300])
        assert f"测试{fieldtype}" in response.json()["exception"]
        if message:
            assert message in response.json()["exception"], response.json()["exception"]
        stored = Application.objects.get(pk=app.pk)
        assert (stored.custom, stored.remarks) == ({}, "")  # nothing saved

    response = client.put(url, data=json.dumps({cf.fieldname: good}), content_type="application/json")
    assert response.status_code == 200, response.content.decode()[:300]
    assert response.json()["data"][cf.fieldname] == read
    assert client.get(url).json()["data"][cf.fieldname] == read
    listed = client.get(
        "/api/resource/Application",
        {"fields": json.dumps(["name", cf.fieldname]), "filters": json.dumps([[cf.fieldname, "=", good]])},
    )
    assert listed.json()["data"] == [{"name": app.number, cf.fieldname: read}]
    version = Version.objects.filter(doctype="Application", doc_id=str(app.pk)).latest("at")
    assert version.changed[0][:3] == [cf.fieldname, f"测试{fieldtype}", None]
    assert document_context(Application.objects.get(pk=app.pk), world["clerk"])["doc"][cf.fieldname] is not None


def test_required_select_in_the_desk_form_refuses_missing_and_unknown_values(world, django_user_model) -> None:
    cf = _add(world["admin"], "Select", "食品\n药品", required=True, insert_after="phone")
    app = world["app"]
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    desk = Client()
    desk.login(username="root", password=PASSWORD)
    url = f"/desk/gov_services/application/{app.pk}/change/"
    page = desk.get(url).content.decode()
    assert page.index('name="phone"') < page.index(f'name="{cf.fieldname}"') < page.index('name="address"')
    form = _form_data(page)
    form[cf.fieldname] = "化妆品"
    refused = desk.post(url, form)
    assert refused.status_code == 200 and "化妆品 不在可用的选项中" in refused.content.decode()
    form[cf.fieldname] = ""
    assert "这个字段是必填项" in desk.post(url, form).content.decode()
    assert Application.objects.get(pk=app.pk).custom == {}
    form[cf.fieldname] = "药品"
    assert desk.post(url, form).status_code == 302
    assert Application.objects.get(pk=app.pk).custom == {cf.fieldname: "药品"}


def _form_data(html: str) -> dict:
    """The change form's fields as a browser would send them (inputs, selects, textareas)."""
    import re
    from html import unescape

    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="file"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        default = "on" if 'type="checkbox"' in tag else ""  # a checked box without a value sends "on"
        data[name.group(1)] = unescape(value.group(1)) if value else default
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = unescape(body.strip("\n"))
    data.pop("_saveasnew", None)
    return data


def test_a_key_never_changes_and_bad_definitions_are_refused(world) -> None:
    cf = _add(world["admin"], "Data")
    cf.fieldname = "renamed"
    with pytest.raises(ValidationError) as refused:
        cf.full_clean()
    assert "fieldname" in refused.value.error_dict
    for bad, field in [
        ({"fieldname": "phone", "fieldtype": "Data"}, "fieldname"),
        ({"fieldname": "y", "fieldtype": "Select", "options": ""}, "options"),
        ({"fieldname": "y", "fieldtype": "Link", "options": "Nothing"}, "options"),
        ({"fieldname": "y", "fieldtype": "Text", "in_standard_filter": True}, "in_standard_filter"),
        ({"fieldname": "y", "fieldtype": "Int", "default": "many"}, "default"),
        ({"fieldname": "y", "fieldtype": "Data", "depends_on": "doc.x ==="}, "depends_on"),
        ({"fieldname": "y", "fieldtype": "Data", "required": True, "hidden": True}, "hidden"),
    ]:
        with pytest.raises(ValidationError) as refused:
            CustomField(doctype="Application", label_zh="坏", **bad).full_clean()
        assert field in refused.value.error_dict, bad
    assert CustomField.objects.count() == 1


def test_archive_keeps_values_until_purged(world) -> None:
    cf = _add(world["admin"], "Data")
    app = world["app"]
    values.put(app, cf, "保留")
    app.save(update_fields=["custom"])
    services.custom_field_archive(cf=cf, user=world["admin"])
    assert "x_data" not in _api(world["clerk"]).get(f"/api/resource/Application/{app.number}").json()["data"]
    assert Application.objects.get(pk=app.pk).custom == {"x_data": "保留"}
    services.custom_field_restore(cf=cf, user=world["admin"])
    assert _api(world["clerk"]).get(f"/api/resource/Application/{app.number}").json()["data"]["x_data"] == "保留"
    services.custom_field_archive(cf=cf, user=world["admin"])
    assert services.custom_field_purge(cf=CustomField.objects.get(pk=cf.pk)) == 1
    assert Application.objects.get(pk=app.pk).custom == {}
    assert not CustomField.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_standard_filter_field_gets_an_indexed_column() -> None:
    departments, matters = catalogue()
    admin = make_user("sysmgr", "System Manager", departments["centre"])
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    cf = services.custom_field_insert(
        cf=CustomField(
            doctype="Application",
            fieldname="licence_valid_until",
            label_zh="营业执照有效期",
            fieldtype="Date",
            in_standard_filter=True,
        ),
        user=admin,
    )
    assert index.has_column(Application, "cf_licence_valid_until")
    apps = [make_application(matters[0], user=clerk) for _ in range(3)]
    for app, day in zip(apps, ["2027-01-31", "2027-06-30", "2028-01-01"], strict=True):
        values.put(app, cf, date.fromisoformat(day))
        app.save(update_fields=["custom"])
    found = index.filter_queryset(Application.objects.all(), cf, "lte", "2027-06-30")
    assert sorted(found.values_list("pk", flat=True)) == sorted(a.pk for a in apps[:2])
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(f"SHOW INDEX FROM {Application._meta.db_table} WHERE Column_name = 'cf_licence_valid_until'")
        else:
            cursor.execute(f"PRAGMA index_list({Application._meta.db_table})")
        assert any("cf_licence_valid_until" in str(row) for row in cursor.fetchall())
    cf.in_standard_filter = False
    services.custom_field_update(cf=cf, fields=["in_standard_filter"], user=admin)
    assert not index.has_column(Application, "cf_licence_valid_until")
