"""The import kinds of FORMATS.md, each described once, as data.

A `KindSpec` carries everything the rest of the system needs to know about a kind: its Chinese title
and source department, its columns (required ones, aliases, the type and allowed values that the
import check reads, the `ListRecord` field a list column is stored in), the order of its checks, how
an import of it is kept (`mode`), the department whose officers import it and see its findings, and
the names its list goes by in findings and decisions. The import check (``validation``), the writers,
the snapshots in force, the permissions, the findings' routing, the policy's vocabulary and the
synthetic city all read it from here. The standard parameters are described once too
(`STANDARD_FIELDS`), for the `standards` import and the standards form alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

# What a column holds; each type has its check (``validation``) and its parser (``parsing``).
ColumnType = Literal[
    "text",
    "date",
    "month",
    "money",
    "yes_no",
    "year",
    "int",
    "decimal",
    "school_year",
    "region",
    "credit_code",
]
# snapshot: each import is the department's whole list, one in force per date (``snapshots``);
# accumulating: every import adds records; upsert: rows update the registry/standards in place.
Mode = Literal["snapshot", "accumulating", "upsert"]


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    # An identifier that must be typed as text: in an Excel number cell it has lost digits.
    text_only: bool = False
    type: ColumnType = "text"
    # The allowed values of a vocabulary column (FORMATS.md); empty: any text.
    allowed: tuple[str, ...] = ()
    # "int"/"decimal" columns: the accepted range and the reason given outside it.
    bounds: tuple[Any, Any] | None = None
    reason: str = ""
    # The `ListRecord` field a list kind stores the column in ("" = not stored there).
    field: str = ""
    # "decimal" columns: at most this many decimals (None: any), `reason` given beyond.
    places: int | None = None
    places_reason: str = ""


@dataclass(frozen=True)
class Order:
    """`end` must not be before `start` (two date or month columns)."""

    start: str
    end: str


@dataclass(frozen=True)
class NotFuture:
    """A date column must not be after the import day."""

    column: str
    reason: str


@dataclass(frozen=True)
class Unique:
    """No two rows with the same values in `keys`; `reason` has a `{}` for the first row's number."""

    keys: tuple[str, ...]
    reason: str
    column: str


@dataclass(frozen=True)
class Conditional:
    """When `when` holds one of `values`, `column` must be given (`given=True`) or blank (`False`)."""

    column: str
    when: str
    values: tuple[str, ...]
    given: bool
    reason: str


@dataclass(frozen=True)
class Custom:
    """Checks too entangled to declare column by column (the registry's); ``validation.CUSTOM``."""

    name: str


# A step of a kind's checks: a column name (the check of its type and allowed values) or a rule.
CheckStep = str | Order | NotFuture | Unique | Conditional | Custom


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    source: str
    columns: tuple[Column, ...]
    # After the required columns and the ID number, in this order (the order of a row's reasons).
    checks: tuple[CheckStep, ...] = ()
    mode: Mode = "snapshot"
    # The department (matching.selectors.DEPARTMENT_CODES) whose officers import it and see its
    # findings; "" for the federation's own kinds.
    department: str = ""
    # The list's name in findings and their history ("" = not a named list).
    list_name: str = ""
    # How a decision's sentence names membership of the list (policy vocabulary; "" = not read).
    statement_name: str = ""
    # Departmental list (snapshot; rows for unknown ID numbers accepted and counted).
    is_list: bool = False
    # Rows whose ID number is not in the registry are rejected.
    requires_registry: bool = False
    extra_notes: tuple[str, ...] = field(default_factory=tuple)
    # Rows whose ID number is not in the registry are accepted and counted in the `not in
    # registry: K` line (the lists, services and `employer_staff`).
    counts_outside_registry: bool = False

    @property
    def reports_not_in_registry(self) -> bool:
        return self.is_list or self.counts_outside_registry

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def alias_map(self) -> dict[str, str]:
        """Every accepted header (as `reading.normalize_header` leaves it) → the column's name."""
        mapping: dict[str, str] = {}
        for column in self.columns:
            mapping[column.name] = column.name
            for alias in column.aliases:
                mapping[alias] = column.name
        return mapping

    def missing_from(self, header: list[str]) -> list[str]:
        """The required columns a header row (normalised cells) lacks."""
        aliases = self.alias_map()
        found = {aliases.get(cell) for cell in header}
        return [name for name in self.required if name not in found]


_PARAMETER_COLUMN_TYPES: dict[str, ColumnType] = {
    "money": "money",
    "decimal": "decimal",
    "switch": "yes_no",
    "age": "int",
}


@dataclass(frozen=True)
class StandardField:
    """One standard parameter: the `policy.Standard` field, its column in the `standards` import
    (also its label on the form), its kind and limits. The import check, the import's writer, the
    standards form, the list page and the what-if page all read this one table."""

    name: str
    label: str
    kind: str  # "money" (yuan, 2 decimals), "decimal", "switch", "age"
    unit: str = ""
    places: int = 2
    minimum: Decimal | int = 0
    maximum: Decimal | int | None = None
    default: Any = None

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def column_type(self) -> ColumnType:
        return _PARAMETER_COLUMN_TYPES[self.kind]

    @property
    def import_reason(self) -> str:
        """The import's reason for a value outside the limits (decimal and age parameters)."""
        if self.kind == "age":
            return f"{self.label}应为 {self.minimum}–{self.maximum} 的整数"
        noun = "小数" if self.maximum is not None and self.maximum <= 1 else "数"
        return f"{self.label}应为 {self.minimum}–{self.maximum} 之间的{noun}（如 {self.default}）"

    def as_column(self) -> Column:
        bounds = (self.minimum, self.maximum) if self.kind in ("decimal", "age") else None
        return Column(
            self.label,
            self.required,
            type=self.column_type,
            bounds=bounds,
            reason=self.import_reason if bounds else "",
        )


# FORMATS.md "standards"; the limits: docs/decisions.md (标准参数的取值范围).
STANDARD_FIELDS: tuple[StandardField, ...] = (
    StandardField("urban_dibao", "城市低保标准", "money", "元/月"),
    StandardField("rural_dibao", "农村低保标准", "money", "元/月"),
    StandardField("living_subsidy", "生活补贴标准", "money", "元/月"),
    StandardField("nursing_grade1", "一级护理补贴标准", "money", "元/月"),
    StandardField("nursing_grade2", "二级护理补贴标准", "money", "元/月"),
    StandardField(
        "near_poor_multiple", "低保边缘倍数", "decimal", "倍", 3, Decimal(1), Decimal(5), Decimal("1.5")
    ),
    StandardField(
        "topup_rate", "重度低保增发比例", "decimal", "", 4, Decimal(0), Decimal(1), Decimal("0.05")
    ),
    StandardField("living_includes_near_poor", "生活补贴含低保边缘", "switch", default=False),
    StandardField(
        "nursing_includes_grade34_intellectual_mental", "护理补贴含三四级智力精神", "switch", default=False
    ),
    StandardField("child_rehab_max_age", "儿童康复救助年龄上限", "age", "岁", 0, 0, 17, 6),
)
STANDARD_FIELDS_BY_NAME = {f.name: f for f in STANDARD_FIELDS}

CATEGORY_CODES = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
GRADE_CODES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
STATUSES = ("正常", "注销", "死亡", "迁出")
URBAN_RURAL = ("城镇", "农村")
EMPLOYMENT = ("就业", "未就业", "无劳动能力", "在校")
DIBAO_CATEGORIES = ("城市", "农村")
TEKUN_MODES = ("集中", "分散")
INSURANCE_TYPES = ("城乡居民", "职工")
PENSION_STATUSES = ("参保缴费", "领取待遇", "暂停")
SCHOOLING_MODES = ("随班就读", "特殊教育学校", "送教上门")
SERVICE_TYPES = ("康复服务", "辅具适配", "职业技能培训", "无障碍改造", "托养服务", "走访探视", "法律援助")
SERVICE_RESULTS = ("完成", "进行中")
SUBSIDY_TYPES = {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}
# 审定结果 of the `applications` kind (BENEFITS.md) → the application's status.
APPLICATION_RESULTS = {"批准": "approved", "不予批准": "rejected", "审批中": "submitted"}
# 单位类型 of the `employers` kind (EMPLOYMENT.md).
EMPLOYER_TYPES = ("企业", "机关", "事业单位", "社会团体", "民办非企业单位")
CREDIT_CODE = Column("统一社会信用代码", True, text_only=True, type="credit_code")

ID = Column("公民身份号码", True, ("身份证号", "证件号码", "身份证号码", "身份证", "证件号"), text_only=True)
NAME = Column("姓名", True, ("名字",))
START = Column("起始日期", True, type="date", field="start_date")
END = Column("终止日期", type="date", field="end_date")
PERIOD = ("起始日期", "终止日期", Order("起始日期", "终止日期"))


def _vocabulary(name: str, allowed: tuple[str, ...], *, field: str = "", required: bool = False) -> Column:
    return Column(name, required, allowed=allowed, field=field)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in [
        KindSpec(
            "registry",
            "持证残疾人名册",
            "残联",
            (
                NAME,
                ID,
                Column("残疾人证号", True, text_only=True),
                Column("残疾类别", True),
                Column("残疾等级", True),
                Column("发证日期", True, type="date"),
                Column("户籍地区划代码", True),
                Column("城乡类别", True, allowed=URBAN_RURAL),
                Column("户编号", True),
                Column("与户主关系"),
                Column("联系电话"),
                Column("证件状态", allowed=STATUSES),
                Column("状态变更日期", type="date"),
                Column("性别"),
                Column("出生日期", type="date"),
            ),
            checks=(Custom("registry"),),
            mode="upsert",
        ),
        KindSpec(
            "survey",
            "基本状况调查",
            "残联",
            (
                ID,
                Column("调查年度", True, type="year"),
                Column("家庭人口数", type="int", bounds=(1, 50), reason="家庭人口数应为 1 以上的整数"),
                Column("家庭人均年收入", True, type="money"),
                Column("需要长期照护", type="yes_no"),
                Column("康复需求"),
                Column("辅具需求"),
                Column("无障碍改造需求"),
                Column("托养需求"),
                Column("就业状况", allowed=EMPLOYMENT),
            ),
            checks=(
                "调查年度",
                "家庭人口数",
                "家庭人均年收入",
                "需要长期照护",
                "就业状况",
                Unique(("公民身份号码", "调查年度"), "同一人同一调查年度已在第 {} 行出现", "调查年度"),
            ),
            mode="upsert",
            requires_registry=True,
        ),
        KindSpec(
            "dibao",
            "最低生活保障对象",
            "民政",
            (
                ID,
                NAME,
                _vocabulary("保障类别", DIBAO_CATEGORIES, field="category"),
                START,
                END,
                Column("月保障金额", type="money", field="amount"),
            ),
            checks=(*PERIOD, "保障类别", "月保障金额"),
            department="民政",
            list_name="低保名单",
            statement_name="低保",
            is_list=True,
        ),
        KindSpec(
            "tekun",
            "特困人员",
            "民政",
            (ID, NAME, START, END, _vocabulary("供养方式", TEKUN_MODES, field="category")),
            checks=(*PERIOD, "供养方式"),
            department="民政",
            list_name="特困人员名单",
            statement_name="特困供养",
            is_list=True,
        ),
        KindSpec(
            "orphan",
            "孤儿和事实无人抚养儿童",
            "民政",
            (ID, NAME, START, END),
            checks=PERIOD,
            department="民政",
            list_name="孤儿和事实无人抚养儿童名单",
            statement_name="孤儿和事实无人抚养儿童保障",
            is_list=True,
        ),
        KindSpec(
            "elderly_care",
            "老年人护理补贴",
            "民政",
            (ID, NAME, START, END, Column("月金额", type="money", field="amount")),
            checks=(*PERIOD, "月金额"),
            department="民政",
            list_name="老年人护理补贴名单",
            statement_name="老年人护理补贴",
            is_list=True,
        ),
        KindSpec(
            "injury_care",
            "工伤保险生活护理费",
            "人社",
            (ID, NAME, START, END),
            checks=PERIOD,
            department="人社",
            list_name="工伤保险生活护理费名单",
            statement_name="工伤保险生活护理费",
            is_list=True,
        ),
        KindSpec(
            "pension",
            "养老保险参保",
            "人社",
            (
                ID,
                NAME,
                Column("参保年度", True, type="year", field="year"),
                _vocabulary("险种", INSURANCE_TYPES, field="category"),
                _vocabulary("参保状态", PENSION_STATUSES, field="status"),
            ),
            checks=("参保年度", "险种", "参保状态"),
            department="人社",
            list_name="养老保险参保名单",
            is_list=True,
        ),
        KindSpec(
            "medical",
            "医疗保险参保",
            "医保",
            (
                ID,
                NAME,
                Column("参保年度", True, type="year", field="year"),
                _vocabulary("险种", INSURANCE_TYPES, field="category"),
            ),
            checks=("参保年度", "险种"),
            department="医保",
            list_name="医疗保险参保名单",
            is_list=True,
        ),
        KindSpec(
            "enrolment",
            "学籍",
            "教育",
            (
                ID,
                NAME,
                Column("学年", True, type="school_year", field="school_year"),
                Column("学校", field="organisation"),
                _vocabulary("就读方式", SCHOOLING_MODES, field="category"),
            ),
            checks=("学年", "就读方式"),
            department="教育",
            list_name="学籍名单",
            is_list=True,
        ),
        KindSpec(
            "deaths",
            "死亡人员",
            "公安/民政",
            (ID, NAME, Column("死亡日期", True, type="date", field="start_date")),
            checks=("死亡日期", NotFuture("死亡日期", "死亡日期在未来")),
            department="公安",
            list_name="死亡人员名单",
            is_list=True,
        ),
        KindSpec(
            "services",
            "服务记录",
            "残联及服务机构",
            (
                ID,
                _vocabulary("服务类型", SERVICE_TYPES, field="category", required=True),
                Column("服务日期", True, type="date", field="start_date"),
                Column("服务机构", field="organisation"),
                Column("项目", field="project"),
                _vocabulary("结果", SERVICE_RESULTS, field="status"),
                Column("金额", type="money", field="amount"),
            ),
            checks=("服务类型", "服务日期", "结果", "金额"),
            mode="accumulating",
        ),
        KindSpec(
            "subsidy_recipients",
            "两项补贴在册对象",
            "残联/民政",
            (
                ID,
                NAME,
                _vocabulary("补贴类型", tuple(SUBSIDY_TYPES), field="category", required=True),
                Column("起始月份", True, type="month", field="start_date"),
                Column("终止月份", type="month", field="end_date"),
                Column("月标准", type="money", field="amount"),
            ),
            checks=("补贴类型", "起始月份", "终止月份", Order("起始月份", "终止月份"), "月标准"),
            list_name="两项补贴在册名单",
            requires_registry=True,
        ),
        KindSpec(
            "applications",
            "两项补贴申请记录",
            "残联/民政",
            (
                ID,
                NAME,
                _vocabulary("补贴类型", tuple(SUBSIDY_TYPES), required=True),
                Column("申请日期", True, type="date"),
                _vocabulary("审定结果", tuple(APPLICATION_RESULTS), required=True),
                Column("审定日期", type="date"),
                Column("不予批准原因"),
            ),
            checks=(
                "补贴类型",
                "申请日期",
                "审定结果",
                "审定日期",
                Order("申请日期", "审定日期"),
                Conditional(
                    "审定日期",
                    "审定结果",
                    ("批准", "不予批准"),
                    True,
                    "审定结果为批准或不予批准时必须填写审定日期",
                ),
                Conditional("审定日期", "审定结果", ("审批中",), False, "审定结果为审批中时不应填写审定日期"),
                Unique(
                    ("公民身份号码", "补贴类型", "申请日期"),
                    "同一人同一补贴类型同一申请日期已在第 {} 行出现",
                    "申请日期",
                ),
            ),
            mode="upsert",
            requires_registry=True,
        ),
        KindSpec(
            "standards",
            "标准参数",
            "民政/残联",
            (
                Column("区划代码", True, type="region"),
                Column("生效日期", True, type="date"),
                *(f.as_column() for f in STANDARD_FIELDS),
            ),
            checks=(
                "区划代码",
                "生效日期",
                *(f.label for f in STANDARD_FIELDS),
                Unique(("区划代码", "生效日期"), "同一区划代码和生效日期已在第 {} 行出现", "生效日期"),
            ),
            mode="upsert",
        ),
        KindSpec(
            "employers",
            "按比例就业年审申报（单位）",
            "用人单位",
            (
                CREDIT_CODE,
                Column("单位名称", True),
                Column("统计年度", True, type="year"),
                _vocabulary("单位类型", EMPLOYER_TYPES, required=True),
                Column(
                    "在职职工人数",
                    True,
                    type="decimal",
                    bounds=(0, 10_000_000),
                    reason="在职职工人数应为不小于 0 的数",
                    places=1,
                    places_reason="在职职工人数最多保留一位小数",
                ),
                Column("在职职工年平均工资", True, type="money"),
                Column("区划代码", True, type="region"),
                Column("编制数", type="int", bounds=(0, 10_000_000), reason="编制数应为不小于 0 的整数"),
                Column("是否学校幼儿园", type="yes_no"),
            ),
            checks=(
                "统一社会信用代码",
                "统计年度",
                "单位类型",
                "在职职工人数",
                "在职职工年平均工资",
                "区划代码",
                "编制数",
                "是否学校幼儿园",
                Unique(
                    ("统一社会信用代码", "统计年度"),
                    "同一统一社会信用代码和统计年度已在第 {} 行出现",
                    "统计年度",
                ),
            ),
            mode="upsert",
        ),
        KindSpec(
            "employer_staff",
            "按比例就业年审申报（残疾职工）",
            "用人单位",
            (
                CREDIT_CODE,
                Column("统计年度", True, type="year"),
                ID,
                NAME,
                Column("劳动合同起始日期", True, type="date"),
                Column("劳动合同终止日期", type="date"),
            ),
            checks=(
                "统一社会信用代码",
                "统计年度",
                "劳动合同起始日期",
                "劳动合同终止日期",
                Order("劳动合同起始日期", "劳动合同终止日期"),
                Unique(
                    ("统一社会信用代码", "统计年度", "公民身份号码"),
                    "同一单位同一年度已在第 {} 行申报此人",
                    "公民身份号码",
                ),
            ),
            mode="upsert",
            counts_outside_registry=True,
        ),
        KindSpec(
            "levy_standards",
            "残保金参数",
            "残联/税务",
            (
                Column("统计年度", True, type="year"),
                Column("区划代码", True, type="region"),
                Column("社会平均工资", True, type="money"),
                Column(
                    "安排比例",
                    type="decimal",
                    bounds=(Decimal("0.0001"), Decimal(1)),
                    reason="安排比例应为 0–1 之间的小数（如 0.015）",
                ),
                Column("就业年龄下限", type="int", bounds=(0, 100), reason="就业年龄下限应为 0–100 的整数"),
                Column("就业年龄上限", type="int", bounds=(0, 100), reason="就业年龄上限应为 0–100 的整数"),
                Column("分档减缴", type="yes_no"),
                Column(
                    "小微企业免征人数",
                    type="int",
                    bounds=(0, 100_000),
                    reason="小微企业免征人数应为不小于 0 的整数",
                ),
            ),
            checks=(
                "统计年度",
                "区划代码",
                "社会平均工资",
                "安排比例",
                "就业年龄下限",
                "就业年龄上限",
                "分档减缴",
                "小微企业免征人数",
                Unique(("区划代码", "统计年度"), "同一区划代码和统计年度已在第 {} 行出现", "统计年度"),
            ),
            mode="upsert",
        ),
    ]
}

# The order a whole dataset is loaded in: standards and the registry first, the survey and the lists
# that name registry persons after it, the existing subsidy roll (which must match persons) last.
IMPORT_ORDER: tuple[str, ...] = (
    "standards",
    "registry",
    "survey",
    "dibao",
    "tekun",
    "orphan",
    "elderly_care",
    "injury_care",
    "pension",
    "medical",
    "enrolment",
    "deaths",
    "services",
    "subsidy_recipients",
    "applications",
    "levy_standards",
    "employers",
    "employer_staff",
)
assert set(IMPORT_ORDER) == set(KINDS)
