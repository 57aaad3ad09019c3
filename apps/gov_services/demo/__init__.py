"""Demo data: `bench --site NAME load-demo` (and `bench start` on a site it creates).

Master data (departments, licence types, matters with published guides, users) is upserted by natural
key; the transactional records (applications, licences, handovers, work orders, evaluations) are made
once per site, guarded by a site flag — so running the loader twice changes nothing.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gov_services.demo import records
from gov_services.demo.departments import DEPARTMENTS, LICENCE_TYPES, REGION
from gov_services.demo.matters import (
    COMMON_COMPLAIN,
    COMMON_CONSULT,
    COMMON_HOURS,
    COMMON_PLACE,
    MATTERS,
)
from gov_services.gov_services.doctype.matter.services import matter_set_co_departments
from gov_services.models import Department, Guide, GuideFee, GuideMaterial, LicenceType, Matter, Staff
from lowcode.core.definitions import reading_once
from lowcode.core.documents import insert_doc, save_doc, upsert_doc
from lowcode.core.models import SiteFlag
from lowcode.core.roles import user_set_roles
from lowcode.sites import current_site_name, read_json, sites_path, write_json

FLAG = "gov_services.demo.records"

# username, first name, last name, role, department key
DEMO_USERS = [
    ("clerk", "晓窗", "王", "Window Clerk", "centre"),
    ("reviewer.market", "审", "李", "Department Reviewer", "market"),
    ("reviewer.planning", "规", "赵", "Department Reviewer", "planning"),
    ("liaison.market", "联", "陈", "Department Liaison", "market"),
    ("issuer", "出件", "孙", "Issuing Clerk", "centre"),
    ("hotline", "热线", "周", "Hotline Agent", "centre"),
    ("supervisor", "督", "吴", "Supervisor", "centre"),
    ("sysmgr", "管", "郑", "System Manager", "centre"),
    ("zhangsan", "三", "张", "Applicant", None),
]

JOINT = {
    "GCGH": ("parallel", ["housing"]),
    "YDGH": ("serial", ["housing"]),
    "YLJG": ("parallel", ["market"]),
    "SGXK": ("parallel", ["planning", "centre"]),
}


def _upsert(model: type, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    return upsert_doc(model, lookup, values)[0]


def _departments() -> dict[str, Department]:
    result = {}
    for key, name, short, uscc, resident, phone, address in DEPARTMENTS:
        result[key] = _upsert(
            Department,
            {"uscc": uscc},
            {
                "name": name,
                "short_name": short,
                "region_code": REGION,
                "resident_in_hall": resident,
                "phone": phone,
                "address": address,
            },
        )
    for key, dept in result.items():
        if key != "centre" and dept.parent_id != result["centre"].pk:
            dept.parent = result["centre"]
            save_doc(dept, update_fields=["parent"])
    return result


def _licence_types(departments: dict[str, Department]) -> dict[str, LicenceType]:
    return {
        code: _upsert(
            LicenceType, {"code": code}, {"name": name, "issuer": departments[issuer], "validity_years": years}
        )
        for code, name, issuer, years in LICENCE_TYPES
    }


def _matters(departments: dict[str, Department], licence_types: dict[str, LicenceType]) -> list[Matter]:
    from gov_services.gov_services.doctype.guide.services import guide_publish
    from gov_services.gov_services.doctype.matter.services import matter_publish

    matters = []
    for seq, row in enumerate(MATTERS, start=1):
        (
            key,
            name,
            mtype,
            dept,
            handling,
            theme,
            level,
            legal,
            promised,
            unit,
            lic,
            objects,
            materials,
            fees,
            result,
            basis,
        ) = row
        department = departments[dept]
        joint_mode, co = JOINT.get(key, ("", []))
        matter = _upsert(
            Matter,
            {"implementation_code": f"{department.uscc}{mtype}{seq:05d}0{key}"[:36]},
            {
                "name": name,
                "basic_code": f"{mtype}{seq:04d}000000",
                "matter_type": mtype,
                "exercise_level": "3",
                "department": department,
                "service_objects": objects,
                "handling_type": handling,
                "online_level": level,
                "theme_window": theme,
                "online_depth": ["consult", "appointment", "apply", "pre_review"]
                + (["fully_online"] if level >= 4 else []),
                "legal_limit": legal,
                "legal_limit_unit": unit,
                "promised_limit": promised,
                "promised_limit_unit": unit,
                "joint_mode": joint_mode,
                "issues_licence": bool(lic),
                "licence_type": licence_types.get(lic),
            },
        )
        matter_set_co_departments(matter=matter, departments=[departments[c] for c in co], user=None)
        if not matter.guides.exists():
            guide = insert_doc(
                Guide(
                    matter=matter,
                    version=1,
                    legal_basis=basis,
                    acceptance_conditions=f"申请人符合{basis}规定的条件，申请材料齐全、符合法定形式。",
                    result_name=result,
                    charge_free=not fees,
                    process="1. 申请人网上或窗口提交申请；2. 综合受理窗口审查材料并决定是否受理；"
                    "3. 实施部门审查并作出决定；4. 制作结果并送达。",
                    handling_forms="窗口办理、网上办理" + ("、快递申请" if level >= 3 else ""),
                    review_standard=f"依据{basis}，审查申请材料的完整性、真实性和合法性。",
                    universal_scope=Guide.Scope.CITY if level >= 3 else "",
                    appointment=True,
                    online_payment=bool(fees),
                    express_delivery=level >= 3,
                    location=COMMON_PLACE,
                    office_hours=COMMON_HOURS,
                    consultation=COMMON_CONSULT,
                    complaint_channel=COMMON_COMPLAIN,
                )
            )
            GuideMaterial.objects.bulk_create(
                GuideMaterial(
                    guide=guide,
                    idx=i,
                    name=m_name.format(result=result),
                    necessity=necessity,
                    form=form,
                    source=source,
                    legal_basis=m_basis.format(basis=basis),
                    licence_type=licence_types.get(m_lic),
                    copies=1,
                )
                for i, (m_name, necessity, form, source, m_basis, m_lic) in enumerate(materials, start=1)
            )
            GuideFee.objects.bulk_create(
                GuideFee(guide=guide, idx=i, item=item, standard=standard, basis=fee_basis)
                for i, (item, standard, fee_basis) in enumerate(fees, start=1)
            )
            guide_publish(guide=guide, user=None)
            matter.refresh_from_db()
        if matter.status != Matter.Status.PUBLISHED:
            matter_publish(matter=matter, user=None)
        matters.append(matter)
    return matters


def demo_password() -> str:
    """One password for the demo users of this site, kept in its (never committed) site_config.json."""
    name = current_site_name()
    path = sites_path() / str(name) / "site_config.json"
    config = read_json(path)
    if not config.get("demo_password"):
        config["demo_password"] = "Demo-" + secrets.token_urlsafe(6)
        write_json(path, config)
    return str(config["demo_password"])


def _users(departments: dict[str, Department]) -> dict[str, Any]:
    User = get_user_model()
    password = demo_password()
    users = {}
    for username, first, last, role, dept in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@demo.invalid")
            user.set_password(password)
            user.save()
        user_set_roles(user=user, roles=[role])
        if role != "Applicant":
            _upsert(Staff, {"user": user}, {"department": departments[dept] if dept else None})
        users[username] = user
    _citizen_account(users["zhangsan"], users["clerk"])
    return users


def _citizen_account(user: Any, clerk: Any) -> None:
    """The demo citizen has a person's portal account whose identity a clerk checked (advanced real-name)."""
    from gov_services.gov_services.codes import IdType
    from gov_services.gov_services.doctype.portal_account.services import portal_account_set_level
    from gov_services.gov_services.identifiers import resident_id_check_char
    from gov_services.models import PortalAccount

    first17 = "32110219880512003"
    account = upsert_doc(
        PortalAccount,
        {"user": user},
        {
            "account_type": PortalAccount.AccountType.PERSON,
            "name": "张三",
            "id_type": IdType.RESIDENT_ID,
            "id_number": first17 + resident_id_check_char(first17),
            "phone": "13952800001",
            "address": "镇江市京口区正东路1号",
        },
    )[0]
    if account.realname_level < PortalAccount.Level.ADVANCED:
        portal_account_set_level(
            account=account, level=PortalAccount.Level.ADVANCED, method="演示数据：窗口核验居民身份证原件", user=clerk
        )


@transaction.atomic
def load_demo() -> dict[str, int]:
    with reading_once():  # one job: the definitions (workflows, custom fields) are checked once, not per write
        return _load_demo()


def _load_demo() -> dict[str, int]:
    departments = _departments()
    licence_types = _licence_types(departments)
    matters = _matters(departments, licence_types)
    users = _users(departments)
    made = {"departments": len(departments), "matters": len(matters), "users": len(users)}
    if not SiteFlag.objects.filter(key=FLAG).exists():
        made.update(records.make(matters=matters, departments=departments, users=users, rng=random.Random(20261123)))  # noqa: S311
        SiteFlag.objects.create(key=FLAG, value=timezone.now().isoformat())
    return made


def demo_logins() -> list[str]:
    """Printed by `bench start`: the demo users and their password, when this site has them."""
    if not SiteFlag.objects.filter(key=FLAG).exists():
        return []
    password = demo_password()
    roles = ", ".join(f"{u} ({r})" for u, _f, _l, r, _d in DEMO_USERS)
    return [f"Demo users (password {password}): {roles}"]
