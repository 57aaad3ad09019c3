"""Demo transactions: applications over every state, with their licences, handovers, work orders and
evaluations. Made once per site (see gov_services.demo.load_demo)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gov_services.gov_services.codes import Channel, IdType
from gov_services.gov_services.doctype.application.services import application_create
from gov_services.gov_services.doctype.evaluation.services import evaluation_create
from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.gov_services.identifiers import resident_id_check_char, uscc_check_char
from gov_services.models import Application, ApplicationMaterial, Evaluation, Handover, Matter, WorkOrder
from lowcode.core.controller import workflow_write
from lowcode.core.documents import save_doc
from lowcode.deadlines.services import replay
from lowcode.deadlines.sweep import sweep


def historical_states():
    """The demo's back-dated records are put into their states with the dates those states imply, as the
    workflow would have written them at the time. Known gap (issue 14): they should take the transitions
    and then have only their dates moved back, so that they also get their timelines."""
    return workflow_write()


S = Application.Status
# Every state, in the order an application moves through them (plus the side exits).
STATES = [
    S.SUBMITTED,
    S.PRE_REVIEW,
    S.ONE_TIME_NOTICE,
    S.NOT_ACCEPTED,
    S.ACCEPTED,
    S.SUPPLEMENT_REQUESTED,
    S.UNDER_REVIEW,
    S.JOINT_REVIEW,
    S.SPECIAL_PROCEDURE,
    S.APPROVED,
    S.DENIED,
    S.LICENCE_ISSUED,
    S.RESULT_HANDED_OVER,
    S.DELIVERED,
    S.ARCHIVED,
    S.WITHDRAWN,
]
ACCEPTED_OR_LATER = {
    S.ACCEPTED,
    S.SUPPLEMENT_REQUESTED,
    S.UNDER_REVIEW,
    S.JOINT_REVIEW,
    S.SPECIAL_PROCEDURE,
    S.APPROVED,
    S.DENIED,
    S.LICENCE_ISSUED,
    S.RESULT_HANDED_OVER,
    S.DELIVERED,
    S.ARCHIVED,
}
DECIDED = {S.APPROVED, S.DENIED, S.LICENCE_ISSUED, S.RESULT_HANDED_OVER, S.DELIVERED, S.ARCHIVED}
WITH_LICENCE = {S.LICENCE_ISSUED, S.RESULT_HANDED_OVER, S.DELIVERED, S.ARCHIVED}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]
SHOPS = [
    "京口区老街面馆",
    "润州区鲜果铺",
    "丹徒区百味餐馆",
    "镇江新区便利店",
    "句容市惠民药房",
    "扬中市江鲜酒楼",
    "金山湖茶社",
    "西津渡小吃店",
    "南山路烘焙坊",
    "大市口快餐店",
]


def _person(rng: random.Random, n: int) -> tuple[str, str]:
    born = datetime(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))  # noqa: DTZ001
    first17 = f"321102{born:%Y%m%d}{n % 1000:03d}"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return name, first17 + resident_id_check_char(first17)


def _company_code(rng: random.Random, n: int) -> str:
    first17 = f"92321100MA{n:02d}{rng.randrange(10**5):05d}"
    return first17 + uscc_check_char(first17)


def _at(days_ago: float, hour: int = 10) -> datetime:
    moment = timezone.localtime() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


def make(*, matters: list[Matter], departments: dict[str, Any], users: dict[str, Any], rng: random.Random) -> dict:
    clerk, citizen = users["clerk"], users["zhangsan"]
    applications = []
    for i in range(48):
        matter = matters[i % len(matters)]
        state = STATES[i % len(STATES)]
        company = ("2" in matter.service_objects and "1" not in matter.service_objects) or i % 5 == 0
        submitted = _at(40 - (i % 38) * 0.9, 9 + i % 8)
        if state == S.ACCEPTED:  # accepted just now: the 3 working days for asking supplements still run
            submitted = timezone.now() - timedelta(hours=4)
        if company:
            applicant, id_type, id_number = SHOPS[i % len(SHOPS)], IdType.USCC, _company_code(rng, i)
            contact, kind = _person(rng, i)[0], Application.ApplicantType.COMPANY
        else:
            applicant, id_number = _person(rng, i)
            id_type, contact, kind = IdType.RESIDENT_ID, "", Application.ApplicantType.PERSON
        channel = [Channel.ONLINE, Channel.WINDOW, Channel.WINDOW, Channel.MAIL][i % 4]
        app = application_create(
            matter=matter,
            applicant_type=kind,
            applicant_name=applicant,
            id_type=id_type,
            id_number=id_number,
            phone=f"139{rng.randrange(10**8):08d}",
            contact_name=contact,
            address="江苏省镇江市京口区",
            channel=channel,
            submitted_at=submitted,
            user=clerk,
            applicant_user=citizen if i % 12 == 0 and not company else None,
        )
        _advance(app, state, submitted, rng, users)
        applications.append(app)

    handovers = _handovers(applications, departments, users)
    orders = _work_orders(matters, departments, users, rng)
    evaluations = _evaluations(applications, orders, users, rng)
    _clocks()
    return {
        "applications": len(applications),
        "handovers": handovers,
        "work_orders": len(orders),
        "evaluations": evaluations,
    }


def _advance(app: Application, state: str, submitted: datetime, rng: random.Random, users: dict[str, Any]) -> None:
    """Put a demo application into `state`, with the dates and records that state implies."""
    fields = ["status"]
    app.status = state
    materials = list(app.materials.all())
    for m in materials:
        m.status = ApplicationMaterial.Status.SUBMITTED
    if state == S.ONE_TIME_NOTICE and materials:
        materials[-1].status = ApplicationMaterial.Status.MISSING
        materials[-1].note = "未提交，请按办事指南要求补齐"
    if state in ACCEPTED_OR_LATER:
        app.accepted_at = submitted + timedelta(hours=3)
        fields.append("accepted_at")
        for m in materials:
            m.status = ApplicationMaterial.Status.ACCEPTED
    if state == S.NOT_ACCEPTED:
        app.decision_reason = "申请事项不属于本机关职权范围，依法不予受理，请向有权机关申请。"
        fields.append("decision_reason")
    if state in DECIDED:
        app.decided_at = submitted + timedelta(days=min(app.matter.promised_limit, 6))
        app.decision_reason = (
            "经审查，申请材料齐全、符合法定形式，符合法定条件。"
            if state != S.DENIED
            else (
                "经现场核查，经营场所与申请材料不符，不符合法定条件，依法不予许可。申请人如不服，可依法申请行政复议或提起行政诉讼。"
            )
        )
        fields += ["decided_at", "decision_reason"]
    if state in WITH_LICENCE and app.matter.issues_licence:
        licence_issue(
            licence_type=app.matter.licence_type,
            issuer=app.department,
            holder_name=app.applicant_name,
            holder_id_type=app.id_type,
            holder_id_number=app.id_number,
            issued_on=timezone.localdate(app.decided_at),
            application=app,
            user=users["reviewer.market"],
        )
    if state in {S.DELIVERED, S.ARCHIVED}:
        app.delivery_method = [Application.Delivery.PICKUP, Application.Delivery.EMS, Application.Delivery.LOCKER][
            rng.randrange(3)
        ]
        if app.delivery_method == Application.Delivery.EMS:
            app.waybill_no = f"1{rng.randrange(10**12):012d}"
        elif app.delivery_method == Application.Delivery.LOCKER:
            app.locker_code = f"{rng.randrange(10**6):06d}"
        app.completed_at = app.decided_at + timedelta(days=1)
        fields += ["delivery_method", "waybill_no", "locker_code", "completed_at"]
    if state == S.ARCHIVED:
        app.archived_at = app.completed_at + timedelta(hours=20)
        fields.append("archived_at")
    ApplicationMaterial.objects.bulk_update(materials, ["status", "note"])
    with historical_states():
        save_doc(app, update_fields=fields)


def _handovers(applications: list[Application], departments: dict[str, Any], users: dict[str, Any]) -> int:
    count = 0
    by_department: dict[int, list[Application]] = {}
    for app in applications:
        if app.status in ACCEPTED_OR_LATER:
            by_department.setdefault(app.department_id, []).append(app)
    for department in departments.values():
        apps = by_department.get(department.pk, [])
        if not apps:
            continue
        materials = handover_create(
            kind=Handover.Kind.MATERIALS, department=department, applications=apps, user=users["clerk"]
        )
        materials.status, materials.sent_at = Handover.Status.SIGNED, apps[0].accepted_at + timedelta(hours=2)
        materials.signed_at, materials.signed_by = materials.sent_at + timedelta(hours=1), users["reviewer.market"]
        with historical_states():
            save_doc(materials, update_fields=["status", "sent_at", "signed_at", "signed_by"])
        count += 1
        results = [a for a in apps if a.status in WITH_LICENCE]
        if results:
            handover = handover_create(
                kind=Handover.Kind.RESULTS, department=department, applications=results, user=users["reviewer.market"]
            )
            handover.status, handover.sent_at = Handover.Status.SENT, timezone.now() - timedelta(hours=5)
            with historical_states():
                save_doc(handover, update_fields=["status", "sent_at"])
            count += 1
    return count


def _work_orders(matters: list[Matter], departments: dict[str, Any], users: dict[str, Any], rng: random.Random) -> list:
    W = WorkOrder.Status
    plans = [
        (WorkOrder.Type.CONSULTATION, "食品经营许可需要准备哪些材料？", W.NEW),
        (WorkOrder.Type.CONSULTATION, "社会保障卡丢失后如何补办？", W.TRANSFERRED),
        (WorkOrder.Type.COMPLAINT, "窗口工作人员态度生硬，要求跑了两次", W.ACCEPTED),
        (WorkOrder.Type.SUGGESTION, "建议延长午间办理时间", W.REPLIED),
        (WorkOrder.Type.HELP, "老年人网上申请高龄津贴操作困难", W.CLOSED),
        (WorkOrder.Type.COMPLAINT, "建设工程规划许可超过承诺时限未办结", W.REOPENED),
        (WorkOrder.Type.REPORT, "反映某餐馆无证经营", W.RETURNED),
        (WorkOrder.Type.CONSULTATION, "个体工商户注销需要多长时间？", W.CLOSED),
        (WorkOrder.Type.CONSULTATION, "公共场所卫生许可证到期如何延续？", W.REPLIED),
        (WorkOrder.Type.SUGGESTION, "希望增加自助打印营业执照设备", W.NEW),
        (WorkOrder.Type.COMPLAINT, "失业保险金到账时间过长", W.TRANSFERRED),
        (WorkOrder.Type.HELP, "残疾人生活补贴申请材料不会填写", W.ACCEPTED),
    ]
    sources = list(WorkOrder.Source)
    orders = []
    for i, (kind, subject, state) in enumerate(plans):
        matter = matters[(i * 7) % len(matters)]
        received = timezone.now() - timedelta(days=12 - i, hours=i)
        name, _id = _person(rng, 500 + i)
        order = work_order_create(
            user=users["hotline"],
            order_type=kind,
            source=sources[i % len(sources)],
            subject=subject,
            content=f"{subject}。来电人希望尽快得到答复。",
            applicant_name=name,
            phone=f"138{rng.randrange(10**8):08d}",
            matter=matter,
            received_at=received,
        )
        fields = ["status"]
        order.status = state
        if state != W.NEW:
            order.department = matter.department
            order.transferred_at = received + timedelta(hours=2)
            fields += ["department", "transferred_at"]
        if state in {W.ACCEPTED, W.REPLIED, W.CLOSED, W.REOPENED}:
            order.accepted_at = order.transferred_at + timedelta(hours=1)
            fields.append("accepted_at")
        if state == W.RETURNED:
            order.return_reason = "该事项不属于本单位职责。"
            order.return_basis = "《镇江市市场监督管理局职能配置、内设机构和人员编制规定》"
            fields += ["return_reason", "return_basis"]
        if state in {W.REPLIED, W.CLOSED, W.REOPENED}:
            order.reply = "已核实情况并答复来电人，相关问题已整改。"
            order.replied_at = order.accepted_at + timedelta(days=1)
            fields += ["reply", "replied_at"]
        if state in {W.CLOSED, W.REOPENED}:
            order.revisited_at = order.replied_at + timedelta(days=1)
            order.satisfaction = "satisfied" if state == W.CLOSED else "unsatisfied"
            order.revisit_note = "回访来电人，表示满意。" if state == W.CLOSED else "回访来电人，表示仍未解决。"
            fields += ["revisited_at", "satisfaction", "revisit_note"]
        if state == W.CLOSED:
            order.closed_at = order.revisited_at
            fields.append("closed_at")
        with historical_states():
            save_doc(order, update_fields=fields)
        orders.append(order)
    return orders


def _evaluations(applications: list[Application], orders: list, users: dict[str, Any], rng: random.Random) -> int:
    E = Evaluation
    done = [a for a in applications if a.status in {S.DELIVERED, S.ARCHIVED, S.DENIED, S.NOT_ACCEPTED}]
    plans = [
        (E.Level.VERY_SATISFIED, "", E.Status.RECORDED),
        (E.Level.SATISFIED, "", E.Status.RECORDED),
        (E.Level.BASICALLY_SATISFIED, "", E.Status.RECORDED),
        (E.Level.DISSATISFIED, "办理时间比承诺的长，中间没有人告知进度。", E.Status.POOR),
        (E.Level.VERY_DISSATISFIED, "窗口一次性告知不完整，多跑了一趟。", E.Status.RECTIFYING),
        (E.Level.DISSATISFIED, "网上申请系统多次提交失败。", E.Status.RECTIFIED),
        (E.Level.VERY_SATISFIED, "", E.Status.RECORDED),
    ]
    count = 0
    for i, (level, reason, state) in enumerate(plans):
        target = (
            {"application": done[i % len(done)]} if i < 5 or not orders else {"work_order": orders[i % len(orders)]}
        )
        evaluation = evaluation_create(
            user=None,
            level=level,
            channel=list(E.Channel)[i % len(E.Channel)],
            text="服务很好，一次办成。" if level >= 4 else "",
            reason=reason,
            evaluator_name="张三",
            evaluated_at=timezone.now() - timedelta(days=6 - i),
            **target,
        )
        if state in {E.Status.RECTIFYING, E.Status.RECTIFIED}:
            evaluation.status = state
            evaluation.callback_at = evaluation.evaluated_at + timedelta(hours=6)
            evaluation.callback_note = "已电话回访申请人，致歉并说明整改措施。"
            fields = ["status", "callback_at", "callback_note"]
            if state == E.Status.RECTIFIED:
                evaluation.rectification = "已修复网上申请提交故障，并对窗口人员开展一次性告知培训。"
                evaluation.rectified_at = evaluation.callback_at + timedelta(days=3)
                fields += ["rectification", "rectified_at"]
            with historical_states():
                save_doc(evaluation, update_fields=fields)
        count += 1
    return count


# The demo records were put into their states directly, not through the workflow: start their clocks as if
# they had, from the instant each reached its state (state → (that instant's field, the way it came)).
CLOCKS: dict[type, dict[str, tuple[str, list[str]]]] = {
    Application: {
        S.SUBMITTED: ("submitted_at", ["submitted"]),
        S.PRE_REVIEW: ("submitted_at", ["submitted", "start_pre_review"]),
        S.ACCEPTED: ("accepted_at", ["accept"]),
        S.SUPPLEMENT_REQUESTED: ("accepted_at", ["accept"]),
        S.UNDER_REVIEW: ("accepted_at", ["accept"]),
        S.JOINT_REVIEW: ("accepted_at", ["accept", "under_review"]),
        S.SPECIAL_PROCEDURE: ("accepted_at", ["accept", "under_review"]),
        S.APPROVED: ("decided_at", ["approved"]),
        S.DENIED: ("decided_at", ["denied"]),
        S.DELIVERED: ("completed_at", ["delivered"]),
    },
    Handover: {"created": ("created_at", ["created"]), "sent": ("created_at", ["created"])},
    WorkOrder: {
        "new": ("received_at", ["new"]),
        "transferred": ("transferred_at", ["transferred"]),
        "accepted": ("transferred_at", ["transferred"]),
        "replied": ("replied_at", ["replied"]),
        "reopened": ("revisited_at", ["reopened"]),
    },
    Evaluation: {
        "poor": ("evaluated_at", ["poor"]),
        "called_back": ("evaluated_at", ["poor", "called_back"]),
        "rectifying": ("evaluated_at", ["poor", "called_back"]),
        "appealed": ("evaluated_at", ["poor"]),
    },
}


def _clocks() -> None:
    for model, by_state in CLOCKS.items():
        for doc in model.objects.all():
            field, path = by_state.get(doc.status, ("", []))
            since = getattr(doc, field, None) if field else None
            if since is not None:
                replay(doc, since=since, path=path)
            else:
                replay(doc, since=timezone.now(), path=[])  # no clock runs in this state
    sweep()  # lights (and supervision notices) for what is already due
