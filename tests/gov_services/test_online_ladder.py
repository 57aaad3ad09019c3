"""The online-level ladder as data (issue 17; S000 arts. 9, 12): the portal's apply gate, the conditions of the
sign-for and opinion clocks and the level-change approval read the site's ladder — shipped as S000 describes it
(levels 1 and 2 submitted online, signed for in 4 working hours, answered in 1 working day; moving them up needs
approval) — and an administrator's change of the ladder changes all three, with no code."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from gov_services.gov_services.doctype.application.services import application_create
from gov_services.gov_services.doctype.matter.services import (
    online_level_change_decide,
    online_level_change_request,
)
from gov_services.models import Application, Matter, OnlineLevelRule
from lowcode.api.models import credential_generate
from lowcode.core.documents import delete_doc, insert_doc, save_doc
from lowcode.deadlines.models import Deadline
from lowcode.workflow import engine
from tests.gov_services.factories import catalogue, make_user, receive_materials, resident_id
from tests.gov_services.portal_support import citizen, client_for, online_matter

SIGN_FOR = {"application_sign_for", "application_acceptance_opinion"}


@pytest.fixture()
def world(db):
    departments, matters = catalogue()
    users = {
        "supervisor": make_user("supervisor", "Supervisor", departments["centre"]),
        "manager": make_user("manager", "System Manager", departments["centre"]),
        "liaison": make_user("liaison", "Department Liaison", departments["market"]),
        "clerk": make_user("clerk", "Window Clerk", departments["centre"]),
    }
    with translation.override("zh-hans"):
        yield {"departments": departments, "matters": matters, "users": users}


def _at_level(matter: Matter, level: int) -> Matter:
    Matter.objects.filter(pk=matter.pk).update(online_level=level)  # the test's set-up, not a level change
    return Matter.objects.get(pk=matter.pk)


def _rung(level: int) -> OnlineLevelRule:
    return OnlineLevelRule.objects.get(level=level)


def _set(rung: OnlineLevelRule, **values) -> None:
    for name, value in values.items():
        setattr(rung, name, value)
    save_doc(rung, update_fields=list(values))


def _online(matter: Matter) -> Application:
    user = make_user(f"citizen-{matter.pk}-{Application.objects.count()}", "Applicant")
    return application_create(
        matter=matter,
        applicant_type=Application.ApplicantType.PERSON,
        applicant_name="李娜",
        id_type="resident_id",
        id_number=resident_id(),
        phone="13912345678",
        channel="online",
        user=user,
    )


def _clocks(app: Application) -> set[str]:
    return set(Deadline.objects.filter(doctype="Application", doc_id=app.pk).values_list("policy__name", flat=True))


def test_the_shipped_ladder_is_s000s(world) -> None:
    rungs = {r.level: r for r in OnlineLevelRule.objects.all()}
    assert sorted(rungs) == [1, 2, 3, 4]
    assert all(r.accepts_online for r in rungs.values())
    assert {level for level, r in rungs.items() if set(r.clocks) == SIGN_FOR} == {1, 2}
    assert {level for level, r in rungs.items() if r.raise_needs_approval} == {1, 2}
    assert "牵头部门" in rungs[1].approval_by and rungs[1].approver_role == "Supervisor"


def test_levels_1_and_2_are_applied_for_online_and_the_ladder_closes_a_level(
    world, django_capture_on_commit_callbacks
) -> None:
    account = citizen("32010219900307123", "王芳", "13800001111", clerk=world["users"]["clerk"])
    client = client_for(account)
    matter = _at_level(online_matter(), 1)  # was refused online: the gate was "level 3 and up"
    guide = f"/guides/{matter.implementation_code}/"
    apply_link = f'href="/apply/new?matter={matter.implementation_code}"'
    assert apply_link in Client().get(guide).content.decode()
    assert client.get(f"/apply/new?matter={matter.implementation_code}").status_code == 200

    # The administrator closes level 1 to online applications: the guide and the form follow, no code.
    with django_capture_on_commit_callbacks(execute=True):
        _set(_rung(1), accepts_online=False)
    assert apply_link not in Client().get(guide).content.decode()
    closed = client.get(f"/apply/new?matter={matter.implementation_code}")
    assert "暂不支持网上申请" in closed.content.decode()


def test_the_sign_for_clocks_start_at_the_levels_the_ladder_names(world) -> None:
    food = online_matter()
    assert _clocks(_online(_at_level(food, 2))) >= SIGN_FOR
    assert not _clocks(_online(_at_level(food, 3))) & SIGN_FOR
    # The ladder gives level 3 the sign-for clock (not the opinion's): its next online application runs it.
    _set(_rung(3), clocks=["application_sign_for"])
    assert _clocks(_online(food)) & SIGN_FOR == {"application_sign_for"}
    # A window application runs neither, whatever its level.
    window = application_create(
        matter=_at_level(food, 1),
        applicant_type=Application.ApplicantType.PERSON,
        applicant_name="李娜",
        id_type="resident_id",
        id_number=resident_id(),
        phone="13912345678",
        channel="window",
        user=world["users"]["supervisor"],
    )
    assert not _clocks(window) & SIGN_FOR


def test_which_moves_need_approval_and_whose_is_the_ladders(world) -> None:
    matter = _at_level(online_matter(), 3)
    liaison, supervisor, manager = (world["users"][k] for k in ("liaison", "supervisor", "manager"))
    matter.online_level = 4
    save_doc(matter, update_fields=["online_level"], user=liaison)  # shipped: level 3 moves freely
    matter = _at_level(matter, 3)

    _set(_rung(3), raise_needs_approval=True, approval_by="市审改办", approver_role="System Manager")
    matter.online_level = 4
    with pytest.raises(ValidationError, match="市审改办"):
        save_doc(matter, update_fields=["online_level"], user=liaison)
    credential, secret = credential_generate(user=liaison)
    api = Client(HTTP_AUTHORIZATION=f"token {credential.api_key}:{secret}")
    refused = api.put(
        f"/api/resource/Matter/{matter.implementation_code}",
        data=json.dumps({"online_level": 4}),
        content_type="application/json",
    )
    assert refused.status_code == 417 and "市审改办" in refused.content.decode()
    assert Matter.objects.get(pk=matter.pk).online_level == 3

    change = online_level_change_request(matter=matter, to_level=4, reason="全程网办条件成熟", user=liaison)
    with pytest.raises(PermissionDenied):  # the supervisor approves level 1/2 moves; this rung names another role
        online_level_change_decide(change=change, approve=True, user=supervisor, approval_document="镇审改〔2026〕9号")
    manager.user_permissions.add(*_approve_permission())
    online_level_change_decide(change=change, approve=True, user=manager, approval_document="镇审改〔2026〕9号")
    assert Matter.objects.get(pk=matter.pk).online_level == 4


def _approve_permission():
    return Permission.objects.filter(codename="approve_onlinelevelchange")


def test_a_matter_stays_on_the_ladder_and_a_rung_names_what_exists(world) -> None:
    rung = _rung(4)
    matter = _at_level(online_matter(), 3)
    with pytest.raises(ValidationError):  # matters are at level 3
        delete_doc(_rung(3))
    Matter.objects.filter(online_level=4).update(online_level=3)
    delete_doc(rung)
    matter.online_level = 4
    with pytest.raises(ValidationError) as refused:
        save_doc(matter, update_fields=["online_level"], user=world["users"]["manager"])
    assert "online_level" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        insert_doc(OnlineLevelRule(level=5, label_zh="五级", clocks=["application_no_such_clock"]))
    assert "clocks" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        insert_doc(OnlineLevelRule(level=5, label_zh="五级", approver_role="No Such Role"))
    assert "approver_role" in refused.value.message_dict


def test_the_department_charged_with_the_sign_for_clock_may_sign_for(world) -> None:
    """S000 art. 9(1): the member unit signs for a level 1/2 online application in 4 working hours and answers in
    writing in 1 working day — its clocks are the department's, and so are the actions that meet them (the window
    may still act for it)."""
    matter = _at_level(online_matter(), 2)
    app = _online(matter)
    clocks = Deadline.objects.filter(doctype="Application", doc_id=app.pk, policy__name__in=SIGN_FOR)
    assert set(clocks.values_list("department_key", flat=True)) == {str(matter.department_id)}
    reviewer = make_user("food-reviewer", "Department Reviewer", matter.department)
    app = engine.apply_transition(app, "start_pre_review", reviewer)  # 签收
    assert clocks.get(policy__name="application_sign_for").status == Deadline.Status.DONE
    assert clocks.get(policy__name="application_acceptance_opinion").status == Deadline.Status.RUNNING
    other = make_user("other-reviewer", "Department Reviewer", world["departments"]["planning"])
    with pytest.raises(engine.WorkflowError):
        engine.apply_transition(app, "accept", other)  # another department's reviewer is not charged with it
    receive_materials(app, user=reviewer)
    engine.apply_transition(Application.objects.get(pk=app.pk), "accept", reviewer)
    assert clocks.get(policy__name="application_acceptance_opinion").status == Deadline.Status.DONE
