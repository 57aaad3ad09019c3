"""Demo data (idempotent, every state) and the Excel round trip of the catalogue."""

from collections import Counter
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gov_services.demo import load_demo
from gov_services.gov_services.doctype.matter import excel
from gov_services.models import (
    Application,
    Department,
    Evaluation,
    Guide,
    GuideFee,
    GuideMaterial,
    Handover,
    JointReviewOpinion,
    Licence,
    LicenceType,
    Matter,
    SpecialProcedure,
    Staff,
    WorkOrder,
)
from lowcode.core.fixtures import sync_fixtures
from lowcode.deadlines.models import Deadline
from lowcode.workflow.models import WorkflowAction

pytestmark = pytest.mark.django_db


def test_demo_data_covers_the_domain_and_a_second_load_changes_nothing() -> None:
    sync_fixtures()
    first = load_demo()
    counts = {
        m.__name__: m.objects.count()
        for m in (Department, Matter, Guide, Application, Licence, Handover, WorkOrder, Evaluation)
    }

    second = load_demo()

    assert first == {
        "departments": 8,
        "matters": 30,
        "users": 9,
        "applications": 48,
        "handovers": 13,
        "work_orders": 12,
        "evaluations": 7,
    }
    assert second == {"departments": 8, "matters": 30, "users": 9}
    assert {
        m.__name__: m.objects.count()
        for m in (Department, Matter, Guide, Application, Licence, Handover, WorkOrder, Evaluation)
    } == counts
    assert set(Application.objects.values_list("status", flat=True)) == set(Application.Status.values)
    assert set(Matter.objects.values_list("handling_type", flat=True)) == {"immediate", "promised", "reported", "joint"}
    assert len(set(Matter.objects.values_list("matter_type", flat=True))) == 9
    assert Matter.objects.filter(status="published", published_guide__isnull=False).count() == 30
    assert set(WorkOrder.objects.values_list("status", flat=True)) == set(WorkOrder.Status.values)
    assert Evaluation.objects.filter(level__lte=2).exclude(reason="").count() == 3


def test_demo_records_took_their_transitions_and_their_timelines_read_as_history() -> None:
    sync_fixtures()
    started = timezone.now()
    load_demo()

    for app in Application.objects.exclude(status="submitted"):
        steps = list(WorkflowAction.objects.filter(doctype="Application", doc_id=str(app.pk)).order_by("pk"))
        assert steps and steps[-1].to_state == app.status, app.number
        instants = [app.submitted_at, *(s.at for s in steps)]
        assert instants == sorted(instants) and instants[-1] < started, app.number
        accepted = next((s for s in steps if s.action == "accept"), None)
        assert accepted is None or accepted.at == app.accepted_at
    # nothing of the story happens later than the load (the results handovers were sent a few hours ago)
    assert not WorkflowAction.objects.filter(at__gte=started).exists()
    assert not Deadline.objects.filter(started_at__gte=started).exists()
    assert not Handover.objects.filter(sent_at__gte=started).exists()


def _catalogue_snapshot() -> dict:
    def row(obj, exclude=("id", "created_at", "modified_at", "owner", "modified_by", "published_at")):
        return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in exclude}

    departments = {d.pk: d.uscc for d in Department.objects.all()}
    types = {t.pk: t.code for t in LicenceType.objects.all()}
    matters = {}
    for m in Matter.objects.prefetch_related("co_departments", "guides__materials", "guides__fees"):
        data = row(m, exclude=("id", "created_at", "modified_at", "owner", "modified_by", "published_guide"))
        data["department"] = departments[data["department"]]
        data["licence_type"] = types.get(data["licence_type"])
        data["co_departments"] = sorted(d.uscc for d in m.co_departments.all())
        data["guides"] = [
            {
                **{k: v for k, v in row(g).items() if k != "matter"},
                "materials": [
                    {
                        **{k: v for k, v in row(x).items() if k not in ("guide", "licence_type")},
                        "licence_type": types.get(x.licence_type_id),
                    }
                    for x in g.materials.order_by("idx")
                ],
                "fees": [{k: v for k, v in row(x).items() if k != "guide"} for x in g.fees.order_by("idx")],
            }
            for g in m.guides.order_by("version")
        ]
        data["published_version"] = m.published_guide.version
        matters[m.implementation_code] = data
    return matters


def test_export_import_into_an_empty_site_gives_the_same_catalogue(django_user_model) -> None:
    sync_fixtures()
    load_demo()
    before = _catalogue_snapshot()
    workbook = excel.export_workbook(Matter.objects.all())
    # An empty site: no departments, licence types, matters or guides.
    for model in (Evaluation, WorkOrder, Handover, Licence, SpecialProcedure, JointReviewOpinion, Application, Staff):
        model.objects.all().delete()
    Matter.objects.update(published_guide=None)
    for model in (GuideMaterial, GuideFee, Guide, Matter, LicenceType):
        model.objects.all().delete()
    Department.objects.update(parent=None)
    Department.objects.all().delete()

    counts = excel.import_workbook(workbook, user=None)

    assert counts == {"departments": 8, "licence_types": 10, "matters": 30, "guides": 30}
    assert _catalogue_snapshot() == before
    assert len(before) == 30
    assert excel.import_workbook(workbook, user=None) == {
        "departments": 0,
        "licence_types": 0,
        "matters": 0,
        "guides": 0,
    }


def _edit(workbook: bytes, sheet: str, row: int, header: str, value) -> bytes:
    wb = load_workbook(BytesIO(workbook))
    ws = wb[sheet]
    column = [c.value.rstrip("*") for c in ws[1]].index(header) + 1
    ws.cell(row, column).value = value
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_bad_rows_are_reported_and_nothing_is_imported() -> None:
    sync_fixtures()
    load_demo()
    workbook = excel.export_workbook(Matter.objects.all())
    matter_count, guide_names = Matter.objects.count(), Counter(Guide.objects.values_list("result_name", flat=True))
    workbook = _edit(workbook, "事项", 3, "事项类型", "99")
    workbook = _edit(workbook, "事项", 4, "承诺办结时限", "十天")
    workbook = _edit(workbook, "部门", 2, "统一社会信用代码", "91350100M000100Y44")
    workbook = _edit(workbook, "申请材料", 5, "材料名称", "其他材料")

    with pytest.raises(excel.ImportErrors) as exc:
        excel.import_workbook(workbook, user=None)

    assert exc.value.lines() == [
        "事项 第3行「事项类型」：“99”不是可选值（01 / 02 / 03 / 04 / 05 / 06 / 07 / 08 / 09 / 10 / 20）",
        "事项 第4行「承诺办结时限」：应为整数，而不是“十天”",
    ]
    assert Matter.objects.count() == matter_count
    assert Counter(Guide.objects.values_list("result_name", flat=True)) == guide_names


def test_a_non_workbook_is_refused() -> None:
    with pytest.raises(excel.ImportErrors) as exc:
        excel.import_workbook(b"MZ\x90\x00 not a workbook", user=None)
    assert exc.value.lines() == [" 第0行：文件不是有效的 Excel (.xlsx) 工作簿"]
