import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from lowcode.core.fixtures import sync_fixtures

pytestmark = pytest.mark.django_db


def title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()


@pytest.fixture()
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("Administrator", password="a-long-password-1")
    client = Client()
    client.force_login(user)
    return client


def test_desk_home_is_chinese_whatever_the_browser_asks_for(admin_client: Client) -> None:
    response = admin_client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    body = response.content.decode()
    assert title(body) == "工作台首页 | 政务服务工作台"
    assert "用户与系统" in body


def test_english_is_one_choice_away(admin_client: Client) -> None:
    response = admin_client.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    assert response.status_code == 302

    body = admin_client.get("/desk/").content.decode()
    assert title(body) == "Desk home | Government Services Desk"
    assert "Users and system" in body


def test_desk_home_groups_doctypes_by_module(admin_client: Client) -> None:
    app_list = admin_client.get("/desk/").context["app_list"]

    core = next(m for m in app_list if m["module"] == "Core")
    assert core["name"] == "用户与系统"
    assert sorted(m["object_name"] for m in core["models"]) == [
        "BulkPrintJob",
        "CustomField",
        "DeadlinePolicy",
        "DeadlineRecompute",
        "LetterHead",
        "LoginEvent",
        "NotificationLog",
        "PrintFormat",
        "PrintedDocument",
        "Role",
        "ScheduledJobLog",
        "User",
        "WebForm",
        "Workflow",
        "WorkflowAction",
        "WorkingCalendar",
    ]
    supervision = next(m for m in app_list if m["module"] == "Supervision")
    assert supervision["name"] == "效能监察"
    assert sorted(m["object_name"] for m in supervision["models"]) == ["Deadline", "SupervisionNotice"]
    assert all(m["module"] != "auth" for m in app_list)


def test_desk_needs_a_staff_login() -> None:
    response = Client().get("/desk/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/desk/login/")


def test_roles_show_in_the_desk_in_chinese(admin_client: Client) -> None:
    sync_fixtures()
    body = admin_client.get("/desk/lowcode_core/role/").content.decode()
    for label in ("综合受理窗口", "部门审批人员", "出件窗口", "效能监察", "系统管理员"):
        assert label in body


def test_portal_home_login_and_logout() -> None:
    get_user_model().objects.create_user("zhangsan", password="a-long-password-1", first_name="三", last_name="张")
    client = Client()

    home = client.get("/")
    assert home.status_code == 200
    assert "网上政务服务" in home.content.decode()

    bad = client.post("/login/", {"username": "zhangsan", "password": "wrong"})
    assert bad.status_code == 200
    assert "请输入一个正确的用户名和密码" in bad.content.decode()

    good = client.post("/login/", {"username": "zhangsan", "password": "a-long-password-1"})
    assert good.status_code == 302
    assert "欢迎您" in client.get("/").content.decode()

    out = client.post("/logout/")
    assert out.status_code == 200
    assert "您已退出登录" in out.content.decode()
    assert "欢迎您" not in client.get("/").content.decode()
