"""The citizens' portal over HTTP: real-name levels, applying with checked uploads, isolation between citizens,
the rate-limited public lookup, supplements, evaluation and work orders."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gov_services.gov_services.doctype.portal_account.services import portal_account_set_level
from gov_services.models import Application, ApplicationMaterial, Evaluation, PortalAccount, RealNameCheck, WorkOrder
from lowcode.printing.models import PrintedDocument
from lowcode.webforms.models import WebForm, WebFormField
from lowcode.workflow.engine import apply_transition
from tests.gov_services.factories import catalogue, make_user, resident_id
from tests.gov_services.portal_support import (
    EXE,
    PDF,
    PNG,
    apply_data,
    citizen,
    client_for,
    material_fields,
    online_matter,
)


@pytest.fixture()
def world(db):
    departments, _ = catalogue()
    clerk = make_user("clerk", "Window Clerk", departments["centre"])
    reviewer = make_user("reviewer", "Department Reviewer", departments["market"])
    return {"clerk": clerk, "reviewer": reviewer, "matter": online_matter()}


def _apply(client: Client, matter, **files: bytes):
    url = f"/apply/new?matter={matter.implementation_code}"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, apply_data(page.content.decode(), **files))


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_applying_needs_advanced_real_name_which_only_a_clerk_grants(world) -> None:
    account = citizen("11010519491231002", "李四", "13800000001", level=0)
    client = client_for(account)
    url = f"/apply/new?matter={world['matter'].implementation_code}"

    refused = client.get(url)
    assert refused.status_code == 403
    assert "高级实名" in _text(refused) and "未实名" in _text(refused)

    with pytest.raises(ValidationError):  # the citizen cannot raise their own level
        portal_account_set_level(account=account, level=2, method="自己说的", user=account.user)
    with pytest.raises(ValidationError):  # nor a clerk without saying how identity was checked
        portal_account_set_level(account=account, level=2, method=" ", user=world["clerk"])
    assert PortalAccount.objects.get(pk=account.pk).realname_level == 0
    assert not RealNameCheck.objects.exists()

    portal_account_set_level(account=account, level=2, method="窗口核验居民身份证原件", user=world["clerk"])
    check = RealNameCheck.objects.get()
    assert (check.account_id, check.from_level, check.to_level, check.checked_by_id) == (
        account.pk,
        0,
        2,
        world["clerk"].pk,
    )
    assert client.get(url).status_code == 200


def test_sign_up_refuses_a_bad_id_number_and_a_duplicate_and_keeps_nothing(db) -> None:
    catalogue()
    client = Client()
    data = {
        "account_type": "person",
        "name": "王五",
        "id_number": "110105194912310021",  # wrong check character
        "phone": "13800000002",
        "password": "Another-long-pass-9",
        "password2": "Another-long-pass-9",
    }
    bad = client.post("/signup/", data)
    assert bad.status_code == 400 and "校验码" in _text(bad)
    assert not PortalAccount.objects.exists()

    citizen("11010519491231002", "李四", "13800000001", level=0)
    data["id_number"] = "11010519491231002X"
    duplicate = client.post("/signup/", data)
    assert duplicate.status_code == 400 and "不能在此注册" in _text(duplicate)
    assert "已存在" not in _text(duplicate)  # the answer does not confirm that an account exists
    assert PortalAccount.objects.count() == 1

    data["id_number"] = resident_id("11010519800101001")
    made = client.post("/signup/", data)
    assert made.status_code == 302 and made["Location"] == "/my/"
    account = PortalAccount.objects.get(id_number=resident_id("11010519800101001"))
    assert (account.name, account.realname_level, account.id_type) == ("王五", 0, "resident_id")
    assert list(account.user.groups.values_list("name", flat=True)) == ["Applicant"]


def test_apply_with_uploads_gives_a_number_and_a_receipt(world) -> None:
    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    client = client_for(account)
    response = _apply(client, world["matter"])
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == f"/apply/{application.number}/receipt"
    assert (application.applicant_user_id, application.channel, application.id_number, application.phone) == (
        account.user_id,
        "online",
        account.id_number,
        "13812345678",
    )
    assert application.delivery_method == "pickup"
    rows = list(application.materials.order_by("id"))
    assert rows and all(r.status == ApplicationMaterial.Status.SUBMITTED and r.file for r in rows)
    assert rows[0].file.open("rb").read() == PDF

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert application.number in _text(receipt) and "申请已提交" in _text(receipt)
    track = client.get(f"/my/applications/{application.number}/")
    assert track.status_code == 200
    assert "已提交" in _text(track)
    assert re.search(r"网上申请预审：将于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 前完成", _text(track))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EXE, "不是 PDF / PNG / JPG 文件"),
        (b"just text, named .pdf", "不是 PDF / PNG / JPG 文件"),
        (None, "最多接受 10 MB"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(world, content, message) -> None:
    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    client = client_for(account)
    page = client.get(f"/apply/new?matter={world['matter'].implementation_code}").content.decode()
    first = material_fields(page)[0]
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = client.post(
        f"/apply/new?matter={world['matter'].implementation_code}",
        apply_data(page, **{first: big if content is None else content}),
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert not Application.objects.exists()
    assert not ApplicationMaterial.objects.exists()


def test_a_png_is_accepted_and_a_missing_required_material_is_named(world) -> None:
    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    client = client_for(account)
    url = f"/apply/new?matter={world['matter'].implementation_code}"
    page = client.get(url).content.decode()
    fields = material_fields(page)
    data = apply_data(page, **{fields[0]: PNG})
    del data[fields[1]]
    response = client.post(url, data)
    assert response.status_code == 400 and "这个字段是必填项" in _text(response)
    assert not Application.objects.exists()
    data = apply_data(page, **{fields[0]: PNG})
    assert client.post(url, data).status_code == 302
    assert Application.objects.get().materials.order_by("id").first().file.open("rb").read() == PNG


def test_a_citizen_never_reaches_another_citizens_application_file_or_notice(world) -> None:
    alice = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    bob = citizen("32010219900307777", "张伟", "13900000002", clerk=world["clerk"])
    assert _apply(client_for(alice), world["matter"]).status_code == 302
    application = Application.objects.get()
    apply_transition(application, "notify_incomplete", world["clerk"], comment="缺营业执照。")
    notice = PrintedDocument.objects.get(doctype="Application", doc_id=str(application.pk))
    file_url = application.materials.first().file.url

    own = client_for(alice)
    assert own.get(f"/my/applications/{application.number}/").status_code == 200
    assert own.get(file_url).status_code == 200
    assert own.get(f"/printed/{notice.pk}/").status_code == 200

    other = client_for(bob)
    for url in (
        f"/my/applications/{application.number}/",
        f"/apply/{application.number}/receipt",
        f"/apply/{application.number}",
        file_url,
        f"/printed/{notice.pk}/",
        f"/my/applications/{application.number}/licences/1.pdf",
    ):
        assert other.get(url).status_code == 404, url
    assert application.number not in other.get("/my/").content.decode()
    assert application.number not in other.get("/apply/").content.decode()
    guessed = application.number[:-1] + str((int(application.number[-1]) + 1) % 10)
    assert other.get(f"/my/applications/{guessed}/").status_code == 404
    # Posting a supplement or an evaluation to someone else's application changes nothing.
    other.post(f"/my/applications/{application.number}/", {"do": "evaluate", "level": 5})
    assert not Evaluation.objects.exists()
    assert Application.objects.get().status == "one_time_notice"
    assert Client().get(f"/my/applications/{application.number}/").status_code == 302  # to the login


def test_public_lookup_needs_the_right_phone_and_is_rate_limited(world) -> None:
    alice = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    assert _apply(client_for(alice), world["matter"]).status_code == 302
    number = Application.objects.get().number
    cache.delete("progress-lookup:10.20.30.40")
    cache.delete(f"progress-lookup:number:{number}")
    public = Client(REMOTE_ADDR="10.20.30.40")

    wrong = public.post("/progress/", {"number": number, "phone": "13800000009"})
    assert wrong.status_code == 404
    assert "李" not in _text(wrong) and "食品经营许可" not in _text(wrong)
    right = public.post("/progress/", {"number": number, "phone": "13812345678"})
    assert right.status_code == 200
    text = _text(right)
    assert "李*" in text and "李四" not in text and "已提交" in text and "食品经营许可（新办）" in text
    for _ in range(8):
        public.post("/progress/", {"number": number, "phone": "13800000009"})
    limited = public.post("/progress/", {"number": number, "phone": "13812345678"})
    assert limited.status_code == 429 and "查询过于频繁" in _text(limited)
    cache.delete("progress-lookup:10.20.30.41")
    assert (
        Client(REMOTE_ADDR="10.20.30.41").post("/progress/", {"number": number, "phone": "13812345678"}).status_code
        == 200
    )
    cache.delete("progress-lookup:10.20.30.40")
    cache.delete("progress-lookup:10.20.30.41")
    # one number looked up from many addresses is limited too (guessing its phone number from a botnet)
    for i in range(20):
        Client(REMOTE_ADDR=f"10.20.31.{i}").post("/progress/", {"number": number, "phone": "13800000009"})
    spread = Client(REMOTE_ADDR="10.20.32.1").post("/progress/", {"number": number, "phone": "13812345678"})
    assert spread.status_code == 429
    cache.delete(f"progress-lookup:number:{number}")
    for i in range(20):
        cache.delete(f"progress-lookup:10.20.31.{i}")
    cache.delete("progress-lookup:10.20.32.1")


def test_supplement_resumes_and_a_poor_evaluation_needs_its_reason(world) -> None:
    alice = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    client = client_for(alice)
    assert _apply(client, world["matter"]).status_code == 302
    application = Application.objects.get()
    row = application.materials.order_by("id").first()
    row.status, row.note = ApplicationMaterial.Status.DEFECTIVE, "复印件不清晰，请重新上传。"
    row.save(update_fields=["status", "note"])
    apply_transition(application, "notify_incomplete", world["clerk"], comment="营业执照复印件不清晰。")

    page = client.get(f"/my/applications/{application.number}/")
    assert "补正材料" in _text(page) and "复印件不清晰，请重新上传。" in _text(page)
    bad = client.post(
        f"/my/applications/{application.number}/",
        {"do": "supplement", f"row_{row.pk}": SimpleUploadedFile("x.pdf", EXE)},
    )
    assert bad.status_code == 400
    assert Application.objects.get().status == "one_time_notice"
    good = client.post(
        f"/my/applications/{application.number}/",
        {"do": "supplement", f"row_{row.pk}": SimpleUploadedFile("营业执照.pdf", PDF)},
    )
    assert good.status_code == 302
    application.refresh_from_db()
    row.refresh_from_db()
    assert (application.status, row.status) == ("submitted", "submitted")

    for action, user in [("accept", world["clerk"]), ("deem_accepted", world["clerk"])]:
        apply_transition(application, action, user, comment="已核验。")
        application.refresh_from_db()
    apply_transition(application, "approve", world["reviewer"])
    application.refresh_from_db()
    poor = client.post(f"/my/applications/{application.number}/", {"do": "evaluate", "level": 1, "reason": " "})
    assert poor.status_code == 400 and "评价为不满意时须说明理由" in _text(poor)
    assert not Evaluation.objects.exists()
    done = client.post(
        f"/my/applications/{application.number}/", {"do": "evaluate", "level": 2, "reason": "窗口排队太久。"}
    )
    assert done.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.level, evaluation.status, evaluation.evaluator_user_id, evaluation.reason) == (
        2,
        "poor",
        alice.user_id,
        "窗口排队太久。",
    )


def test_a_work_order_from_the_generated_form_with_reply_and_follow_up(world) -> None:
    alice = citizen("11010519491231002", "李四", "13800000001", level=0)
    client = client_for(alice)
    page = client.get("/consult/new")
    assert page.status_code == 200
    missing = client.post("/consult/new", {"order_type": "complaint", "subject": "", "content": "", "phone": ""})
    assert missing.status_code == 400
    assert not WorkOrder.objects.exists()
    made = client.post(
        "/consult/new",
        {"order_type": "complaint", "subject": "窗口排队", "content": "周一上午排队两个小时。", "phone": "13800000001"},
    )
    assert made.status_code == 302
    order = WorkOrder.objects.get()
    assert (order.source, order.applicant_user_id, order.applicant_name, order.status) == (
        "online",
        alice.user_id,
        "李四",
        "new",
    )
    order.reply = "已增开窗口。"
    order.save(update_fields=["reply"])
    detail = client.get(f"/my/work-orders/{order.number}/")
    assert "已增开窗口。" in _text(detail)
    assert client.post(f"/my/work-orders/{order.number}/", {"text": "什么时候增开？"}).status_code == 302
    assert list(order.messages.values_list("text", "from_applicant")) == [("什么时候增开？", True)]
    other = client_for(citizen("32010219900307777", "张伟", "13900000002", level=0))
    assert other.get(f"/my/work-orders/{order.number}/").status_code == 404
    assert other.post(f"/my/work-orders/{order.number}/", {"text": "x"}).status_code == 404
    assert order.messages.count() == 1


def test_a_web_form_naming_a_field_it_cannot_carry_is_refused(db) -> None:
    catalogue()
    form = WebForm.objects.get(route="consult")
    from lowcode.webforms.schema import check_web_form

    rows = [*form.fields.all(), WebFormField(web_form=form, fieldname="status"), WebFormField(fieldname="nope")]
    errors = check_web_form(form, rows)
    assert errors == {"__all__": ["网上表单不能包含工单的这些字段：nope, status"]}
    form.owner_field = "subject"
    assert "owner_field" in check_web_form(form, list(form.fields.all()))


def test_uploaded_file_is_private(world) -> None:
    alice = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    assert _apply(client_for(alice), world["matter"]).status_code == 302
    row = Application.objects.get().materials.first()
    assert row.file.url.startswith("/private/")
    assert Client().get(row.file.url).status_code == 302


def test_a_valid_licence_of_the_holder_replaces_its_material(world) -> None:
    from django.utils import timezone

    from gov_services.gov_services.doctype.licence.services import licence_issue
    from gov_services.models import GuideMaterial

    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    material = GuideMaterial.objects.filter(guide=world["matter"].published_guide, licence_type__isnull=False).first()
    assert material is not None, "the demo guide has a material an e-licence replaces"
    licence = licence_issue(
        licence_type=material.licence_type,
        issuer=material.licence_type.issuer,
        holder_name=account.name,
        holder_id_type=account.id_type,
        holder_id_number=account.id_number,
        issued_on=timezone.localdate(),
        user=world["reviewer"],
    )
    client = client_for(account)
    url = f"/apply/new?matter={world['matter'].implementation_code}"
    page = client.get(url).content.decode()
    assert f'name="licence_{material.pk}"' in page and licence.number in page
    data = apply_data(page)
    del data[f"material_{material.pk}"]
    data[f"licence_{material.pk}"] = "on"
    assert client.post(url, data).status_code == 302
    row = Application.objects.get().materials.get(guide_material=material)
    assert (row.licence_id, bool(row.file), row.status) == (licence.pk, False, "submitted")


def test_the_applicant_may_change_details_until_the_application_moves_on(world) -> None:
    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    client = client_for(account)
    assert _apply(client, world["matter"]).status_code == 302
    application = Application.objects.get()
    track = client.get(f"/my/applications/{application.number}/").content.decode()
    assert f'href="/apply/{application.number}"' in track
    edit = f"/apply/{application.number}"
    changed = client.post(edit, {"phone": "13900001111", "address": "镇江市润州区", "delivery_method": "ems"})
    assert changed.status_code == 302
    application.refresh_from_db()
    assert (application.phone, application.delivery_method) == ("13900001111", "ems")
    apply_transition(application, "accept", world["clerk"])
    assert 'name="phone"' not in client.get(edit).content.decode()
    late = client.post(edit, {"phone": "13700000000", "address": "x", "delivery_method": "pickup"})
    assert late.status_code == 409
    assert Application.objects.get().phone == "13900001111"


def test_editing_keeps_an_empty_custom_field_and_saves_a_filled_one(world) -> None:
    from lowcode.customization import services
    from lowcode.customization.models import CustomField

    services.custom_field_insert(
        cf=CustomField(
            doctype="Application", fieldname="shop_sign", label_zh="店招名称", fieldtype="Data", in_web_form=True
        ),
        user=world["clerk"],
    )
    account = citizen("11010519491231002", "李四", "13800000001", clerk=world["clerk"])
    client = client_for(account)
    assert _apply(client, world["matter"]).status_code == 302
    application = Application.objects.get()
    edit = f"/apply/{application.number}"
    form = {"phone": "13900001111", "address": "", "delivery_method": "pickup", "shop_sign": ""}
    assert client.post(edit, form).status_code == 302
    assert Application.objects.get().custom == {}
    assert client.post(edit, {**form, "shop_sign": "老街小吃"}).status_code == 302
    assert Application.objects.get().custom == {"shop_sign": "老街小吃"}
    assert client.post(edit, form).status_code == 302  # cleared again
    assert Application.objects.get().custom == {}
