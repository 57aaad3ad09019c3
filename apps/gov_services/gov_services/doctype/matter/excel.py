"""Excel exchange of matters with their guides, materials and fees (and the departments and licence
types they refer to), so a whole catalogue moves between sites.

One workbook, one sheet per record kind, a header row of Chinese column names, then one row per record.
Code-list columns hold the standard's codes (GB/T 39046), listed in the 填写说明 sheet; yes/no columns hold
是/否. Import checks every row first and reports each problem by sheet, row and column; if there is any,
nothing is written. Otherwise it writes everything in one transaction, matched by natural keys (credit
code, licence type code, 实施编码, 实施编码 + version), so importing the same workbook twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from gov_services.gov_services.codes import (
    ExerciseLevel,
    HandlingType,
    ImplementerNature,
    JointMode,
    LimitUnit,
    MatterType,
    OnlineDepth,
    ServiceObject,
    ThemeWindow,
)
from gov_services.gov_services.doctype.matter.services import matter_set_co_departments
from gov_services.models import Department, Guide, GuideFee, GuideMaterial, LicenceType, Matter
from lowcode.core.documents import save_doc, upsert_doc

YES, NO = "是", "否"


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    kind: str = "text"  # text, int, bool, code, codes (comma-separated), ref
    required: bool = False
    choices: tuple[str, ...] = ()


def custom_cols(doctype: str = "Matter") -> list[Col]:
    """This site's custom fields of matters, as optional columns of the 事项 sheet (header: the label)."""
    from lowcode.customization.meta import custom_fields

    return [Col(cf.label, f"custom:{cf.fieldname}", "custom") for cf in custom_fields(doctype) if not cf.hidden]


def _custom_field(col: Col) -> Any:
    from lowcode.customization.meta import custom_field

    return custom_field("Matter", col.field.removeprefix("custom:"))


def _codes(choices: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in choices.values)


DEPARTMENT_COLS = [
    Col("统一社会信用代码", "uscc", required=True),
    Col("部门名称", "name", required=True),
    Col("简称", "short_name"),
    Col("行政区划代码", "region_code", required=True),
    Col("上级部门信用代码", "parent", "ref"),
    Col("是否进驻大厅", "resident_in_hall", "bool"),
    Col("电话", "phone"),
    Col("地址", "address"),
]
LICENCE_TYPE_COLS = [
    Col("证照类型代码", "code", required=True),
    Col("证照类型名称", "name", required=True),
    Col("发证部门信用代码", "issuer", "ref"),
    Col("有效期（年）", "validity_years", "int"),
]
MATTER_COLS = [
    Col("实施编码", "implementation_code", required=True),
    Col("事项名称", "name", required=True),
    Col("基本编码", "basic_code", required=True),
    Col("业务办理项编码", "handling_item_code"),
    Col("事项类型", "matter_type", "code", True, _codes(MatterType)),
    Col("行使层级", "exercise_level", "code", True, _codes(ExerciseLevel)),
    Col("实施主体信用代码", "department", "ref", True),
    Col("实施主体性质", "implementer_nature", "code", True, _codes(ImplementerNature)),
    Col("服务对象", "service_objects", "codes", True, _codes(ServiceObject)),
    Col("办件类型", "handling_type", "code", True, _codes(HandlingType)),
    Col("网上办理层级", "online_level", "int", True),
    Col("网上办理深度", "online_depth", "codes", False, _codes(OnlineDepth)),
    Col("主题窗口", "theme_window", "code", True, _codes(ThemeWindow)),
    Col("法定办结时限", "legal_limit", "int", True),
    Col("法定时限单位", "legal_limit_unit", "code", True, _codes(LimitUnit)),
    Col("承诺办结时限", "promised_limit", "int", True),
    Col("承诺时限单位", "promised_limit_unit", "code", True, _codes(LimitUnit)),
    Col("联办方式", "joint_mode", "code", False, _codes(JointMode)),
    Col("协办部门信用代码", "co_departments", "codes"),
    Col("是否发证", "issues_licence", "bool"),
    Col("证照类型代码", "licence_type", "ref"),
    Col("事项状态", "status", "code", True, _codes(Matter.Status)),
]
GUIDE_COLS = [
    Col("实施编码", "matter", "ref", True),
    Col("版本", "version", "int", True),
    Col("指南状态", "status", "code", True, _codes(Guide.Status)),
    Col("设定依据", "legal_basis", required=True),
    Col("受理条件", "acceptance_conditions", required=True),
    Col("结果名称", "result_name", required=True),
    Col("是否免费", "charge_free", "bool"),
    Col("容缺受理", "tolerance_acceptance"),
    Col("办理流程", "process", required=True),
    Col("办理形式", "handling_forms", required=True),
    Col("审查标准", "review_standard", required=True),
    Col("通办范围", "universal_scope", "code", False, _codes(Guide.Scope)),
    Col("预约办理", "appointment", "bool"),
    Col("网上支付", "online_payment", "bool"),
    Col("物流快递", "express_delivery", "bool"),
    Col("办理地点", "location", required=True),
    Col("办理时间", "office_hours", required=True),
    Col("咨询方式", "consultation", required=True),
    Col("监督投诉方式", "complaint_channel", required=True),
]
MATERIAL_COLS = [
    Col("实施编码", "matter", "ref", True),
    Col("版本", "version", "int", True),
    Col("序号", "idx", "int", True),
    Col("材料名称", "name", required=True),
    Col("原件/复印件", "form", "code", True, _codes(GuideMaterial.Form)),
    Col("纸质/电子", "medium", "code", True, _codes(GuideMaterial.Medium)),
    Col("必要性", "necessity", "code", True, _codes(GuideMaterial.Necessity)),
    Col("来源渠道", "source", "code", True, _codes(GuideMaterial.Source)),
    Col("份数", "copies", "int", True),
    Col("纸张规格", "paper_size"),
    Col("设定依据", "legal_basis"),
    Col("填报须知", "notes"),
    Col("可替代证照类型代码", "licence_type", "ref"),
]
FEE_COLS = [
    Col("实施编码", "matter", "ref", True),
    Col("版本", "version", "int", True),
    Col("序号", "idx", "int", True),
    Col("收费项目", "item", required=True),
    Col("收费标准", "standard", required=True),
    Col("收费依据", "basis", required=True),
    Col("可减免", "reducible", "bool"),
]
SHEETS = [
    ("部门", DEPARTMENT_COLS),
    ("证照类型", LICENCE_TYPE_COLS),
    ("事项", MATTER_COLS),
    ("办事指南", GUIDE_COLS),
    ("申请材料", MATERIAL_COLS),
    ("收费项目", FEE_COLS),
]


class ImportErrors(Exception):
    """Every problem found, as (sheet, row, column, message); nothing was imported."""

    def __init__(self, errors: list[tuple[str, int, str, str]]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors

    def lines(self) -> list[str]:
        return [
            f"{sheet} 第{row}行" + (f"「{col}」" if col else "") + f"：{message}"
            for sheet, row, col, message in self.errors
        ]


# -- export ------------------------------------------------------------------------------------------------


def _cell(obj: Model, col: Col) -> Any:
    if col.kind == "custom":
        from lowcode.customization import values

        value = values.get(obj, _custom_field(col))
        if isinstance(value, bool):
            return YES if value else NO
        return "" if value is None else values.plain(value)
    value = getattr(obj, col.field)
    if col.kind == "bool":
        return YES if value else NO
    if col.kind == "codes":
        if col.field == "co_departments":
            return ",".join(s.department.uscc for s in obj.co_steps.all())  # type: ignore[attr-defined]
        return ",".join(str(v) for v in value or [])
    if col.kind == "ref":
        return "" if value is None else _ref_key(value)
    return "" if value is None else value


def _ref_key(obj: Model) -> str:
    for attr in ("uscc", "implementation_code", "code"):
        if hasattr(obj, attr):
            return str(getattr(obj, attr))
    raise ValueError(obj)


def _write_sheet(wb: Workbook, title: str, cols: list[Col], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append([c.header + ("*" if c.required else "") for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append(row)
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(col.header) * 2 + 4))
    ws.freeze_panes = "A2"


def _instructions(wb: Workbook) -> None:
    ws = wb.create_sheet("填写说明")
    ws.append(["工作表", "列", "必填", "可填写的值"])
    for title, cols in SHEETS:
        for col in cols:
            allowed = (
                " / ".join(col.choices)
                if col.choices
                else {"bool": f"{YES} / {NO}", "int": "整数", "codes": "多个值以英文逗号分隔"}.get(col.kind, "")
            )
            ws.append([title, col.header, YES if col.required else "", allowed])


def export_workbook(matters: QuerySet[Matter]) -> bytes:
    matters = matters.select_related("department", "licence_type").prefetch_related(
        "co_departments", "co_steps__department", "guides__materials__licence_type", "guides__fees"
    )
    matter_list = list(matters)
    departments: dict[int, Department] = {}
    licence_types: dict[int, LicenceType] = {}
    for m in matter_list:
        for d in [m.department, *m.co_departments.all()]:
            departments[d.pk] = d
        if m.licence_type:
            licence_types[m.licence_type.pk] = m.licence_type
        for g in m.guides.all():
            for mat in g.materials.all():
                if mat.licence_type:
                    licence_types[mat.licence_type.pk] = mat.licence_type
    for lt in list(licence_types.values()):
        if lt.issuer_id and lt.issuer_id not in departments:
            departments[lt.issuer_id] = lt.issuer  # type: ignore[assignment]
    # parents first, so an import can resolve them top-down
    ordered_departments = sorted(departments.values(), key=lambda d: (d.parent_id is not None, d.uscc))
    for d in ordered_departments:
        if d.parent_id and d.parent_id not in departments:
            departments[d.parent_id] = d.parent  # type: ignore[assignment]
    ordered_departments = sorted(departments.values(), key=lambda d: (d.parent_id is not None, d.uscc))

    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(wb, "部门", DEPARTMENT_COLS, [[_cell(d, c) for c in DEPARTMENT_COLS] for d in ordered_departments])
    _write_sheet(
        wb,
        "证照类型",
        LICENCE_TYPE_COLS,
        [[_cell(t, c) for c in LICENCE_TYPE_COLS] for t in sorted(licence_types.values(), key=lambda t: t.code)],
    )
    matter_cols = MATTER_COLS + custom_cols()
    _write_sheet(wb, "事项", matter_cols, [[_cell(m, c) for c in matter_cols] for m in matter_list])
    guides = [g for m in matter_list for g in sorted(m.guides.all(), key=lambda g: g.version)]
    _write_sheet(wb, "办事指南", GUIDE_COLS, [[_cell(g, c) for c in GUIDE_COLS] for g in guides])
    _write_sheet(
        wb,
        "申请材料",
        MATERIAL_COLS,
        [
            [g.matter.implementation_code, g.version, *[_cell(mat, c) for c in MATERIAL_COLS[2:]]]
            for g in guides
            for mat in sorted(g.materials.all(), key=lambda r: (r.idx, r.pk))
        ],
    )
    _write_sheet(
        wb,
        "收费项目",
        FEE_COLS,
        [
            [g.matter.implementation_code, g.version, *[_cell(f, c) for c in FEE_COLS[2:]]]
            for g in guides
            for f in sorted(g.fees.all(), key=lambda r: (r.idx, r.pk))
        ],
    )
    _instructions(wb)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    return export_workbook(Matter.objects.none())


# -- import ------------------------------------------------------------------------------------------------


def _parse(value: Any, col: Col) -> Any:
    """The cell's value for the model, or a ValueError with a message in Chinese."""
    if isinstance(value, str):
        value = value.strip()
    if col.kind == "custom":
        return _parse_custom(value, col)
    empty = value is None or value == ""
    if empty:
        if col.required:
            raise ValueError("必填")
        return {"bool": False, "codes": [], "int": None, "ref": None}.get(col.kind, "")
    if col.kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"应为整数，而不是“{value}”") from None
        if number != float(value) or number < 0:
            raise ValueError(f"应为非负整数，而不是“{value}”")
        return number
    if col.kind == "bool":
        if value in (YES, True, 1, "1", "TRUE", "true"):
            return True
        if value in (NO, False, 0, "0", "FALSE", "false"):
            return False
        raise ValueError(f"应填“{YES}”或“{NO}”，而不是“{value}”")
    text = str(value)
    if col.kind == "code":
        if col.choices and text not in col.choices:
            raise ValueError(f"“{text}”不是可选值（{' / '.join(v for v in col.choices if v)}）")
        return text
    if col.kind == "codes":
        items = [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
        bad = [v for v in items if col.choices and v not in col.choices]
        if bad:
            raise ValueError(f"“{'、'.join(bad)}”不是可选值")
        return items
    return text


def _parse_custom(value: Any, col: Col) -> Any:
    from lowcode.customization import values

    cf = _custom_field(col)
    if cf.fieldtype == "Check" and value in (YES, NO):
        value = value == YES
    if value in (None, "") and not cf.required:
        return None
    try:
        return values.clean(cf, value)
    except ValidationError as exc:
        raise ValueError("；".join(exc.messages)) from None


def _read(wb: Any) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]], list[tuple[str, int, str, str]]]:
    data: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    errors: list[tuple[str, int, str, str]] = []
    for title, cols in SHEETS:
        if title not in wb.sheetnames:
            errors.append((title, 1, "", "缺少此工作表（请使用导出的模板）"))
            continue
        ws = wb[title]
        header = [str(c.value or "").rstrip("*").strip() for c in ws[1]]
        missing = [c.header for c in cols if c.header not in header]
        if missing:
            errors.append((title, 1, "", f"缺少列：{'、'.join(missing)}"))
            continue
        if title == "事项":  # custom fields are optional columns: those present are read
            cols = cols + [c for c in custom_cols() if c.header in header]
        index = {c.header: header.index(c.header) for c in cols}
        rows = []
        for r, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            if all(v is None or str(v).strip() == "" for v in cells):
                continue
            record = {}
            for col in cols:
                raw = cells[index[col.header]] if index[col.header] < len(cells) else None
                try:
                    record[col.field] = _parse(raw, col)
                except ValueError as exc:
                    errors.append((title, r, col.header, str(exc)))
            rows.append((r, record))
        data[title] = rows
    return data, errors


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(field, msg) for field, errs in exc.message_dict.items() for msg in errs]
    return [("", msg) for msg in exc.messages]


def import_workbook(content: bytes, *, user: Any) -> dict[str, int]:
    """Import a workbook; all or nothing. Raises ImportErrors naming every bad row."""
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ImportErrors([("", 0, "", "文件不是有效的 Excel (.xlsx) 工作簿")]) from None
    data, errors = _read(wb)
    if errors:
        raise ImportErrors(errors)
    errors = []
    counts = {"departments": 0, "licence_types": 0, "matters": 0, "guides": 0}
    with transaction.atomic():
        _import_rows(data, user, errors, counts)
        if errors:
            raise ImportErrors(errors)  # leaving the block rolls everything back
    return counts


def _label(cols: list[Col], field: str) -> str:
    return next((c.header for c in cols if c.field == field), field)


def _save(model: type[Model], lookup: dict[str, Any], values: dict[str, Any], user: Any) -> tuple[Model, bool]:
    obj, outcome = upsert_doc(model, lookup, values, user=user)
    return obj, outcome != "unchanged"


def _import_rows(data: dict, user: Any, errors: list, counts: dict[str, int]) -> None:
    from gov_services.gov_services.doctype.guide.services import (
        guide_archive,
        guide_publication_errors,
        guide_publish,
    )

    def fail(sheet: str, row: int, cols: list[Col], exc: ValidationError) -> None:
        for field, msg in _messages(exc):
            errors.append((sheet, row, _label(cols, field) if field and field != "__all__" else "", msg))

    def keyed_sheet(sheet: str, cols: list[Col], model: type[Model], key: str, ref: str, known: dict) -> None:
        """Rows keyed by `key` that name a department (by credit code) in column `ref`."""
        for row, rec in data[sheet]:
            code = rec.pop(ref)
            if code and code not in departments:
                errors.append((sheet, row, _label(cols, ref), f"找不到信用代码为 {code} 的部门"))
                continue
            try:
                obj, changed = _save(model, {key: rec.pop(key)}, {**rec, ref: departments.get(code)}, user)
            except ValidationError as exc:
                fail(sheet, row, cols, exc)
                continue
            known[getattr(obj, key)] = obj
            counts[{"部门": "departments", "证照类型": "licence_types"}[sheet]] += changed

    departments: dict[str, Department] = {d.uscc: d for d in Department.objects.all()}
    keyed_sheet("部门", DEPARTMENT_COLS, Department, "uscc", "parent", departments)
    licence_types: dict[str, LicenceType] = {t.code: t for t in LicenceType.objects.all()}
    keyed_sheet("证照类型", LICENCE_TYPE_COLS, LicenceType, "code", "issuer", licence_types)

    matters: dict[str, Matter] = {}
    publish_matters: list[tuple[int, Matter]] = []
    for row, rec in data["事项"]:
        code = rec.pop("implementation_code")
        dept_code, co_codes, lt_code = rec.pop("department"), rec.pop("co_departments"), rec.pop("licence_type")
        status = rec.pop("status")
        custom = {k.removeprefix("custom:"): rec.pop(k) for k in list(rec) if k.startswith("custom:")}
        bad = [c for c in [dept_code, *co_codes] if c and c not in departments]
        if bad:
            errors.append(("事项", row, "实施主体信用代码", f"找不到信用代码为 {'、'.join(bad)} 的部门"))
            continue
        if lt_code and lt_code not in licence_types:
            errors.append(("事项", row, "证照类型代码", f"找不到证照类型 {lt_code}"))
            continue
        values = {**rec, "department": departments[dept_code], "licence_type": licence_types.get(lt_code)}
        existing = Matter.objects.filter(implementation_code=code).first()
        if existing is None:
            values["status"] = Matter.Status.DRAFT  # published once its guide is
        try:
            matter, changed = _save(Matter, {"implementation_code": code}, values, user)
        except ValidationError as exc:
            fail("事项", row, MATTER_COLS, exc)
            continue
        changed |= _put_custom(matter, custom, user)
        try:  # in the order the sheet lists them: a serial review's
            co = list(dict.fromkeys(departments[c] for c in co_codes))
            changed |= matter_set_co_departments(matter=matter, departments=co, user=user)
        except ValidationError as exc:
            fail("事项", row, MATTER_COLS, exc)
            continue
        matters[code] = matter
        counts["matters"] += changed
        if status == Matter.Status.PUBLISHED and matter.status != status:
            publish_matters.append((row, matter))
        elif status != matter.status:
            matter.status = status
            save_doc(matter, update_fields=["status"], user=user)

    def rows_for(sheet: str, key: tuple[str, int]) -> list[tuple[int, dict]]:
        return [(r, rec) for r, rec in data[sheet] if (rec["matter"], rec["version"]) == key]

    known_guides = {(r["matter"], r["version"]) for _, r in data["办事指南"]}
    to_publish: list[tuple[int, Guide]] = []
    for row, rec in data["办事指南"]:
        code, version, status = rec.pop("matter"), rec.pop("version"), rec.pop("status")
        matter = matters.get(code) or Matter.objects.filter(implementation_code=code).first()
        if matter is None:
            errors.append(("办事指南", row, "实施编码", f"找不到实施编码为 {code} 的事项"))
            continue
        materials = rows_for("申请材料", (code, version))
        fees = rows_for("收费项目", (code, version))
        guide = Guide.objects.filter(matter=matter, version=version).first()
        if guide is not None and not guide.is_editable:
            if _guide_differs(guide, rec, materials, fees, licence_types):
                errors.append(("办事指南", row, "版本", f"第{version}版已发布或已归档，不能修改；请以新的版本号导入"))
            continue
        try:
            guide, _changed = _save(Guide, {"matter": matter, "version": version}, rec, user)
        except ValidationError as exc:
            fail("办事指南", row, GUIDE_COLS, exc)
            continue
        guide.materials.all().delete()
        guide.fees.all().delete()
        for mrow, mrec in materials:
            lt_code = mrec["licence_type"]
            if lt_code and lt_code not in licence_types:
                errors.append(("申请材料", mrow, "可替代证照类型代码", f"找不到证照类型 {lt_code}"))
                continue
            values = {k: v for k, v in mrec.items() if k not in ("matter", "version")}
            values["licence_type"] = licence_types.get(lt_code)
            GuideMaterial.objects.create(guide=guide, **values)
        for _frow, frec in fees:
            GuideFee.objects.create(guide=guide, **{k: v for k, v in frec.items() if k not in ("matter", "version")})
        counts["guides"] += 1
        if status == Guide.Status.PUBLISHED:
            to_publish.append((row, guide))
        elif status == Guide.Status.ARCHIVED:
            guide_archive(guide=guide, user=user)

    for sheet in ("申请材料", "收费项目"):
        for row, rec in data[sheet]:
            if (rec["matter"], rec["version"]) not in known_guides:
                errors.append((sheet, row, "版本", f"“办事指南”表中没有 {rec['matter']} 第{rec['version']}版"))

    for row, guide in sorted(to_publish, key=lambda item: item[1].version):
        problems = guide_publication_errors(guide)
        if problems:
            for problem in problems:
                errors.append(("办事指南", row, "", problem))
            continue
        guide_publish(guide=guide, user=user)
    for row, matter in publish_matters:
        matter.refresh_from_db()
        if matter.published_guide_id is None:
            errors.append(("事项", row, "事项状态", "没有已发布的办事指南，不能发布"))
            continue
        matter.status = Matter.Status.PUBLISHED
        save_doc(matter, update_fields=["status"], user=user)


def _put_custom(matter: Matter, custom: dict[str, Any], user: Any) -> bool:
    from lowcode.customization import values
    from lowcode.customization.meta import custom_field

    changed = False
    for key, value in custom.items():
        cf = custom_field("Matter", key)
        if cf is not None and not cf.read_only:
            changed |= values.put(matter, cf, value)
    if changed:
        save_doc(matter, update_fields=["custom"], user=user)
    return changed


def _guide_differs(guide: Guide, rec: dict, materials: list, fees: list, licence_types: dict) -> bool:
    if any(getattr(guide, k) != v for k, v in rec.items()):
        return True
    current = [
        (
            m.idx,
            m.name,
            m.form,
            m.medium,
            m.necessity,
            m.source,
            m.copies,
            m.paper_size,
            m.legal_basis,
            m.notes,
            m.licence_type.code if m.licence_type else None,
        )
        for m in guide.materials.select_related("licence_type").order_by("idx", "id")
    ]
    incoming = [
        (
            r["idx"],
            r["name"],
            r["form"],
            r["medium"],
            r["necessity"],
            r["source"],
            r["copies"],
            r["paper_size"],
            r["legal_basis"],
            r["notes"],
            r["licence_type"],
        )
        for _, r in sorted(materials, key=lambda x: x[1]["idx"])
    ]
    if current != incoming:
        return True
    current_fees = [(f.idx, f.item, f.standard, f.basis, f.reducible) for f in guide.fees.order_by("idx", "id")]
    incoming_fees = [
        (r["idx"], r["item"], r["standard"], r["basis"], r["reducible"])
        for _, r in sorted(fees, key=lambda x: x[1]["idx"])
    ]
    return current_fees != incoming_fees
