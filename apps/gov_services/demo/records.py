"""Demo transactions: applications over every state, with their licences, handovers, work orders and
evaluations. Made once per site (see gov_services.demo.load_demo).

Every record reaches its state the way a real one does: it is created through its service and then takes the
workflow's transitions (lowcode.workflow.engine.apply_transition), one by one, as the demo user of the role
the transition asks for — so it has the timeline, the issued notices and the clocks those transitions make.
Where no demo user can take a step (a department with no demo reviewer or liaison, whose records are outside
the demo users' scope) the platform takes it (`as_system`), and the timeline shows no user for it.

The engine stamps every transition "now". The demo's story, though, happened over the last weeks: the
instant of each step is kept in a `History` while the records are made, and one explicit step at the end,
`History.backdate()`, moves the dates into that story — the records' timestamps, their timeline entries and
their clocks. It writes dates only, never a state.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from gov_services.gov_services.codes import Channel, IdType
from gov_services.gov_services.doctype.application.services import application_create
from gov_services.gov_services.doctype.evaluation.services import evaluation_create
from gov_services.gov_services.doctype.handover.services import handover_create
from gov_services.gov_services.doctype.licence.services import licence_issue
from gov_services.gov_services.doctype.work_order.services import work_order_create
from gov_services.gov_services.identifiers import resident_id_check_char, uscc_check_char
from gov_services.models import (
    Application,
    ApplicationMaterial,
    Evaluation,
    Handover,
    JointReviewOpinion,
    Matter,
    SpecialProcedure,
    WorkOrder,
)
from gov_services.permissions import user_department_id
from lowcode.core import registry
from lowcode.core.documents import insert_doc, jsonable, save_rows
from lowcode.core.permissions import user_roles
from lowcode.deadlines.models import Deadline
from lowcode.deadlines.services import follow
from lowcode.deadlines.sweep import sweep
from lowcode.workflow.engine import apply_transition, workflow_for
from lowcode.workflow.models import WorkflowAction

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
WITH_LICENCE = {S.LICENCE_ISSUED, S.RESULT_HANDED_OVER, S.DELIVERED, S.ARCHIVED}
# A state some matters cannot reach: the workflow's condition on the way there, as a test of the matter.
REACHABLE: dict[str, Callable[[Matter], bool]] = {
    S.JOINT_REVIEW: lambda m: bool(m.joint_mode),  # start_joint_review: doc.joint_mode != ''
    S.LICENCE_ISSUED: lambda m: bool(m.issues_licence),  # issue_licence: doc.has_licence
}

APPROVAL = "经审查，申请材料齐全、符合法定形式，符合法定条件。"
DENIAL = (
    "经现场核查，经营场所与申请材料不符，不符合法定条件，依法不予许可。申请人如不服，可依法申请行政复议或提起行政诉讼。"
)
REFUSAL = "申请事项不属于本机关职权范围，依法不予受理，请向有权机关申请。"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]
# A one-page PDF: the result document a unit uploads with its reply (S000 art. 8).
RESULT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

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


# -- the story and the one step that back-dates it -----------------------------------------------------------


@dataclass
class Story:
    doc: Any
    made_at: datetime
    steps: list[tuple[str, datetime]] = field(default_factory=list)  # (action, when it happened)


class History:
    """When each demo record was made and when each transition it took happened, in the demo's story."""

    def __init__(self) -> None:
        self._stories: dict[tuple[type, int], Story] = {}

    def __iter__(self) -> Iterator[Story]:
        return iter(self._stories.values())

    def made(self, doc: Any, at: datetime) -> Any:
        self._stories[(type(doc), doc.pk)] = Story(doc, at)
        return doc

    def take(
        self, doc: Any, action: str, user: Any, at: datetime, *, comment: str = "", values: dict | None = None
    ) -> Any:
        """Take `action` as `user` — None: the platform takes it (no demo user may) — and note it happened at
        `at`. Returns the document as the transition left it."""
        doc = apply_transition(doc, action, user, comment=comment, values=values, as_system=user is None)
        story = self._stories[(type(doc), doc.pk)]
        story.doc = doc
        story.steps.append((action, at))
        return doc

    def taken(self, doc: Any, action: str, at: datetime) -> Any:
        """Note that `action`, taken by a record's controller (e.g. recording a special procedure), happened at
        `at`."""
        story = self._stories[(type(doc), doc.pk)]
        story.doc = doc
        story.steps.append((action, at))
        return doc

    def at(self, doc: Any, action: str) -> datetime:
        return next(at for a, at in self._stories[(type(doc), doc.pk)].steps if a == action)

    def backdate(self) -> None:
        """Move the demo's dates into its story, after its transitions were taken "now": per record,

        - its timeline: each WorkflowAction's `at`, and the instants in its `changed` that the transition's
          set_field effects stamped ("now"/"today");
        - its own timestamps: the fields those effects set (accepted_at, decided_at, sent_at, replied_at …),
          `created_at` (the instant it was made) and `modified_at` (its last step);
        - its clocks: thrown away and started again by the deadline engine itself (`follow`, the function the
          engine's transition signal calls) at the instant it was made and at each of its steps, in order —
          so they start, pause, resume and stop exactly as they would have, had the steps happened then.

        Queryset writes of dates only (demo history, not a state change): no `status` is written here."""
        now = timezone.now()
        for story in self:
            instants = [story.made_at, *(at for _, at in story.steps)]
            if instants != sorted(instants) or instants[-1] >= now:
                raise RuntimeError(f"{story.doc}: the demo's story must run in order and before now: {instants}")
            model = type(story.doc)
            doctype = registry.for_model(model).name  # type: ignore[union-attr]
            workflow = workflow_for(model)
            if workflow is None:
                raise RuntimeError(f"{doctype} has no active workflow")
            transitions = {(t.from_state, t.action): t for t in workflow.transitions.all()}
            finals = {s.name for s in workflow.states.all() if s.is_final}
            rows = list(
                WorkflowAction.objects.filter(doctype=doctype, doc_id=str(story.doc.pk))
                .select_related("user")
                .order_by("pk")
            )
            if [r.action for r in rows] != [a for a, _ in story.steps]:
                raise RuntimeError(f"{doctype} {story.doc}: the timeline does not match the demo's story")
            dates: dict[str, Any] = {"created_at": story.made_at, "modified_at": story.made_at}
            for row, (_action, at) in zip(rows, story.steps, strict=True):
                for effect in transitions[(row.from_state, row.action)].effects:
                    if effect.get("type") == "set_field" and effect.get("value") in ("now", "today"):
                        value = at.astimezone(UTC) if effect["value"] == "now" else timezone.localdate(at)
                        dates[effect["field"]] = value
                        row.changed[effect["field"]] = jsonable(value)  # as the engine records it
                row.at = dates["modified_at"] = at
            WorkflowAction.objects.bulk_update(rows, ["at", "changed"])
            model._default_manager.filter(pk=story.doc.pk).update(**dates)

            doc = model._default_manager.get(pk=story.doc.pk)
            Deadline.objects.filter(doctype=doctype, doc_id=doc.pk).delete()
            made_in = rows[0].from_state if rows else getattr(doc, workflow.state_field)
            follow(doc, user=None, to_state=made_in, action="", is_final=False, now=story.made_at)
            for row in rows:
                follow(
                    doc,
                    user=row.user,
                    to_state=row.to_state,
                    action=row.action,
                    is_final=row.to_state in finals,
                    now=row.at,
                )


# -- who acts --------------------------------------------------------------------------------------------------


def _staff(users: dict[str, Any], role: str, department_id: int | None) -> Any | None:
    """The demo user of `role` in the department, or None when the demo has none (the platform acts)."""
    return next(
        (u for u in users.values() if role in user_roles(u) and user_department_id(u) == department_id),
        None,
    )


# -- applications ------------------------------------------------------------------------------------------------


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


def _matter_for(matters: list[Matter], i: int, state: str) -> Matter:
    """The i-th matter, or — when the workflow lets no application of it reach `state` — the first matter that
    can, of the same department if it has one."""
    matter = matters[i % len(matters)]
    reachable = REACHABLE.get(state)
    if reachable is None or reachable(matter):
        return matter
    candidates = [m for m in matters if reachable(m)]
    return next((m for m in candidates if m.department_id == matter.department_id), candidates[0])


def make(*, matters: list[Matter], departments: dict[str, Any], users: dict[str, Any], rng: random.Random) -> dict:
    clerk, citizen = users["clerk"], users["zhangsan"]
    history = History()
    applications = []
    for i in range(48):
        state = STATES[i % len(STATES)]
        matter = _matter_for(matters, i, state)
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
        # pre-review is for online applications only (start_pre_review: doc.channel == 'online')
        channel = (
            Channel.ONLINE
            if state == S.PRE_REVIEW
            else [Channel.ONLINE, Channel.WINDOW, Channel.WINDOW, Channel.MAIL][i % 4]
        )
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
        history.made(app, submitted)
        applications.append(_advance(app, state, submitted, rng, users, history))

    handovers = _handovers(applications, departments, users, history)
    orders = _work_orders(matters, users, rng, history)
    evaluations = _evaluations(applications, orders, users, history)
    history.backdate()
    sweep()  # lights (and supervision notices) for what is already due
    return {
        "applications": len(applications),
        "handovers": handovers,
        "work_orders": len(orders),
        "evaluations": evaluations,
    }


def _materials(app: Application, state: str, clerk: Any) -> list[ApplicationMaterial]:
    """The window's check of the submitted materials: all received (accepted with the application), or — for
    the one-time notice — the last one missing."""
    materials = list(app.materials.all())
    for m in materials:
        m.status = (
            ApplicationMaterial.Status.ACCEPTED if state in ACCEPTED_OR_LATER else ApplicationMaterial.Status.SUBMITTED
        )
    if state == S.ONE_TIME_NOTICE and materials:
        materials[-1].status = ApplicationMaterial.Status.MISSING
        materials[-1].note = "未提交，请按办事指南要求补齐"
    save_rows(app, ApplicationMaterial, changed=materials, table=materials, user=clerk)
    return materials


def _advance(
    app: Application, state: str, submitted: datetime, rng: random.Random, users: dict[str, Any], history: History
) -> Application:
    """Take `app` along the workflow to `state`, each step by the role it belongs to, at the story's instant."""
    clerk, issuer = users["clerk"], users["issuer"]
    reviewer = _staff(users, "Department Reviewer", app.department_id)
    materials = _materials(app, state, clerk)
    accepted = submitted + timedelta(hours=3)
    decided = submitted + timedelta(days=min(app.matter.promised_limit, 6))
    reviewing = accepted + (decided - accepted) / 4
    reported = app.matter.handling_type == "reported"  # decided by a higher authority, recorded here

    if state == S.SUBMITTED:
        return app
    if state == S.WITHDRAWN:
        return history.take(app, "withdraw", clerk, submitted + timedelta(days=1), comment="申请人书面申请撤回。")
    if app.channel == Channel.ONLINE:
        app = history.take(app, "start_pre_review", clerk, submitted + timedelta(minutes=30))
    if state == S.PRE_REVIEW:
        return app
    if state == S.ONE_TIME_NOTICE:
        missing = f"请补齐：{materials[-1].name}。" if materials else ""
        return history.take(
            app,
            "notify_incomplete",
            clerk,
            submitted + timedelta(hours=1),
            comment=missing or "申请材料不齐全，请补齐后重新提交。",
        )
    if state == S.NOT_ACCEPTED:
        return history.take(app, "reject", clerk, accepted, comment=REFUSAL, values={"decision_reason": REFUSAL})
    app = history.take(app, "accept", clerk, accepted)
    if state == S.ACCEPTED:
        return app
    if state == S.SUPPLEMENT_REQUESTED:
        return history.take(
            app,
            "request_supplement",
            reviewer,
            accepted + timedelta(hours=1),
            comment=f"申请材料需补正：{materials[0].name if materials else '申请表'}内容不完整，请补充后重新提交。",
        )
    app = history.take(app, "start_review", reviewer, reviewing)
    halfway = accepted + (decided - accepted) / 2
    if state == S.JOINT_REVIEW:  # the co-departments' opinions are asked for by the transition itself
        app = history.take(app, "start_joint_review", reviewer, halfway, comment="请协办部门会签。")
        for opinion in JointReviewOpinion.objects.filter(application=app):
            history.made(opinion, halfway)
            if opinion.status == JointReviewOpinion.Status.REVIEWING:
                history.taken(opinion, "open", halfway)
        return app
    if state == S.SPECIAL_PROCEDURE:  # recorded as a procedure, which takes the transition itself
        procedure = SpecialProcedure(
            application=app,
            kind=SpecialProcedure.Kind.EXPERT_REVIEW,
            reason="需现场核查并组织专家评审。",
            expected_days=10,
        )
        insert_doc(procedure, user=reviewer)
        return history.taken(Application.objects.get(pk=app.pk), "start_special_procedure", halfway)
    if state == S.UNDER_REVIEW:
        return app
    if state == S.DENIED:
        action = "record_higher_denial" if reported else "deny"
        return history.take(app, action, reviewer, decided, comment=DENIAL, values={"decision_reason": DENIAL})
    action = "record_higher_approval" if reported else "approve"
    app = history.take(app, action, reviewer, decided, values={"decision_reason": APPROVAL})
    if state == S.APPROVED:
        return app
    if app.matter.issues_licence:
        licence_issue(
            licence_type=app.matter.licence_type,
            issuer=app.department,
            holder_name=app.applicant_name,
            holder_id_type=app.id_type,
            holder_id_number=app.id_number,
            issued_on=timezone.localdate(decided),
            application=app,
            user=reviewer,
        )
        app = history.take(app, "issue_licence", reviewer, decided + timedelta(hours=2))
    if state == S.LICENCE_ISSUED:
        return app
    app = history.take(app, "hand_over_result", reviewer, decided + timedelta(hours=4))
    if state == S.RESULT_HANDED_OVER:
        return app
    delivery = {
        "delivery_method": [Application.Delivery.PICKUP, Application.Delivery.EMS, Application.Delivery.LOCKER][
            rng.randrange(3)
        ]
    }
    if delivery["delivery_method"] == Application.Delivery.EMS:
        delivery["waybill_no"] = f"1{rng.randrange(10**12):012d}"
    elif delivery["delivery_method"] == Application.Delivery.LOCKER:
        delivery["locker_code"] = f"{rng.randrange(10**6):06d}"
    completed = decided + timedelta(days=1)
    app = history.take(app, "deliver", issuer, completed, values=delivery)
    if state == S.DELIVERED:
        return app
    return history.take(app, "archive", issuer, completed + timedelta(hours=20))


# -- handovers, work orders, evaluations -------------------------------------------------------------------------


def _handovers(
    applications: list[Application], departments: dict[str, Any], users: dict[str, Any], history: History
) -> int:
    """Per department: the materials of its accepted applications, sent by the window after the last of them
    was accepted and signed for by the department; and the results of its applications that have one, sent
    to the centre a few hours ago."""
    count = 0
    by_department: dict[int, list[Application]] = {}
    for app in applications:
        if app.status in ACCEPTED_OR_LATER:
            by_department.setdefault(app.department_id, []).append(app)
    for department in departments.values():
        apps = by_department.get(department.pk, [])
        if not apps:
            continue
        reviewer = _staff(users, "Department Reviewer", department.pk)
        sent = max(history.at(a, "accept") for a in apps) + timedelta(minutes=20)
        materials = handover_create(
            kind=Handover.Kind.MATERIALS, department=department, applications=apps, user=users["clerk"]
        )
        history.made(materials, sent - timedelta(minutes=30))
        materials = history.take(materials, "send", users["clerk"], sent)
        history.take(materials, "sign", reviewer, sent + timedelta(minutes=20))
        count += 1
        results = [a for a in apps if a.status in WITH_LICENCE]
        if results:
            sent = timezone.now() - timedelta(hours=5)
            handover = handover_create(
                kind=Handover.Kind.RESULTS, department=department, applications=results, user=reviewer
            )
            history.made(handover, sent - timedelta(minutes=30))
            history.take(handover, "send", reviewer, sent)
            count += 1
    return count


def _work_orders(matters: list[Matter], users: dict[str, Any], rng: random.Random, history: History) -> list:
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
    hotline = users["hotline"]
    sources = list(WorkOrder.Source)
    orders = []
    for i, (kind, subject, state) in enumerate(plans):
        matter = matters[(i * 7) % len(matters)]
        received = timezone.now() - timedelta(days=12 - i, hours=i)
        name, _id = _person(rng, 500 + i)
        order = work_order_create(
            user=hotline,
            order_type=kind,
            source=sources[i % len(sources)],
            subject=subject,
            content=f"{subject}。来电人希望尽快得到答复。",
            applicant_name=name,
            phone=f"138{rng.randrange(10**8):08d}",
            matter=matter,
            received_at=received,
            hotline_ticket_no=f"12345{received:%Y%m%d}{i:04d}" if sources[i % len(sources)] == "12345" else None,
        )
        history.made(order, received)
        if state != W.NEW:
            liaison = _staff(users, "Department Liaison", matter.department_id)
            transferred = received + timedelta(hours=2)
            order = history.take(order, "transfer", hotline, transferred, values={"department": matter.department})
            if state == W.RETURNED:
                order = history.take(
                    order,
                    "return",
                    liaison,
                    transferred + timedelta(hours=1),
                    values={
                        "return_reason": "该事项不属于本单位职责。",
                        "return_basis": "《镇江市市场监督管理局职能配置、内设机构和人员编制规定》",
                    },
                )
            elif state != W.TRANSFERRED:
                accepted = transferred + timedelta(hours=1)
                order = history.take(order, "accept", liaison, accepted)
                if state != W.ACCEPTED:
                    replied = accepted + timedelta(days=1)
                    # S000 art. 8: the result document, or the written explanation of why it cannot be completed
                    if kind == WorkOrder.Type.COMPLAINT:
                        reply = {
                            "reply": "已核实情况并答复来电人。",
                            "outcome": WorkOrder.Outcome.CANNOT_COMPLETE,
                            "explanation": "来电人反映的问题涉及历史遗留情况，已书面说明并告知后续办理渠道。",
                        }
                    else:
                        reply = {
                            "reply": "已核实情况并答复来电人，相关问题已整改。",
                            "outcome": WorkOrder.Outcome.COMPLETED,
                            "result_file": ContentFile(RESULT_PDF, name="处理结果.pdf"),
                        }
                    order = history.take(order, "reply", liaison, replied, values=reply)
                    revisited = replied + timedelta(days=1)
                    if state == W.CLOSED:
                        note = {"revisit_note": "回访来电人，表示满意。"}
                        order = history.take(order, "revisit_satisfied", hotline, revisited, values=note)
                    elif state == W.REOPENED:
                        note = {"revisit_note": "回访来电人，表示仍未解决。"}
                        order = history.take(
                            order,
                            "revisit_unsatisfied",
                            hotline,
                            revisited,
                            comment="来电人表示问题仍未解决，重办。",
                            values=note,
                        )
        orders.append(order)
    return orders


def _evaluations(applications: list[Application], orders: list, users: dict[str, Any], history: History) -> int:
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
        evaluated = timezone.now() - timedelta(days=6 - i)
        evaluation = evaluation_create(
            user=None,
            level=level,
            channel=list(E.Channel)[i % len(E.Channel)],
            text="服务很好，一次办成。" if level >= 4 else "",
            reason=reason,
            evaluator_name="张三",
            evaluated_at=evaluated,
            **target,
        )  # a poor one starts as "poor" (the controller)
        history.made(evaluation, evaluated)
        if state in {E.Status.RECTIFYING, E.Status.RECTIFIED}:
            liaison = _staff(users, "Department Liaison", evaluation.department_id)
            called = evaluated + timedelta(hours=6)
            note = {"callback_note": "已电话回访申请人，致歉并说明整改措施。"}
            evaluation = history.take(evaluation, "call_back", users["hotline"], called, values=note)
            evaluation = history.take(evaluation, "start_rectifying", liaison, called + timedelta(hours=1))
            if state == E.Status.RECTIFIED:
                rectification = {"rectification": "已修复网上申请提交故障，并对窗口人员开展一次性告知培训。"}
                rectified = min(called + timedelta(days=3), timezone.now() - timedelta(hours=2))
                history.take(evaluation, "rectified", liaison, rectified, values=rectification)
        count += 1
    return count
