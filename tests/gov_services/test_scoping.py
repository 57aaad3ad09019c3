"""Department scoping: a reviewer of department A cannot reach department B's application by any path.
ID numbers are masked for roles that may not see them."""

import pytest
from django.test import Client
from django.urls import reverse

from gov_services.models import Application
from lowcode.core import permissions
from tests.gov_services.factories import PASSWORD, catalogue, make_application, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture()
def world():
    departments, matters = catalogue()
    market = next(m for m in matters if m.department == departments["market"])
    planning = next(m for m in matters if m.department == departments["planning"])
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    own = make_application(market, user=clerk, applicant_name="甲")
    other = make_application(planning, user=clerk, applicant_name="乙")
    reviewer = make_user("reviewer", "Department Reviewer", departments["market"])
    client = Client()
    client.login(username="reviewer", password=PASSWORD)
    return {
        "own": own,
        "other": other,
        "reviewer": reviewer,
        "client": client,
        "departments": departments,
        "clerk": clerk,
    }


def _snapshot(app: Application) -> tuple:
    app = Application.objects.get(pk=app.pk)
    return (app.applicant_name, app.phone, app.status, app.remarks, app.modified_at)


def test_the_list_shows_only_the_own_department(world) -> None:
    response = world["client"].get(reverse("admin:gov_services_application_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world["own"].number in body
    assert world["other"].number not in body
    assert permissions.scope(world["reviewer"], Application.objects.all()).count() == 1


def test_opening_another_departments_application_is_refused(world) -> None:
    client, other, own = world["client"], world["other"], world["own"]
    assert client.get(reverse("admin:gov_services_application_change", args=[own.pk])).status_code == 200

    response = client.get(reverse("admin:gov_services_application_change", args=[other.pk]))

    assert response.status_code == 302  # the admin's "does not exist" redirect: nothing about B leaks
    assert response.headers["Location"] == reverse("admin:index")


def test_editing_another_departments_application_changes_nothing(world) -> None:
    client, other = world["client"], world["other"]
    before = _snapshot(other)

    response = client.post(
        reverse("admin:gov_services_application_change", args=[other.pk]),
        {"applicant_name": "篡改", "phone": "13000000000", "remarks": "x"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("admin:index")
    assert _snapshot(other) == before


def test_exporting_another_departments_application_yields_nothing(world) -> None:
    client, other, own = world["client"], world["other"], world["own"]
    url = reverse("admin:gov_services_application_changelist")

    refused = client.post(url, {"action": "export_xlsx", "_selected_action": [other.pk]})
    allowed = client.post(url, {"action": "export_xlsx", "_selected_action": [own.pk]})

    assert refused.status_code == 302  # "Items must be selected …": no file
    assert "spreadsheetml" not in refused.headers.get("Content-Type", "")
    assert allowed.status_code == 200
    assert "spreadsheetml" in allowed.headers["Content-Type"]
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(allowed.content)).active.values)
    assert [r[0] for r in rows[1:]] == [own.number]


def test_printing_another_departments_application_is_not_found(world) -> None:
    client, other, own = world["client"], world["other"], world["own"]
    printed = client.get(reverse("desk_print", args=["gov_services", "application", own.pk]))
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    as_html = client.get(reverse("desk_print", args=["gov_services", "application", own.pk]), {"as": "html"})
    assert own.number in as_html.content.decode()

    assert client.get(reverse("desk_print", args=["gov_services", "application", other.pk])).status_code == 404


def test_co_department_of_a_joint_matter_sees_it(world) -> None:
    _, matters = catalogue()
    joint = next(m for m in matters if m.co_departments.filter(pk=world["departments"]["market"].pk).exists())
    app = make_application(joint, user=world["clerk"], applicant_name="丙")
    assert permissions.has_permission(world["reviewer"], app, "read")


def test_what_the_scope_remembers_of_a_user_is_forgotten_with_their_roles(world) -> None:
    reviewer = world["reviewer"]
    before = set(permissions.scope(reviewer, Application.objects.all()).values_list("pk", flat=True))
    _, matters = catalogue()
    joint = next(m for m in matters if m.co_departments.filter(pk=world["departments"]["market"].pk).exists())
    app = make_application(joint, user=world["clerk"], applicant_name="丁")
    remembered = set(permissions.scope(reviewer, Application.objects.all()).values_list("pk", flat=True))

    permissions.forget_user_roles(reviewer)
    after = set(permissions.scope(reviewer, Application.objects.all()).values_list("pk", flat=True))

    assert app.pk not in before and remembered == before  # the joint ones are read once for the request
    assert app.pk in after


def test_id_numbers_are_masked_for_roles_without_the_right(world) -> None:
    departments, own = world["departments"], world["own"]
    make_user("hotline", "Hotline Agent", departments["centre"])
    hotline = Client()
    hotline.login(username="hotline", password=PASSWORD)
    full, masked = own.id_number, own.id_number[:4] + "**********" + own.id_number[-4:]

    reviewer_list = world["client"].get(reverse("admin:gov_services_application_changelist")).content.decode()
    hotline_list = hotline.get(reverse("admin:gov_services_application_changelist")).content.decode()
    hotline_form = hotline.get(reverse("admin:gov_services_application_change", args=[own.pk])).content.decode()
    make_user("supervisor", "Supervisor", departments["centre"])
    supervisor = Client()
    supervisor.login(username="supervisor", password=PASSWORD)
    print_url = reverse("desk_print", args=["gov_services", "application", own.pk])
    supervisor_print = supervisor.get(print_url, {"as": "html"}).content.decode()  # what goes into the PDF

    assert full in reviewer_list
    assert masked in hotline_list and full not in hotline_list
    assert masked in hotline_form and full not in hotline_form
    assert hotline.get(print_url).status_code == 404  # the hotline has no print right on applications
    assert masked in supervisor_print and full not in supervisor_print
