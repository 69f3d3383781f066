"""A small hand-made data set aimed at the boundaries of RULES.md, written as the CSV files of FORMATS.md.

The synthetic data set exercises volume; this one puts a person on each edge the synthetic data rarely hits:
29 February (issue date, birth date, evaluation date), a status or death on exactly D, list periods ending on
D, subsidy months starting or ending in month(D), income exactly on the dibao line and on the near-poor
limit, a county standards row with blank optional columns while the city row has a switch on, a county row
that only comes into force on D, half-up rounding of the top-up (0.05 × 470.10 = 23.505 → 23.51), school-age
borders (6 on 31 August vs 1 September), a renovation by another household member, blank survey fields,
pension 暂停 vs blank status, lower-case x, names with full-width spaces, 五台山 (no standards of its own).
The expected values are not written here: the oracle computes them, the test compares with the product.
"""

from __future__ import annotations

import csv
from pathlib import Path

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CATEGORY_DIGITS = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
GRADE_DIGITS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}

HEADERS = {
    "standards": "区划代码,生效日期,城市低保标准,农村低保标准,生活补贴标准,一级护理补贴标准,二级护理补贴标准,"
    "低保边缘倍数,重度低保增发比例,生活补贴含低保边缘,护理补贴含三四级智力精神,儿童康复救助年龄上限",
    "registry": "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,户籍地区划代码,城乡类别,户编号,证件状态,状态变更日期",
    "survey": "公民身份号码,调查年度,家庭人口数,家庭人均年收入,需要长期照护,康复需求,辅具需求,无障碍改造需求,"
    "托养需求,就业状况",
    "dibao": "公民身份号码,姓名,起始日期,终止日期",
    "tekun": "公民身份号码,姓名,起始日期,终止日期",
    "orphan": "公民身份号码,姓名,起始日期,终止日期",
    "elderly_care": "公民身份号码,姓名,起始日期,终止日期",
    "injury_care": "公民身份号码,姓名,起始日期,终止日期",
    "pension": "公民身份号码,姓名,参保年度,参保状态",
    "medical": "公民身份号码,姓名,参保年度",
    "enrolment": "公民身份号码,姓名,学年",
    "deaths": "公民身份号码,姓名,死亡日期",
    "services": "公民身份号码,服务类型,服务日期,结果",
    "subsidy_recipients": "公民身份号码,姓名,补贴类型,起始月份,终止月份",
    "applications": "公民身份号码,姓名,补贴类型,申请日期,审定结果,审定日期,不予批准原因",
}

# Dates to evaluate decisions and findings on, and years (with their as-of date) for indicators.
# 2025-03-01 and 2025: no medical/pension row for 2025 nor enrolment row for 2024-2025 (lists not sent)
EDGE_DATES = ["2022-02-28", "2022-03-01", "2023-09-01", "2024-02-29", "2025-03-01"]
EDGE_YEARS = [2023, 2025]


def id_number(county: str, born: str, seq: int, want_x: bool = False) -> str:
    """A valid ID number; with ``want_x`` the first sequence ≥ seq whose check character is X."""
    while True:
        body = f"{county}{born.replace('-', '')}{seq:03d}"
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]
        if not want_x or check == "X":
            return body + check
        seq += 1


class Builder:
    def __init__(self) -> None:
        self.rows: dict[str, list[list[str]]] = {kind: [] for kind in HEADERS}
        self.seq = 100
        self.names: dict[str, str] = {}

    def person(
        self,
        name: str,
        *,
        county: str = "140902",
        born: str = "1980-01-01",
        category: str = "肢体",
        grade: str = "一级",
        issued: str = "2020-01-01",
        urban: str = "农村",
        household: str | None = None,
        status: str = "正常",
        status_date: str = "",
        want_x: bool = False,
        write_x_lower: bool = False,
        insured: bool = True,
    ) -> str:
        self.seq += 2
        pid = id_number(county, born, self.seq, want_x)
        self.names[pid] = name
        cat_digit = CATEGORY_DIGITS.get(category) or int(category)
        grade_digit = GRADE_DIGITS.get(grade) or int(grade)
        shown = pid.lower() if write_x_lower else pid
        self.rows["registry"].append(
            [
                name,
                shown,
                f"{shown}{cat_digit}{grade_digit}",
                category,
                grade,
                issued,
                f"{county}001001",
                urban,
                household or f"E{self.seq:06d}",
                status,
                status_date,
            ]
        )
        if insured:  # keep the enrolment findings quiet unless a case is about them
            for year in (2022, 2023, 2024):
                self.add("medical", pid, str(year))
                self.add("pension", pid, str(year), "")
        return pid

    def add(self, kind: str, pid: str, *values: str, name: str | None = None) -> None:
        if kind in ("survey", "services"):
            self.rows[kind].append([pid, *values])
        else:
            self.rows[kind].append(
                [pid, name if name is not None else self.names.get(pid, "某某某"), *values]
            )

    def survey(
        self,
        pid: str,
        year: int,
        income: str,
        care: str = "否",
        rehab="否",
        device="否",
        renovation="否",
        tuoyang="否",
        employment="",
        size="3",
    ):
        self.add("survey", pid, str(year), size, income, care, rehab, device, renovation, tuoyang, employment)

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        for kind, header in HEADERS.items():
            with (out / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header.split(","))
                writer.writerows(self.rows[kind])


def build(out: Path) -> None:
    b = Builder()
    std = b.rows["standards"]
    # City: switch "living subsidy includes near-poor" ON; rural standard 470.10 (top-up 0.05 × 470.10 = 23.505).
    std.append(["140900", "2020-01-01", "600", "470.10", "80", "100", "80", "", "", "是", "", ""])
    # 忻府区: every optional column blank → defaults (switch OFF), not the city's 是.
    std.append(["140902", "2021-01-01", "600", "470.10", "90", "110", "90", "", "", "", "", ""])
    # 原平市: comes into force on 29 February 2024 exactly; multiple 2, top-up 0.07, nursing switch on, age 17.
    std.append(["140981", "2024-02-29", "700", "500", "95", "120", "95", "2", "0.07", "否", "是", "17"])

    line_rural = "5641.20"  # 12 × 470.10

    # Certificate issued on 29 February: expires 1 March ten years later.
    a = b.person("甲一", issued="2012年2月29日", grade="二级", born="1970-05-05")
    b.survey(a, 2021, "3000", care="是")
    # Expiry exactly on D (issued 28 February 2014 → expired on 2024-02-28, so on 2024-02-29).
    b.person("甲二", issued="20140228", grade="三级", born="1975-03-03")
    b.person("甲三", issued="2014/02/28", grade="四级", born="1976-03-03", county="140921")

    # Born on 29 February 2008: 16 on 2024-02-29, 15 on 31 August 2023 (school age), not insured, not enrolled.
    c = b.person("乙一", county="140921", born="2008-02-29", issued="2020-03-01", insured=False)
    b.survey(c, 2023, "2000", care="是")

    # Status and death exactly on D.
    d = b.person("丙一", status="迁出", status_date="2024-02-29", grade="二级")
    b.add("subsidy_recipients", d, "护理补贴", "2021-01", "2024-02")
    b.survey(d, 2023, "4000", care="是")
    e = b.person("丙二", grade="四级")
    b.add("deaths", e, "2023-09-01")
    b.add("subsidy_recipients", e, "生活补贴", "2020-01", "")
    f = b.person("丙三", status="死亡", status_date="2022-03-01", grade="一级")
    b.add("subsidy_recipients", f, "护理补贴", "2020-01", "2022-03")
    b.survey(f, 2021, "4000", care="是")
    g = b.person("丙四", status="注销", status_date="2023-09-02", grade="一级")
    b.add("medical", g, "2021")

    # 低保 ending exactly on 2022-02-28; income exactly on the rural line (not low; near-poor).
    h = b.person("丁一", grade="一级")
    b.add("dibao", h, "2021-01-01", "2022-02-28")
    b.survey(h, 2021, line_rural, care="是", renovation="是")
    # 低保 starting exactly on D, urban; living subsidy and top-up (600 × 0.05 = 30.00).
    i = b.person("丁二", grade="二级", urban="城镇")
    b.add("dibao", i, "2022-03-01", "")
    b.add("subsidy_recipients", i, "生活补贴", "2022-03", "")

    # Near-poor limit in a county that follows the city row (switch on): 8461.79 is near-poor, 8461.80 is not.
    j = b.person("戊一", county="140921", category="5", grade="三级")
    b.survey(j, 2021, "8461.79")
    k = b.person("戊二", county="140921", category="智力", grade="3")
    b.survey(k, 2021, "8461.80")
    # Same near-poor income in 忻府区 (switch blank → off): living subsidy ineligible, dibao_alone eligible.
    m = b.person("戊三", county="140902", category="精神", grade="三级")
    b.survey(m, 2021, "6000")
    # 五台山风景名胜区: no standards of its own → the city row (switch on); low income.
    n = b.person("戊四", county="140971", grade="二级")
    b.survey(n, 2021, "100")
    # Low income by one fen.
    o = b.person("戊五", county="140921", grade="一级")
    b.survey(o, 2021, "5641.19")

    # 原平市 from 2024-02-29: grade 3–4 intellectual/mental counts for nursing; 多重 does not.
    p = b.person("己一", county="140981", category="精神", grade="四级")
    b.survey(p, 2023, "20000", care="是")
    b.add("elderly_care", p, "2020-01-01", "")
    b.add("subsidy_recipients", p, "护理补贴", "2023-01", "")
    q = b.person("己二", county="140981", category="多重", grade="三级")
    b.survey(q, 2023, "20000", care="是")
    # Child rehabilitation: 10 years old, maximum age 17 in 原平市 from 2024-02-29, 6 elsewhere.
    r = b.person("己三", county="140981", born="2013-06-01", grade="三级", issued="2019-01-01")
    b.add("enrolment", r, "2021-2022")
    b.add("enrolment", r, "2022-2023")
    b.add("enrolment", r, "2023-2024")
    # Top-up in 原平市: 0.07 × 500 = 35.00 rural.
    s = b.person("己四", county="140981", grade="一级")
    b.add("dibao", s, "2020-01-01", "")

    # Unknown facts: the latest survey (2023) has a blank care need although 2022 said 是; no survey at all.
    t = b.person("庚一", grade="一级")
    b.survey(t, 2022, "3000", care="是", renovation="是")
    b.survey(t, 2023, "3000", care="", renovation="")
    b.survey(t, 2025, "3000", care="否", renovation="否")
    b.person("庚二", grade="二级")  # no survey at all
    u = b.person("庚三", grade="四级")  # no survey and a failed clause: ineligible, not unknown
    b.add("subsidy_recipients", u, "护理补贴", "2021-06", "")

    # Renovation by another member of the household, dated exactly 2023-09-01 (result blank = 完成).
    v1 = b.person("辛一", household="HR0001", grade="一级")
    v2 = b.person("辛二", household="HR0001", grade="四级")
    b.add("dibao", v1, "2020-01-01", "")
    b.survey(v1, 2021, "1000", renovation="是")
    b.add("services", v2, "无障碍改造", "2023-09-01", "")
    # A renovation still in progress does not exclude.
    w1 = b.person("辛三", household="HR0002", grade="二级")
    b.add("tekun", w1, "2020-01-01", "")
    b.survey(w1, 2021, "1000", renovation="是")
    b.add("services", w1, "无障碍改造", "2021-05-05", "进行中")

    # Pension: 暂停 does not count, blank status counts.
    x1 = b.person("壬一", grade="四级", insured=False)
    b.add("medical", x1, "2022")
    b.add("medical", x1, "2023")
    b.add("medical", x1, "2024")
    b.add("pension", x1, "2022", "暂停")
    b.add("pension", x1, "2023", "暂停")
    b.add("pension", x1, "2024", "暂停")
    x2 = b.person("壬二", grade="四级", insured=False)
    for year in ("2022", "2023", "2024"):
        b.add("medical", x2, year)
        b.add("pension", x2, year, "")

    # School age: 6 on 31 August 2023 vs. born on 1 September 2017; 15 on 31 August 2023 and enrolled.
    b.person("癸一", born="2017-08-31", grade="三级", issued="2021-01-01", insured=False)
    b.person("癸二", born="2017-09-01", grade="三级", issued="2021-01-01", insured=False)
    y = b.person("癸三", born="2007-09-01", grade="三级", issued="2021-01-01", insured=False)
    b.add("enrolment", y, "2023-2024")
    b.add("medical", y, "2023")

    # Lower-case x in the registry and in a list; names with a full-width space (same) or an inner space.
    z = b.person("子一", want_x=True, write_x_lower=True, grade="二级")
    b.add("dibao", z.lower(), "2020-01-01", "", name="子一\u3000")
    b.add("medical", z, "2022", name="子 一")
    z2 = b.person("子二", grade="三级")
    b.add("subsidy_recipients", z2, "生活补贴", "2020-01", "", name="子三")

    # Payments next to exclusions.
    aa = b.person("丑一", grade="一级")
    b.add("injury_care", aa, "2020-01-01", "")
    b.add("subsidy_recipients", aa, "护理补贴", "2020-01", "")
    bb = b.person("丑二", grade="二级", born="2010-01-01", issued="2018-01-01")
    b.add("orphan", bb, "2018-01-01", "2022-02-28")
    b.add("subsidy_recipients", bb, "生活补贴", "2021-01", "")
    b.add("enrolment", bb, "2021-2022")
    b.add("enrolment", bb, "2022-2023")
    b.add("enrolment", bb, "2023-2024")

    # Indicators: income growth (two members, one household), training and rehabilitation in the year.
    c1 = b.person("寅一", household="HI0001", grade="四级")
    c2 = b.person("寅二", household="HI0001", grade="四级")
    b.survey(c1, 2020, "5000")
    b.survey(c2, 2020, "7000")
    b.survey(c1, 2023, "9000", rehab="是", device="是")
    b.survey(c2, 2023, "6001", rehab="是")
    b.add("services", c1, "康复服务", "2023-12-31", "进行中")
    b.add("services", c1, "辅具适配", "2022-12-31", "完成")
    b.add("services", c2, "康复服务", "2024-01-01", "完成")
    b.add("services", c1, "职业技能培训", "2020-12-31", "完成")
    b.add("services", c2, "职业技能培训", "2021-01-01", "")
    b.add("services", a, "职业技能培训", "2022-05-05", "进行中")

    needs_cases(b)
    b.write(out)


def needs_cases(b: Builder) -> None:
    """RULES.md "Needs findings": the 365-day window (D − 364 in, D − 365 out; 2024 is a leap year, so for
    2024-02-29 that is 2023-03-02 in, 2023-03-01 out; for 2023-09-01, 2022-09-02 in, 2022-09-01 out),
    unknown needs, ages 16 and 59/60, the 70% income drop, household size 1, persons outside P(D)."""
    rich = "20000"  # above the near-poor limit everywhere (8461.80 rural in 忻府区)
    # Rehabilitation served on 2023-03-02 (in for 2024-02-29) vs 2023-03-01 (out for 2024-02-29, in for 2023-09-01).
    n1 = b.person("需一", grade="三级")
    b.survey(n1, 2023, rich, rehab="是")
    b.add("services", n1, "康复服务", "2023-03-02", "进行中")
    n2 = b.person("需二", grade="三级")
    b.survey(n2, 2023, rich, rehab="需要肢体康复训练")  # a description of the need is a need
    b.add("services", n2, "康复服务", "2023-03-01", "完成")
    # Devices served on 2022-09-01 (out for 2023-09-01) vs 2022-09-02 (in); a service after D does not count.
    n3 = b.person("需三", grade="四级")
    b.survey(n3, 2022, rich, device="是")
    b.add("services", n3, "辅具适配", "2022-09-01", "")
    b.add("services", n3, "辅具适配", "2023-09-02", "")
    n4 = b.person("需四", grade="四级")
    b.survey(n4, 2022, rich, device="是")
    b.add("services", n4, "辅具适配", "2022-09-02", "")
    # 托养: served on D itself; another person served only with a different service type.
    n5 = b.person("需五", grade="一级", category="智力")
    b.survey(n5, 2023, rich, tuoyang="是")
    b.add("services", n5, "托养服务", "2023-09-01", "进行中")
    n6 = b.person("需六", grade="二级", category="精神")
    b.survey(n6, 2023, rich, tuoyang="是")
    b.add("services", n6, "走访探视", "2023-08-01", "")
    # Unknown: the latest survey leaves the needs blank although the year before said 是; 无 is no need.
    n7 = b.person("需七", grade="三级")
    b.survey(n7, 2022, rich, rehab="是", device="是", tuoyang="是", employment="未就业", size="1")
    b.survey(n7, 2023, rich, rehab="", device="", tuoyang="", employment="", size="")
    n8 = b.person("需八", grade="一级")
    b.survey(n8, 2023, rich, rehab="无", device="不需要", tuoyang="没有", size="2")

    # Employment aid: 16 from 2024-02-29 (15 on 2023-09-01); 59 on 2023-09-01 and 60 on 2024-02-29;
    # 59 on 2024-02-29 (born 1 March).
    e1 = b.person("业一", born="2008-02-29", grade="四级", issued="2019-01-01")
    b.survey(e1, 2023, rich, employment="未就业")
    e2 = b.person("业二", born="1964-02-29", grade="四级")
    b.survey(e2, 2023, rich, employment="未就业")
    e3 = b.person("业三", born="1964-03-01", grade="四级")
    b.survey(e3, 2023, rich, employment="未就业")
    # Training completed on 2023-03-02 (in for 2024-02-29), one completed on 2023-03-01 (out), one in progress.
    e4 = b.person("业四", grade="四级")
    b.survey(e4, 2023, rich, employment="未就业")
    b.add("services", e4, "职业技能培训", "2023-03-02", "完成")
    e5 = b.person("业五", grade="四级")
    b.survey(e5, 2023, rich, employment="未就业")
    b.add("services", e5, "职业技能培训", "2023-03-01", "")
    e6 = b.person("业六", grade="四级")
    b.survey(e6, 2023, rich, employment="未就业")
    b.add("services", e6, "职业技能培训", "2023-08-08", "进行中")
    e7 = b.person("业七", grade="四级")
    b.survey(e7, 2023, rich, employment="无劳动能力")

    # Poverty risk: income below 70% of the year before (13999.99 of 20000) vs exactly 70%; a gap year;
    # in 低保 or 特困; low income outside them.
    p1 = b.person("贫一", grade="四级")
    b.survey(p1, 2022, "20000")
    b.survey(p1, 2023, "13999.99")
    p2 = b.person("贫二", grade="四级")
    b.survey(p2, 2022, "20000")
    b.survey(p2, 2023, "14000.00")
    p3 = b.person("贫三", grade="四级")
    b.survey(p3, 2021, "20000")
    b.survey(p3, 2023, "10000")
    p4 = b.person("贫四", grade="四级")
    b.survey(p4, 2022, "20000")
    b.survey(p4, 2023, "10000")
    b.add("dibao", p4, "2023-01-01", "")
    p5 = b.person("贫五", grade="四级")
    b.survey(p5, 2022, "20000")
    b.survey(p5, 2023, "10000")
    b.add("tekun", p5, "2023-01-01", "2023-09-01")
    p6 = b.person("贫六", grade="四级", county="140921")
    b.survey(p6, 2021, "8461.79")  # near-poor in a county following the city row

    # Severe living alone: grade 1 and 2 with household size 1; grade 3 alone; grade 1 with 2 persons.
    s1 = b.person("独一", grade="一级")
    b.survey(s1, 2022, rich, size="1")
    b.add("services", s1, "走访探视", "2023-05-05", "")
    s2 = b.person("独二", grade="二级", county="140981")
    b.survey(s2, 2023, rich, size="1")
    s3 = b.person("独三", grade="三级")
    b.survey(s3, 2023, rich, size="1")
    s4 = b.person("独四", grade="一级")
    b.survey(s4, 2023, rich, size="2")

    # Applications (BENEFITS.md): receiving from the earliest 审定日期, from the earliest 申请日期's month.
    # Approved exactly on D (2023-09-01): not covered on 2022-03-01, covered on 2023-09-01.
    ap1 = b.person("申一", grade="二级")
    b.add("dibao", ap1, "2021-01-01", "")
    b.add("applications", ap1, "生活补贴", "2023-08-20", "批准", "2023-09-01", "")
    # Two approved applications: one entitlement from 2022-01, counted from 2022-03-01 (the earlier
    # decision); a later one (2024) changes nothing.
    ap2 = b.person("申二", grade="二级", county="140981")
    b.add("dibao", ap2, "2021-01-01", "")
    b.add("applications", ap2, "生活补贴", "2022-01-10", "批准", "2022-03-01", "")
    b.add("applications", ap2, "生活补贴", "2024-01-05", "批准", "2024-02-01", "")
    # Applied and decided after 2024-02-29 but for a month before it: not receiving on 2024-02-29.
    ap3 = b.person("申三", grade="一级")
    b.survey(ap3, 2023, "3000", care="是")
    b.add("applications", ap3, "护理补贴", "2024-02-01", "批准", "2024-03-15", "")
    # Still 审批中, and refused: never receiving.
    ap4 = b.person("申四", grade="二级", county="140921")
    b.add("dibao", ap4, "2021-01-01", "")
    b.add("applications", ap4, "生活补贴", "2023-01-01", "审批中", "", "")
    b.add("applications", ap4, "护理补贴", "2023-01-01", "不予批准", "2023-02-01", "无长期照护需求")
    # Paid from an approved application after death: paid_after_death.
    ap5 = b.person("申五", grade="一级")
    b.survey(ap5, 2021, "3000", care="是")
    b.add("applications", ap5, "护理补贴", "2021-06-01", "批准", "2021-07-01", "")
    b.add("deaths", ap5, "2023-05-01")

    # Outside P(D): cancelled on 2023-06-01, expired on 2024-02-28 (issued 2014-02-28), dead on 2023-09-01.
    o1 = b.person("外一", grade="一级", status="注销", status_date="2023-06-01")
    b.survey(o1, 2022, "1000", rehab="是", size="1", employment="未就业", renovation="是")
    o2 = b.person("外二", grade="二级", issued="2014-02-28")
    b.survey(o2, 2023, "1000", device="是", size="1", tuoyang="是")
    o3 = b.person("外三", grade="一级")
    b.survey(o3, 2023, "1000", rehab="是", size="1")
    b.add("deaths", o3, "2023-09-01")


if __name__ == "__main__":
    import sys

    build(Path(sys.argv[1]))
