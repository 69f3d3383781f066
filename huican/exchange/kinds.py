"""The import kinds of FORMATS.md, declared as data: columns, aliases, requirement."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    # An identifier that must be typed as text: in an Excel number cell it has lost digits.
    text_only: bool = False


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    source: str
    columns: tuple[Column, ...]
    # Departmental list (snapshot; rows for unknown ID numbers accepted and counted).
    is_list: bool = False
    # Rows whose ID number is not in the registry are rejected.
    requires_registry: bool = False
    extra_notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

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


ID = Column("公民身份号码", True, ("身份证号", "证件号码", "身份证号码", "身份证", "证件号"), text_only=True)
NAME = Column("姓名", True, ("名字",))
START = Column("起始日期", True)
END = Column("终止日期")

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
                Column("发证日期", True),
                Column("户籍地区划代码", True),
                Column("城乡类别", True),
                Column("户编号", True),
                Column("与户主关系"),
                Column("联系电话"),
                Column("证件状态"),
                Column("状态变更日期"),
                Column("性别"),
                Column("出生日期"),
            ),
        ),
        KindSpec(
            "survey",
            "基本状况调查",
            "残联",
            (
                ID,
                Column("调查年度", True),
                Column("家庭人口数"),
                Column("家庭人均年收入", True),
                Column("需要长期照护"),
                Column("康复需求"),
                Column("辅具需求"),
                Column("无障碍改造需求"),
                Column("托养需求"),
                Column("就业状况"),
            ),
            requires_registry=True,
        ),
        KindSpec(
            "dibao",
            "最低生活保障对象",
            "民政",
            (ID, NAME, Column("保障类别"), START, END, Column("月保障金额")),
            is_list=True,
        ),
        KindSpec("tekun", "特困人员", "民政", (ID, NAME, START, END, Column("供养方式")), is_list=True),
        KindSpec("orphan", "孤儿和事实无人抚养儿童", "民政", (ID, NAME, START, END), is_list=True),
        KindSpec(
            "elderly_care", "老年人护理补贴", "民政", (ID, NAME, START, END, Column("月金额")), is_list=True
        ),
        KindSpec("injury_care", "工伤保险生活护理费", "人社", (ID, NAME, START, END), is_list=True),
        KindSpec(
            "pension",
            "养老保险参保",
            "人社",
            (ID, NAME, Column("参保年度", True), Column("险种"), Column("参保状态")),
            is_list=True,
        ),
        KindSpec(
            "medical",
            "医疗保险参保",
            "医保",
            (ID, NAME, Column("参保年度", True), Column("险种")),
            is_list=True,
        ),
        KindSpec(
            "enrolment",
            "学籍",
            "教育",
            (ID, NAME, Column("学年", True), Column("学校"), Column("就读方式")),
            is_list=True,
        ),
        KindSpec("deaths", "死亡人员", "公安/民政", (ID, NAME, Column("死亡日期", True)), is_list=True),
        KindSpec(
            "services",
            "服务记录",
            "残联及服务机构",
            (
                ID,
                Column("服务类型", True),
                Column("服务日期", True),
                Column("服务机构"),
                Column("项目"),
                Column("结果"),
                Column("金额"),
            ),
        ),
        KindSpec(
            "subsidy_recipients",
            "两项补贴在册对象",
            "残联/民政",
            (
                ID,
                NAME,
                Column("补贴类型", True),
                Column("起始月份", True),
                Column("终止月份"),
                Column("月标准"),
            ),
            requires_registry=True,
        ),
        KindSpec(
            "standards",
            "标准参数",
            "民政/残联",
            (
                Column("区划代码", True),
                Column("生效日期", True),
                Column("城市低保标准", True),
                Column("农村低保标准", True),
                Column("生活补贴标准", True),
                Column("一级护理补贴标准", True),
                Column("二级护理补贴标准", True),
                Column("低保边缘倍数"),
                Column("重度低保增发比例"),
                Column("生活补贴含低保边缘"),
                Column("护理补贴含三四级智力精神"),
                Column("儿童康复救助年龄上限"),
            ),
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
)
assert set(IMPORT_ORDER) == set(KINDS)

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
