"""An independent reference implementation ("oracle") of design/RULES.md, read straight from the CSV files.

It does not import the product. It reads the same CSV files that ``huican import`` read, drops the rows the
import rejected (the ``KIND.rejected.csv`` file written next to each file names them by spreadsheet row
number: header = row 1), and then evaluates, per person and in plain Python, every decision, finding and
indicator of RULES.md. Clarity over speed.

Readings of RULES.md where it leaves room (each is marked ``READING`` in the code below):

* R1  A fact taken from the latest survey (household income, long-term-care need, renovation need) is
      *unknown* when there is no survey row with 调查年度 ≤ year(D) or the field is blank. "Unknown income is
      neither low income nor near-poor": as a clause it is unknown (three-valued), and in the indicator
      denominators (which count persons *who have* low income) an unknown income does not count.
* R2  Three-valued OR / AND: OR is true if any operand is true, else unknown if any is unknown, else false.
* R3  Standards: p's county is the first 6 digits of 户籍地区划代码. If neither the county nor the city has a
      row in force, every standard-dependent fact is unknown (does not occur in the synthetic data).
* R4  "status on D": the registry holds one status per person (a snapshot): a 注销/死亡/迁出 status applies
      from its 状态变更日期 on; before that date the person is 正常.
* R5  ``name_mismatch`` — "a row of any list with a 姓名 column": the departmental lists with a 姓名 column
      (dibao, tekun, orphan, elderly_care, injury_care, pension, medical, enrolment, deaths) **and** the
      subsidy roll (subsidy_recipients), which also has a 姓名 column. Registry itself is the reference.
* R6  Indicators are computed per region by filtering persons on the first 6 digits of their 户籍地区划代码
      (the city = everyone). For ``income_growth`` the households of a region are the household numbers of
      that region's persons; a household's value is the mean over its members *in that region* with a survey
      for the year.
* R7  ``met``: ``100`` targets mean numerator == denominator (every eligible person); "> 90"/"> 95" strict;
      "≥ 97"/"≥ 85" inclusive; count targets (training 4,000, renovations 1,502) are met when
      value ≥ target, and are null for counties; a null value gives a null ``met``; ``income_growth`` has no
      GDP figure entered, so its target and ``met`` are null.
* R8  Rates: value = round-half-up(100 × numerator / denominator, 2), computed exactly (fractions).
      ``income_growth``: numerator I_Y and denominator I_2020 rounded half-up to 0.01 for comparison;
      its value uses the exact means and is rounded half-up to 0.01 (compared with a 0.01 tolerance).
* R9  ``receiving`` a subsidy: a ``subsidy_recipients`` row of that 补贴类型 (生活补贴 → living_subsidy,
      护理补贴 → nursing_subsidy) with 起始月份 ≤ month(D) and (no 终止月份, or 终止月份 ≥ month(D)); or
      approved ``applications`` rows of that person and 补贴类型: one entitlement from the month of the
      earliest 申请日期, counted once the earliest 审定日期 ≤ D.
* R10 "dated in Y" (rehab/device indicators) means a service date within calendar year Y (Y-01-01..Y-12-31),
      any 结果.
* R11 ``flags``: only ``choose_higher`` is defined by RULES.md (eligible ``nursing_subsidy`` + in elderly care
      on D).
* R12 A need column (康复需求, 辅具需求, 无障碍改造需求, 托养需求) may hold a description of the need
      (docs/decisions.md): 否/N/0/无/没有/不需要/无需求 is no need, blank is unknown, anything else a need.
* R13 Needs findings: every survey fact (need, 就业状况, 家庭人口数, income) is the latest survey's own field
      (blank → unknown → no finding, never an older survey's value); "the survey for the year before it" is
      the survey with 调查年度 = the latest's − 1 (none, or a blank income, → no drop); "below 70%" is strict;
      a service dated after D does not count; services match by ID number.
* R14 A yearly list "with no row at all" for the period read (``medical``/``pension`` with 参保年度 = year(D)
      for findings, = Y for indicators; ``enrolment`` for the school year in progress on D) counts every
      accepted row of the file, registry person or not, whatever its status: then the finding reading it is
      not produced and the indicator reading it has null numerator, denominator and value.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

CITY = "140900"
COUNTIES = [
    "140902",
    "140981",
    "140921",
    "140922",
    "140923",
    "140924",
    "140925",
    "140926",
    "140927",
    "140928",
    "140929",
    "140930",
    "140931",
    "140932",
    "140971",
]
REGIONS = [CITY, *COUNTIES]

BENEFITS = [
    "living_subsidy",
    "nursing_subsidy",
    "dibao_alone",
    "dibao_topup",
    "child_rehab",
    "medical_premium_aid",
    "pension_premium_aid",
    "home_renovation",
]

CATEGORY_NAMES = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
GRADE_NAMES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
YES = {"是", "Y", "y", "1"}
NO = {"否", "N", "n", "0"}
SPACES = " \t\r\n\u3000"
NO_NEED = {*NO, "无", "没有", "不需要", "无需求"}  # READING R12

# Aliases of FORMATS.md (only the ID-number column has any).
ALIASES = {"公民身份号码": ["公民身份号码", "身份证号", "证件号码"]}

# FORMATS.md defaults for the optional standards columns.
DEFAULT_NEAR_POOR_MULTIPLE = Decimal("1.5")
DEFAULT_TOPUP_RATE = Decimal("0.05")
DEFAULT_CHILD_REHAB_MAX_AGE = 6


# --------------------------------------------------------------------------------------------------------
# Reading the files
# --------------------------------------------------------------------------------------------------------


def trim(value: str | None) -> str:
    return (value or "").strip(SPACES)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    reader = csv.reader(text.splitlines())
    rows = list(reader)
    header = [trim(h) for h in rows[0]]
    out = []
    for cells in rows[1:]:
        cells = cells + [""] * (len(header) - len(cells))
        out.append({h: trim(c) for h, c in zip(header, cells, strict=False)})
    return out


def rejected_rows(path: Path) -> set[int]:
    rejected = path.with_name(path.stem + ".rejected.csv")
    if not rejected.exists():
        return set()
    return {int(row["行号"]) for row in read_csv(rejected)}


def accepted_rows(data_dir: Path, kind: str) -> list[dict[str, str]]:
    path = data_dir / f"{kind}.csv"
    drop = rejected_rows(path)
    return [row for number, row in enumerate(read_csv(path), start=2) if number not in drop]


def col(row: dict[str, str], name: str) -> str:
    for alias in ALIASES.get(name, [name]):
        if alias in row:
            return row[alias]
    return ""


def id_of(row: dict[str, str]) -> str:
    return col(row, "公民身份号码").upper()


def parse_date(text: str) -> dt.date | None:
    text = trim(text)
    if not text:
        return None
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{4})/(\d{1,2})/(\d{1,2})", r"(\d{4})(\d{2})(\d{2})"):
        m = re.fullmatch(pattern, text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(f"an accepted row has a date the oracle cannot read: {text!r}")


def parse_month(text: str) -> tuple[int, int] | None:
    text = trim(text)
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"an accepted row has a month the oracle cannot read: {text!r}")
    return int(m[1]), int(m[2])


def parse_yes_no(text: str) -> bool | None:
    text = trim(text)
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"an accepted row has a yes/no value the oracle cannot read: {text!r}")


def parse_need(text: str) -> bool | None:
    """A need column (康复需求, 辅具需求, 无障碍改造需求, 托养需求): READING R12."""
    text = trim(text)
    if not text:
        return None
    return text not in NO_NEED


def parse_money(text: str) -> Decimal | None:
    text = trim(text)
    return Decimal(text) if text else None


def birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day, ``years`` later; 29 February → 1 March (RULES.md, certificate expiry)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def round2(value: Fraction | Decimal | float) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------------------
# The data set
# --------------------------------------------------------------------------------------------------------


@dataclass
class Person:
    id_number: str
    name: str
    category: int
    grade: int
    issue_date: dt.date
    region: str
    urban: bool  # 城乡类别 城镇
    household: str
    status: str
    status_date: dt.date | None

    @property
    def county(self) -> str:
        return self.region[:6]

    @property
    def born(self) -> dt.date:
        return birth_date(self.id_number)


@dataclass
class Period:
    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class Survey:
    year: int
    income: Decimal | None
    long_term_care: bool | None
    rehab_need: bool | None
    device_need: bool | None
    renovation_need: bool | None
    household_size: int | None = None  # 家庭人口数
    care_service_need: bool | None = None  # 托养需求
    employment: str = ""  # 就业状况


@dataclass
class Service:
    kind: str
    date: dt.date
    result: str  # blank means 完成


@dataclass
class Standard:
    region: str
    effective: dt.date
    urban_dibao: Decimal
    rural_dibao: Decimal
    living: Decimal
    nursing1: Decimal
    nursing2: Decimal
    near_poor_multiple: Decimal
    topup_rate: Decimal
    living_includes_near_poor: bool
    nursing_includes_34_intellectual_mental: bool
    child_rehab_max_age: int


@dataclass
class Entitlement:
    benefit: str
    start: tuple[int, int]
    end: tuple[int, int] | None
    effective: dt.date | None = None  # 审定日期 of an approved application (R9)

    def covers(self, day: dt.date) -> bool:
        month = (day.year, day.month)
        if self.effective is not None and self.effective > day:
            return False
        return self.start <= month and (self.end is None or self.end >= month)


@dataclass
class Dataset:
    persons: list[Person] = field(default_factory=list)
    lists: dict[str, dict[str, list[Period]]] = field(default_factory=dict)
    surveys: dict[str, list[Survey]] = field(default_factory=lambda: defaultdict(list))
    deaths: dict[str, list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    pension: dict[str, dict[int, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    medical: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    enrolment: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    services: dict[str, list[Service]] = field(default_factory=lambda: defaultdict(list))
    entitlements: dict[str, list[Entitlement]] = field(default_factory=lambda: defaultdict(list))
    standards: list[Standard] = field(default_factory=list)
    names: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # id → (kind, name)

    def sent(self, kind: str, period: int | str) -> bool:
        """Whether the yearly list `kind` has any accepted row for `period` (READING R14)."""
        rows: dict[str, Any] = {
            "pension": self.pension,
            "medical": self.medical,
            "enrolment": self.enrolment,
        }[kind]
        return any(period in periods for periods in rows.values())

    def household_members(self) -> dict[str, list[Person]]:
        out: dict[str, list[Person]] = defaultdict(list)
        for p in self.persons:
            out[p.household].append(p)
        return out


PERIOD_LISTS = ["dibao", "tekun", "orphan", "elderly_care", "injury_care"]
NAMED_LISTS = [*PERIOD_LISTS, "pension", "medical", "enrolment", "deaths", "subsidy_recipients"]  # READING R5


def load(data_dir: Path) -> Dataset:
    data_dir = Path(data_dir)
    ds = Dataset()

    for row in accepted_rows(data_dir, "registry"):
        category = row["残疾类别"]
        grade = row["残疾等级"]
        ds.persons.append(
            Person(
                id_number=id_of(row),
                name=row["姓名"],
                category=CATEGORY_NAMES[category] if category in CATEGORY_NAMES else int(category),
                grade=GRADE_NAMES[grade] if grade in GRADE_NAMES else int(grade),
                issue_date=parse_date(row["发证日期"]),
                region=row["户籍地区划代码"],
                urban={"城镇": True, "农村": False}[row["城乡类别"]],
                household=row["户编号"],
                status=row.get("证件状态") or "正常",
                status_date=parse_date(row.get("状态变更日期", "")),
            )
        )

    for kind in PERIOD_LISTS:
        ds.lists[kind] = defaultdict(list)
        for row in accepted_rows(data_dir, kind):
            ds.lists[kind][id_of(row)].append(
                Period(parse_date(row["起始日期"]), parse_date(row["终止日期"]))
            )

    for row in accepted_rows(data_dir, "survey"):
        ds.surveys[id_of(row)].append(
            Survey(
                year=int(row["调查年度"]),
                income=parse_money(row["家庭人均年收入"]),
                long_term_care=parse_yes_no(row.get("需要长期照护", "")),
                rehab_need=parse_need(row.get("康复需求", "")),  # READING R12
                device_need=parse_need(row.get("辅具需求", "")),
                renovation_need=parse_need(row.get("无障碍改造需求", "")),
                household_size=int(row["家庭人口数"]) if row.get("家庭人口数") else None,
                care_service_need=parse_need(row.get("托养需求", "")),
                employment=row.get("就业状况", ""),
            )
        )

    for row in accepted_rows(data_dir, "deaths"):
        ds.deaths[id_of(row)].append(parse_date(row["死亡日期"]))

    for row in accepted_rows(data_dir, "pension"):
        ds.pension[id_of(row)][int(row["参保年度"])].append(row.get("参保状态") or "参保缴费")

    for row in accepted_rows(data_dir, "medical"):
        ds.medical[id_of(row)].add(int(row["参保年度"]))

    for row in accepted_rows(data_dir, "enrolment"):
        ds.enrolment[id_of(row)].add(row["学年"])

    for row in accepted_rows(data_dir, "services"):
        ds.services[id_of(row)].append(
            Service(row["服务类型"], parse_date(row["服务日期"]), row.get("结果", ""))
        )

    for row in accepted_rows(data_dir, "subsidy_recipients"):
        benefit = {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}[row["补贴类型"]]
        ds.entitlements[id_of(row)].append(
            Entitlement(benefit, parse_month(row["起始月份"]), parse_month(row.get("终止月份", "")))
        )

    # R9: approved applications (BENEFITS.md): one entitlement per person and subsidy, from the month
    # of the earliest 申请日期, counted from the earliest 审定日期.
    approved: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    if (data_dir / "applications.csv").exists():
        for row in accepted_rows(data_dir, "applications"):
            if trim(row["审定结果"]) == "批准":
                benefit = {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}[trim(row["补贴类型"])]
                approved[(id_of(row), benefit)].append(
                    (parse_date(row["申请日期"]), parse_date(row["审定日期"]))
                )
    for (number, benefit), dates in approved.items():
        applied = min(a for a, _ in dates)
        ds.entitlements[number].append(
            Entitlement(benefit, (applied.year, applied.month), None, min(d for _, d in dates))
        )

    for row in accepted_rows(data_dir, "standards"):

        def opt(name: str, default, convert, row=row):
            return convert(row[name]) if row.get(name) else default

        ds.standards.append(
            Standard(
                region=row["区划代码"],
                effective=parse_date(row["生效日期"]),
                urban_dibao=Decimal(row["城市低保标准"]),
                rural_dibao=Decimal(row["农村低保标准"]),
                living=Decimal(row["生活补贴标准"]),
                nursing1=Decimal(row["一级护理补贴标准"]),
                nursing2=Decimal(row["二级护理补贴标准"]),
                near_poor_multiple=opt("低保边缘倍数", DEFAULT_NEAR_POOR_MULTIPLE, Decimal),
                topup_rate=opt("重度低保增发比例", DEFAULT_TOPUP_RATE, Decimal),
                living_includes_near_poor=opt("生活补贴含低保边缘", False, parse_yes_no),
                nursing_includes_34_intellectual_mental=opt("护理补贴含三四级智力精神", False, parse_yes_no),
                child_rehab_max_age=opt("儿童康复救助年龄上限", DEFAULT_CHILD_REHAB_MAX_AGE, int),
            )
        )

    for kind in NAMED_LISTS:
        for row in accepted_rows(data_dir, kind):
            ds.names[id_of(row)].append((kind, row["姓名"]))

    return ds


# --------------------------------------------------------------------------------------------------------
# Vocabulary (RULES.md "everything is evaluated on a date D for a registry person p")
# --------------------------------------------------------------------------------------------------------


def t_or(*values: bool | None) -> bool | None:  # READING R2
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def t_and(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


class Facts:
    """Every fact of RULES.md's vocabulary for one person on one date."""

    def __init__(self, ds: Dataset, p: Person, day: dt.date):
        self.ds, self.p, self.day = ds, p, day
        pid = p.id_number

        self.dead = any(d <= day for d in ds.deaths.get(pid, [])) or (
            p.status == "死亡" and p.status_date is not None and p.status_date <= day
        )
        # READING R4
        if p.status in ("注销", "死亡", "迁出") and p.status_date is not None and p.status_date <= day:
            self.status = p.status
        else:
            self.status = "正常"
        self.expiry = add_years(p.issue_date, 10)
        self.valid_certificate = self.status == "正常" and not self.dead and p.issue_date <= day < self.expiry
        self.age = age_on(p.born, day)
        self.severe = p.grade in (1, 2)
        self.intellectual_mental = p.category in (5, 6)

        def on_list(kind: str) -> bool:
            return any(period.covers(day) for period in ds.lists[kind].get(pid, []))

        self.in_dibao = on_list("dibao")
        self.in_tekun = on_list("tekun")
        self.in_orphan = on_list("orphan")
        self.in_elderly_care = on_list("elderly_care")
        self.in_injury_care = on_list("injury_care")

        self.standard = standard_in_force(ds, p.county, day)  # READING R3
        s = self.standard
        if s is not None:
            self.monthly_dibao = s.urban_dibao if p.urban else s.rural_dibao
            self.dibao_line = 12 * self.monthly_dibao
        else:
            self.monthly_dibao = self.dibao_line = None

        surveys = [sv for sv in ds.surveys.get(pid, []) if sv.year <= day.year]
        self.survey = max(surveys, key=lambda sv: sv.year) if surveys else None
        self.income = self.survey.income if self.survey else None  # READING R1
        self.long_term_care = self.survey.long_term_care if self.survey else None
        self.renovation_need = self.survey.renovation_need if self.survey else None

        if self.income is None or self.dibao_line is None:
            self.low_income = self.near_poor = None
        else:
            self.low_income = self.income < self.dibao_line
            self.near_poor = self.dibao_line <= self.income < s.near_poor_multiple * self.dibao_line

        self.receiving = {e.benefit for e in ds.entitlements.get(pid, []) if e.covers(day)}  # READING R9

        first = day.year if day.month >= 9 else day.year - 1
        self.school_year = f"{first}-{first + 1}"
        self.in_school = self.school_year in ds.enrolment.get(pid, set())
        age_aug31 = age_on(p.born, dt.date(first, 8, 31))
        self.school_age = 6 <= age_aug31 <= 15

    def pension_insured(self, year: int) -> bool:
        statuses = self.ds.pension.get(self.p.id_number, {}).get(year, [])
        return any(s in ("参保缴费", "领取待遇") for s in statuses)

    def medical_insured(self, year: int) -> bool:
        return year in self.ds.medical.get(self.p.id_number, set())


def standard_in_force(ds: Dataset, county: str, day: dt.date) -> Standard | None:
    for region in (county, CITY):
        rows = [s for s in ds.standards if s.region == region and s.effective <= day]
        if rows:
            return max(rows, key=lambda s: s.effective)
    return None


def completed(service: Service) -> bool:
    return service.result in ("", "完成")


# --------------------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------------------


@dataclass
class Decision:
    decision: str
    amount: Decimal | None
    flags: list[str]
    clauses: list[tuple[str, bool | None]]


def decide(clauses: list[tuple[str, bool | None]]) -> str:
    values = [v for _, v in clauses]
    if any(v is False for v in values):
        return "ineligible"
    if any(v is None for v in values):
        return "unknown"
    return "eligible"


def decisions_for(ds: Dataset, f: Facts, households: dict[str, list[Person]]) -> dict[str, Decision]:
    p, s, day = f.p, f.standard, f.day
    low_or_near = t_or(f.low_income, f.near_poor)
    out: dict[str, Decision] = {}

    # living_subsidy
    switch = s.living_includes_near_poor if s else None
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("dibao_or_near_poor", t_or(f.in_dibao, t_and(switch, low_or_near))),
        ("not_orphan", not f.in_orphan),
        ("not_tekun", not f.in_tekun),
        ("not_injury_care", not f.in_injury_care),
    ]
    verdict = decide(clauses)
    out["living_subsidy"] = Decision(verdict, s.living if verdict == "eligible" else None, [], clauses)

    # nursing_subsidy
    switch34 = s.nursing_includes_34_intellectual_mental if s else None
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("severe_or_34", t_or(f.severe, t_and(switch34, p.grade in (3, 4) and f.intellectual_mental))),
        ("long_term_care", f.long_term_care),
        ("not_injury_care", not f.in_injury_care),
        ("not_tekun", not f.in_tekun),
    ]
    verdict = decide(clauses)
    amount = (s.nursing1 if p.grade == 1 else s.nursing2) if verdict == "eligible" else None
    flags = ["choose_higher"] if verdict == "eligible" and f.in_elderly_care else []
    out["nursing_subsidy"] = Decision(verdict, amount, flags, clauses)

    # dibao_alone
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("low_or_near_poor", low_or_near),
        ("severe_or_grade3_im", f.severe or (p.grade == 3 and f.intellectual_mental)),
        ("not_dibao", not f.in_dibao),
        ("not_tekun", not f.in_tekun),
    ]
    out["dibao_alone"] = Decision(decide(clauses), None, [], clauses)

    # dibao_topup
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("in_dibao", f.in_dibao),
        ("severe", f.severe),
    ]
    verdict = decide(clauses)
    amount = round2(s.topup_rate * f.monthly_dibao) if verdict == "eligible" else None
    out["dibao_topup"] = Decision(verdict, amount, [], clauses)

    # child_rehab
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("age", f.age <= s.child_rehab_max_age if s else None),
    ]
    out["child_rehab"] = Decision(decide(clauses), None, [], clauses)

    # medical_premium_aid
    clauses = [("valid_certificate", f.valid_certificate), ("severe", f.severe)]
    out["medical_premium_aid"] = Decision(decide(clauses), None, [], clauses)

    # pension_premium_aid
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("severe", f.severe),
        ("age_16_59", 16 <= f.age <= 59),
    ]
    out["pension_premium_aid"] = Decision(decide(clauses), None, [], clauses)

    # home_renovation
    renovated = any(
        sv.kind == "无障碍改造" and completed(sv) and sv.date <= day
        for member in households[p.household]
        for sv in ds.services.get(member.id_number, [])
    )
    clauses = [
        ("valid_certificate", f.valid_certificate),
        ("severe", f.severe),
        ("needy", t_or(f.in_dibao, f.in_tekun, f.low_income, f.near_poor)),
        ("renovation_need", f.renovation_need),
        ("not_renovated", not renovated),
    ]
    out["home_renovation"] = Decision(decide(clauses), None, [], clauses)
    return out


def compute(ds: Dataset, day: dt.date) -> tuple[dict[str, Facts], dict[tuple[str, str], Decision]]:
    households = ds.household_members()
    facts: dict[str, Facts] = {}
    decisions: dict[tuple[str, str], Decision] = {}
    for p in ds.persons:
        f = facts[p.id_number] = Facts(ds, p, day)
        for benefit, decision in decisions_for(ds, f, households).items():
            decisions[(p.id_number, benefit)] = decision
    return facts, decisions


# --------------------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------------------


def school_year_in_progress(day: dt.date) -> str:
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


def findings(ds: Dataset, day: dt.date) -> set[tuple[str, str, str]]:
    facts, decisions = compute(ds, day)
    out: set[tuple[str, str, str]] = set()
    medical_sent = ds.sent("medical", day.year)  # READING R14
    pension_sent = ds.sent("pension", day.year)
    enrolment_sent = ds.sent("enrolment", school_year_in_progress(day))
    for p in ds.persons:
        f = facts[p.id_number]
        pid = p.id_number

        def add(code: str, pid=pid, county=p.county) -> None:
            out.add((code, pid, county))

        in_p = f.valid_certificate
        if decisions[(pid, "dibao_alone")].decision == "eligible":
            add("dibao_not_covered")
        if decisions[(pid, "living_subsidy")].decision == "eligible" and "living_subsidy" not in f.receiving:
            add("living_subsidy_not_covered")
        if (
            decisions[(pid, "nursing_subsidy")].decision == "eligible"
            and "nursing_subsidy" not in f.receiving
        ):
            add("nursing_subsidy_not_covered")
        if f.receiving and f.dead:
            add("paid_after_death")
        if not f.dead and any(decisions[(pid, b)].decision == "ineligible" for b in f.receiving):
            add("paid_while_ineligible")
        if ("nursing_subsidy" in f.receiving and f.in_injury_care) or (
            "living_subsidy" in f.receiving and (f.in_tekun or f.in_orphan)
        ):
            add("double_benefit")
        if "nursing_subsidy" in f.receiving and f.in_elderly_care:
            add("choose_higher")
        if medical_sent and in_p and not f.medical_insured(day.year):
            add("medical_not_enrolled")
        if pension_sent and in_p and f.age >= 16 and not f.in_school and not f.pension_insured(day.year):
            add("pension_not_enrolled")
        if enrolment_sent and in_p and f.school_age and not f.in_school:
            add("child_not_enrolled")
        if f.status == "正常" and not f.dead and f.expiry <= day:
            add("certificate_expired")
        if any(trim(name) != trim(p.name) for _, name in ds.names.get(pid, [])):
            add("name_mismatch")
    return out | needs_findings(ds, day, facts, decisions)


def needs_findings(
    ds: Dataset, day: dt.date, facts: dict[str, Facts], decisions: dict[tuple[str, str], Decision]
) -> set[tuple[str, str, str]]:
    """RULES.md "Needs findings", for persons in P(D) only (READING R13)."""
    first_day = day - dt.timedelta(days=364)  # "the last 365 days": D − 364 … D
    out: set[tuple[str, str, str]] = set()
    for p in ds.persons:
        f = facts[p.id_number]
        if not f.valid_certificate:
            continue
        pid = p.id_number
        latest = f.survey
        recent = [sv for sv in ds.services.get(pid, []) if first_day <= sv.date <= day]

        def add(code: str, pid=pid, county=p.county) -> None:
            out.add((code, pid, county))

        if latest is not None:
            for code, need, kind in (
                ("rehab_need_unserved", latest.rehab_need, "康复服务"),
                ("device_need_unserved", latest.device_need, "辅具适配"),
                ("care_need_unserved", latest.care_service_need, "托养服务"),
            ):
                if need is True and not any(sv.kind == kind for sv in recent):
                    add(code)
        if decisions[(pid, "home_renovation")].decision == "eligible":
            add("renovation_pending")
        if (
            latest is not None
            and 16 <= f.age <= 59
            and latest.employment == "未就业"
            and not any(sv.kind == "职业技能培训" and completed(sv) for sv in recent)
        ):
            add("employment_aid")
        if not f.in_dibao and not f.in_tekun:
            before = [
                sv for sv in ds.surveys.get(pid, []) if latest is not None and sv.year == latest.year - 1
            ]
            dropped = (
                latest is not None
                and latest.income is not None
                and len(before) == 1
                and before[0].income is not None
                and latest.income < Decimal("0.7") * before[0].income
            )
            if f.low_income is True or f.near_poor is True or dropped:
                add("poverty_risk")
        if f.severe and latest is not None and latest.household_size == 1:
            add("severe_living_alone")
    return out


# --------------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------------

# code → (target, kind, comparison); comparison in {"all", ">", ">=", "count", None}
TARGETS: dict[str, tuple[float | None, str, str | None]] = {
    "income_growth": (None, "expected", None),
    "training_persons": (4000, "expected", "count"),
    "dibao_coverage": (100, "binding", "all"),
    "living_subsidy_coverage": (100, "binding", "all"),
    "nursing_subsidy_coverage": (100, "binding", "all"),
    "pension_enrolment": (90, "expected", ">"),
    "medical_enrolment": (95, "expected", ">"),
    "education_enrolment": (97, "expected", ">="),
    "rehab_coverage": (85, "binding", ">="),
    "device_fitting": (85, "binding", ">="),
    "home_renovations": (1502, "binding", "count"),
}


@dataclass
class Indicator:
    numerator: Decimal | int | None
    denominator: Decimal | int | None
    value: Decimal | int | None
    met: bool | None


def rate(numerator: int, denominator: int) -> Decimal | None:
    return round2(Fraction(numerator, denominator) * 100) if denominator else None


def met_of(code: str, region: str, numerator, denominator, value) -> bool | None:  # READING R7
    target, _, how = TARGETS[code]
    if how is None or value is None:
        return None
    if how == "count":
        return value >= target if region == CITY else None
    if how == "all":
        return numerator == denominator
    if how == ">":
        return value > target
    return value >= target


def indicators(ds: Dataset, year: int, day: dt.date | None = None) -> dict[tuple[str, str], Indicator]:
    day = day or dt.date(year, 12, 31)
    facts, decisions = compute(ds, day)
    start_2021 = dt.date(2021, 1, 1)
    out: dict[tuple[str, str], Indicator] = {}

    for region in REGIONS:
        people = [p for p in ds.persons if region == CITY or p.county == region]  # READING R6
        valid = [p for p in people if facts[p.id_number].valid_certificate]

        def put(code: str, numerator, denominator, value, region=region) -> None:
            out[(code, region)] = Indicator(
                numerator, denominator, value, met_of(code, region, numerator, denominator, value)
            )

        # 1 income_growth
        def household_mean(survey_year: int, people=people) -> Fraction | None:
            per_household: dict[str, list[Decimal]] = defaultdict(list)
            for p in people:
                for sv in ds.surveys.get(p.id_number, []):
                    if sv.year == survey_year and sv.income is not None:
                        per_household[p.household].append(sv.income)
            if not per_household:
                return None
            means = [Fraction(sum(v)) / len(v) for v in per_household.values()]
            return sum(means) / len(means)

        i_y, i_2020 = household_mean(year), household_mean(2020)
        if i_y is None:
            put("income_growth", None, None, None)
        else:
            value = None
            if i_2020 and year > 2020:
                value = round2((math.pow(float(i_y / i_2020), 1 / (year - 2020)) - 1) * 100)
            put("income_growth", round2(i_y), round2(i_2020) if i_2020 is not None else None, value)

        # 2 training_persons
        trained = {
            p.id_number
            for p in people
            for sv in ds.services.get(p.id_number, [])
            if sv.kind == "职业技能培训" and completed(sv) and start_2021 <= sv.date <= day
        }
        put("training_persons", len(trained), None, len(trained))

        # 3 dibao_coverage
        covered = [p for p in valid if facts[p.id_number].in_dibao or facts[p.id_number].in_tekun]
        denominator = [
            p
            for p in valid
            if facts[p.id_number].in_dibao
            or facts[p.id_number].in_tekun
            or facts[p.id_number].low_income is True  # READING R1
            or decisions[(p.id_number, "dibao_alone")].decision == "eligible"
        ]
        put("dibao_coverage", len(covered), len(denominator), rate(len(covered), len(denominator)))

        # 4, 5 subsidy coverage
        for code, benefit in (
            ("living_subsidy_coverage", "living_subsidy"),
            ("nursing_subsidy_coverage", "nursing_subsidy"),
        ):
            eligible = [p for p in valid if decisions[(p.id_number, benefit)].decision == "eligible"]
            receiving = [p for p in eligible if benefit in facts[p.id_number].receiving]
            put(code, len(receiving), len(eligible), rate(len(receiving), len(eligible)))

        # 6 pension_enrolment
        base = [p for p in valid if facts[p.id_number].age >= 16 and not facts[p.id_number].in_school]
        insured = [p for p in base if facts[p.id_number].pension_insured(year)]
        if ds.sent("pension", year):  # READING R14
            put("pension_enrolment", len(insured), len(base), rate(len(insured), len(base)))
        else:
            put("pension_enrolment", None, None, None)

        # 7 medical_enrolment
        insured = [p for p in valid if facts[p.id_number].medical_insured(year)]
        if ds.sent("medical", year):
            put("medical_enrolment", len(insured), len(valid), rate(len(insured), len(valid)))
        else:
            put("medical_enrolment", None, None, None)

        # 8 education_enrolment
        base = [p for p in valid if facts[p.id_number].school_age]
        enrolled = [p for p in base if facts[p.id_number].in_school]
        if ds.sent("enrolment", school_year_in_progress(day)):
            put("education_enrolment", len(enrolled), len(base), rate(len(enrolled), len(base)))
        else:
            put("education_enrolment", None, None, None)

        # 9, 10 rehab / device (READING R10)
        for code, need_attr, service_kind in (
            ("rehab_coverage", "rehab_need", "康复服务"),
            ("device_fitting", "device_need", "辅具适配"),
        ):
            needing = [
                p
                for p in valid
                if any(
                    sv.year == year and getattr(sv, need_attr) is True
                    for sv in ds.surveys.get(p.id_number, [])
                )
            ]
            served = [
                p
                for p in needing
                if any(
                    sv.kind == service_kind and sv.date.year == year
                    for sv in ds.services.get(p.id_number, [])
                )
            ]
            put(code, len(served), len(needing), rate(len(served), len(needing)))

        # 11 home_renovations
        households = {
            p.household
            for p in people
            for sv in ds.services.get(p.id_number, [])
            if sv.kind == "无障碍改造" and completed(sv) and start_2021 <= sv.date <= day
        }
        put("home_renovations", len(households), None, len(households))

    return out
