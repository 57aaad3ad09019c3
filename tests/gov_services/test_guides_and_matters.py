"""Publishing rules of guides (S003 art. 8) and the online-level rule of matters (S000 art. 12)."""

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from gov_services.gov_services.doctype.guide.services import guide_new_version, guide_publish
from gov_services.gov_services.doctype.matter.admin import MatterForm
from gov_services.gov_services.doctype.matter.services import (
    online_level_change_decide,
    online_level_change_request,
)
from gov_services.models import Guide, GuideMaterial, Matter, OnlineLevelChange
from tests.gov_services.factories import catalogue, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture()
def data():
    return catalogue()


@pytest.fixture()
def matters(data):
    return data[1]


def _draft(matter: Matter) -> Guide:
    return guide_new_version(guide=matter.published_guide, user=None)


def test_vague_wording_and_missing_basis_are_refused_naming_the_rows(matters) -> None:
    matter = matters[0]
    draft = _draft(matter)
    rows = list(draft.materials.order_by("idx"))
    rows[1].name = "其他相关材料"
    rows[1].save()
    rows[3].legal_basis = ""
    rows[3].save()
    GuideMaterial.objects.create(guide=draft, idx=99, name="有关部门出具的证明等材料", legal_basis="某条例")

    with pytest.raises(ValidationError) as exc:
        guide_publish(guide=draft, user=None)

    assert exc.value.messages == [
        "申请材料第2行“其他相关材料”：含有模糊性兜底表述：“其他”、“相关材料”。",
        f"申请材料第4行“{rows[3].name}”：缺少设定依据。",
        "申请材料第7行“有关部门出具的证明等材料”：含有模糊性兜底表述：“有关”、“等材料”。",
    ]
    draft.refresh_from_db()
    matter.refresh_from_db()
    assert draft.status == Guide.Status.DRAFT
    assert matter.published_guide.version == 1


def test_publishing_a_new_version_archives_the_old_one(matters) -> None:
    matter = matters[3]
    first = matter.published_guide
    draft = _draft(matter)
    assert (draft.version, draft.status, draft.materials.count()) == (2, "draft", first.materials.count())

    guide_publish(guide=draft, user=None)

    first.refresh_from_db()
    matter.refresh_from_db()
    assert first.status == Guide.Status.ARCHIVED
    assert matter.published_guide_id == draft.pk
    with pytest.raises(ValidationError, match="只能发布草稿状态的办事指南"):
        guide_publish(guide=first, user=None)


def _form(matter: Matter, **changes) -> MatterForm:
    data = {
        f: getattr(matter, f)
        for f in (
            "name",
            "basic_code",
            "implementation_code",
            "handling_item_code",
            "matter_type",
            "exercise_level",
            "implementer_nature",
            "handling_type",
            "online_level",
            "theme_window",
            "legal_limit",
            "legal_limit_unit",
            "promised_limit",
            "promised_limit_unit",
            "joint_mode",
            "status",
        )
    }
    data.update(
        department=matter.department_id,
        service_objects=matter.service_objects,
        online_depth=matter.online_depth,
        issues_licence=matter.issues_licence,
        licence_type=matter.licence_type_id or "",
        co_departments=[d.pk for d in matter.co_departments.all()],
    )
    data.update(changes)
    request = RequestFactory().post("/desk/")
    request.user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("root-desk")
    form_class = django_admin.site._registry[Matter].get_form(request, matter, change=True, fields=list(data))
    return form_class(data=data, instance=matter)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [(1, 2, False), (2, 3, False), (1, 3, False), (3, 4, True), (3, 2, True), (2, 1, True)],
)
def test_raising_the_online_level_from_1_2_to_2_3_needs_approval(matters, start, target, allowed) -> None:
    matter = matters[5]
    Matter.objects.filter(pk=matter.pk).update(online_level=start)
    matter.refresh_from_db()

    form = _form(matter, online_level=target)

    assert form.is_valid() is allowed
    if not allowed:
        assert form.errors["online_level"] == [
            f"网上办理层级从{start}级调整为{target}级，须经行政审批制度改革牵头部门和政务服务管理机构审核同意"
            "（《“e办事”审批服务平台运行管理办法》第十二条）：请提交网上办理层级调整申请。"
        ]
        assert Matter.objects.get(pk=matter.pk).online_level == start


def test_an_approved_change_raises_the_level(data) -> None:
    departments, matters = data
    liaison = make_user("liaison", "Department Liaison", departments["market"])
    supervisor = make_user("supervisor", "Supervisor", departments["centre"])
    matter = matters[0]
    Matter.objects.filter(pk=matter.pk).update(online_level=2)
    matter.refresh_from_db()
    change = online_level_change_request(matter=matter, to_level=3, reason="网上申办量大，流程简单", user=liaison)

    with pytest.raises(PermissionDenied):
        online_level_change_decide(change=change, approve=True, user=liaison, approval_document="镇审改〔2026〕3号")
    with pytest.raises(ValidationError, match="请填写批准文号"):
        online_level_change_decide(change=change, approve=True, user=supervisor, approval_document="")
    assert Matter.objects.get(pk=matter.pk).online_level == 2

    online_level_change_decide(change=change, approve=True, user=supervisor, approval_document="镇审改〔2026〕3号")

    change.refresh_from_db()
    assert (change.status, change.decided_by, change.approval_document) == (
        OnlineLevelChange.Status.APPROVED,
        supervisor,
        "镇审改〔2026〕3号",
    )
    assert Matter.objects.get(pk=matter.pk).online_level == 3
    with pytest.raises(ValidationError, match="该调整申请已审核"):
        online_level_change_decide(change=change, approve=False, user=supervisor)
