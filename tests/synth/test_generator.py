"""The synthetic-data generator: determinism, headers, realistic shares, deliberate imperfections.

Pure generator tests: no database. One dataset of 20,000 persons is generated per module.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from huican.synth.generator import generate

# The primary column names of FORMATS.md, in its order.
EXPECTED: dict[str, list[str]] = {
    "registry": [
        "姓名",
        "公民身份号码",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "发证日期",
        "户籍地区划代码",
        "城乡类别",
        "户编号",
        "与户主关系",
        "联系电话",
        "证件状态",
        "状态变更日期",
        "性别",
        "出生日期",
    ],
    "survey": [
        "公民身份号码",
        "调查年度",
        "家庭人口数",
        "家庭人均年收入",
        "需要长期照护",
        "康复需求",
        "辅具需求",
        "无障碍改造需求",
        "托养需求",
        "就业状况",
    ],
    "dibao": ["公民身份号码", "姓名", "保障类别", "起始日期", "终止日期", "月保障金额"],
    "tekun": ["公民身份号码", "姓名", "起始日期", "终止日期", "供养方式"],
    "orphan": ["公民身份号码", "姓名", "起始日期", "终止日期"],
    "elderly_care": ["公民身份号码", "姓名", "起始日期", "终止日期", "月金额"],
    "injury_care": ["公民身份号码", "姓名", "起始日期", "终止日期"],
    "pension": ["公民身份号码", "姓名", "参保年度", "险种", "参保状态"],
    "medical": ["公民身份号码", "姓名", "参保年度", "险种"],
    "enrolment": ["公民身份号码", "姓名", "学年", "学校", "就读方式"],
    "deaths": ["公民身份号码", "姓名", "死亡日期"],
    "services": ["公民身份号码", "服务类型", "服务日期", "服务机构", "项目", "结果", "金额"],
    "subsidy_recipients": ["公民身份号码", "姓名", "补贴类型", "起始月份", "终止月份", "月标准"],
    "applications": ["公民身份号码", "姓名", "补贴类型", "申请日期", "审定结果", "审定日期", "不予批准原因"],
    "standards": [
        "区划代码",
        "生效日期",
        "城市低保标准",
        "农村低保标准",
        "生活补贴标准",
        "一级护理补贴标准",
        "二级护理补贴标准",
        "低保边缘倍数",
        "重度低保增发比例",
        "生活补贴含低保边缘",
        "护理补贴含三四级智力精神",
        "儿童康复救助年龄上限",
    ],
    "levy_standards": [
        "统计年度",
        "区划代码",
        "社会平均工资",
        "安排比例",
        "就业年龄下限",
        "就业年龄上限",
        "分档减缴",
        "小微企业免征人数",
    ],
    "employers": [
        "统一社会信用代码",
        "单位名称",
        "统计年度",
        "单位类型",
        "在职职工人数",
        "在职职工年平均工资",
        "区划代码",
        "编制数",
        "是否学校幼儿园",
    ],
    "employer_staff": [
        "统一社会信用代码",
        "统计年度",
        "公民身份号码",
        "姓名",
        "劳动合同起始日期",
        "劳动合同终止日期",
    ],
}
# Described in EMPLOYMENT.md's table, not in FORMATS.md's.
EMPLOYMENT_KINDS = ("employers", "employer_staff", "levy_standards")
LISTS = (
    "dibao",
    "tekun",
    "orphan",
    "elderly_care",
    "injury_care",
    "pension",
    "medical",
    "enrolment",
    "deaths",
)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CATEGORY_SHARES = {
    "视力": 14.86,
    "听力": 24.16,
    "言语": 1.53,
    "肢体": 29.07,
    "智力": 6.68,
    "精神": 7.40,
    "多重": 16.30,
}


def valid_id(s: str | None) -> bool:
    if s is None or not re.fullmatch(r"\d{17}[\dXx]", s):
        return False
    total = sum(int(c) * w for c, w in zip(s[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == s[17].upper()


def valid_expr(column: str = "公民身份号码") -> pl.Expr:
    """Vectorised form of valid_id."""
    c = pl.col(column)
    total = pl.sum_horizontal(
        [c.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(WEIGHTS)]
    )
    check = pl.lit("10X98765432").str.slice(total % 11, 1)
    shaped = c.str.contains(r"^\d{17}[\dXx]$").fill_null(False)
    return shaped & (check == c.str.slice(17, 1).str.to_uppercase()).fill_null(False)


def with_valid(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(valid_expr().alias("_ok"))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(persons=20_000, seed=7, out=tmp_path_factory.mktemp("synth"))


def read(files: dict[str, Path], kind: str) -> pl.DataFrame:
    return pl.read_csv(files[kind], infer_schema=False)


@pytest.fixture(scope="module")
def registry(files: dict[str, Path]) -> pl.DataFrame:
    return with_valid(read(files, "registry"))


def test_one_file_per_kind_plus_regions(files: dict[str, Path]) -> None:
    assert set(files) == set(EXPECTED) | {"regions"}
    for kind, path in files.items():
        assert path.name == f"{kind}.csv" and path.exists()


def test_headers_are_the_primary_names_of_formats(files: dict[str, Path]) -> None:
    for kind, columns in EXPECTED.items():
        with files[kind].open(encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n")
        assert header.split(",") == columns, kind
    assert files["regions"].read_text(encoding="utf-8").split("\n", 1)[0] == "区划代码,名称,级别,上级代码"


def _formats_md() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[2] / "docs" / "FORMATS.md",
        here.parents[3] / "shared" / "design" / "FORMATS.md",
    ):
        if candidate.exists():
            return candidate
    return None


def test_expected_headers_agree_with_formats_md() -> None:
    path = _formats_md()
    if path is None:
        pytest.skip("FORMATS.md not found next to the repository")
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if m and m.group(1) in EXPECTED:
            cols = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", m.group(2))
            found[m.group(1)] = [c.strip().rstrip("*").strip() for c in cols.split(",")]
    # `applications` is described in BENEFITS.md ("Command line"), not in FORMATS.md's table.
    assert found == {
        kind: columns
        for kind, columns in EXPECTED.items()
        if kind != "applications" and kind not in EMPLOYMENT_KINDS
    }


def test_employment_headers_agree_with_employment_md() -> None:
    path = _formats_md()
    if path is None:
        pytest.skip("EMPLOYMENT.md not found next to the repository")
    found: dict[str, list[str]] = {}
    for line in (path.parent / "EMPLOYMENT.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if m and m.group(1) in EMPLOYMENT_KINDS:
            cols = re.sub(r"\([^)]*\)", "", m.group(2))
            found[m.group(1)] = [c.strip().rstrip("*").strip() for c in cols.split(",")]
    assert found == {kind: EXPECTED[kind] for kind in EMPLOYMENT_KINDS}


def test_applications_headers_agree_with_benefits_md() -> None:
    path = _formats_md()
    if path is None:
        pytest.skip("BENEFITS.md not found next to the repository")
    text = (path.parent / "BENEFITS.md").read_text(encoding="utf-8")
    line = text.split("kind `applications`", 1)[1].split(". Row rules", 1)[0]
    cols = re.sub(r"\([^)]*\)", "", line.split(":", 1)[1].replace("\n", " "))
    found = [c.strip().rstrip("*").strip() for c in cols.split(",")]
    assert found == EXPECTED["applications"]


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = generate(persons=1_500, seed=3, out=tmp_path / "a")
    b = generate(persons=1_500, seed=3, out=tmp_path / "b")
    c = generate(persons=1_500, seed=4, out=tmp_path / "c")
    for kind in a:
        assert a[kind].read_bytes() == b[kind].read_bytes(), kind
    assert a["registry"].read_bytes() != c["registry"].read_bytes()
    assert a["survey"].read_bytes() != c["survey"].read_bytes()


def test_vectorised_check_agrees_with_the_reference() -> None:
    samples = [
        "360426199101010071",
        "44011320141005001X",
        "44011320141005001x",
        "412723199010050012",
        "110102199101010078",
        "36042619910102009X",
        "1.40902E+17",
        "140902800101001",
        None,
    ]
    got = pl.DataFrame({"公民身份号码": samples}).select(valid_expr()).to_series().to_list()
    assert got == [valid_id(s) for s in samples] == [True, True, True, True, True, False, False, False, False]


def test_id_numbers_valid_and_unique(registry: pl.DataFrame) -> None:
    assert registry["_ok"].mean() >= 0.98
    ok = registry.filter("_ok")
    # the only repeated ID numbers are the deliberate exact duplicate rows
    assert ok["公民身份号码"].str.to_uppercase().n_unique() == ok.drop("_ok").unique().height
    # certificate number = ID number + category digit + grade digit
    assert (ok["残疾人证号"].str.slice(0, 18) == ok["公民身份号码"].str.to_uppercase()).mean() > 0.99


def test_category_grade_age_and_rural_shares(registry: pl.DataFrame) -> None:
    ok = registry.filter("_ok")
    n = ok.height
    digits = {str(i + 1): name for i, name in enumerate(CATEGORY_SHARES)}
    cats = ok["残疾类别"].replace(digits)
    for name, share in CATEGORY_SHARES.items():
        assert abs((cats == name).sum() / n * 100 - share) < 3, name
    severe = ok["残疾等级"].is_in(["一级", "二级", "1", "2"]).mean() * 100
    assert 26 < severe < 34
    assert abs((ok["城乡类别"] == "农村").mean() * 100 - 75) < 3
    birth_year = ok["公民身份号码"].str.slice(6, 4).cast(pl.Int64)
    assert 0.03 < (birth_year > 2025 - 18).mean() < 0.07
    assert (birth_year <= 2025 - 60).mean() > 0.45


def test_households_share_number_village_and_type(registry: pl.DataFrame) -> None:
    clean = registry.filter(
        pl.col("_ok")
        & pl.col("户编号").is_not_null()
        & pl.col("城乡类别").is_in(["城镇", "农村"])
        & pl.col("户籍地区划代码").str.contains(r"^1409\d{5}(\d{3})?$")
    )
    households = clean.group_by("户编号").agg(
        pl.len().alias("n"),
        pl.col("户籍地区划代码").n_unique().alias("codes"),
        pl.col("城乡类别").n_unique().alias("types"),
    )
    assert (households["n"] >= 2).sum() > 100
    assert (households["n"] >= 3).sum() > 10
    assert ((households["codes"] == 1) & (households["types"] == 1)).mean() > 0.99
    assert 0.03 < (clean["户籍地区划代码"].str.len_chars() == 9).mean() < 0.07


def test_regions_are_visibly_synthetic(files: dict[str, Path], registry: pl.DataFrame) -> None:
    regions = read(files, "regions")
    below = regions.filter(pl.col("级别") != "县")
    assert below["名称"].str.contains("虚拟").all()
    assert set(below["级别"]) == {"乡镇", "村"}
    assert (below["区划代码"].str.len_chars() == below["上级代码"].str.len_chars() + 3).all()
    assert (below["区划代码"].str.starts_with(below["上级代码"])).all()
    codes = set(regions["区划代码"])
    used = registry.filter(pl.col("_ok") & pl.col("户籍地区划代码").str.contains(r"^1409\d{5}(\d{3})?$"))
    assert set(used["户籍地区划代码"]) <= codes


def test_lists_have_outsiders_and_name_mismatches(files: dict[str, Path], registry: pl.DataFrame) -> None:
    ok = registry.filter("_ok")
    names = dict(zip(ok["公民身份号码"].to_list(), ok["姓名"].to_list(), strict=True))
    ids = list(names)
    mismatches = rows = outside_rows = 0
    for kind in LISTS:
        df = with_valid(read(files, kind)).filter("_ok")
        outside = (~df["公民身份号码"].is_in(ids)).sum()
        if df.height >= 1000:  # small lists (orphans) are too small for a stable share
            assert 0.005 < outside / df.height < 0.06, kind
        rows += df.height
        outside_rows += outside
        known = df.filter(pl.col("公民身份号码").is_in(ids))
        registered = known["公民身份号码"].replace_strict(names)
        mismatches += (known["姓名"].str.strip_chars(" \u3000") != registered).sum()
    assert 0.01 < outside_rows / rows < 0.04
    assert 0.002 < mismatches / rows < 0.01


def test_deliberate_imperfections(files: dict[str, Path], registry: pl.DataFrame) -> None:
    deaths = set(read(files, "deaths")["公民身份号码"])
    roll = read(files, "subsidy_recipients")
    open_for_dead = roll.filter(pl.col("终止月份").is_null() & pl.col("公民身份号码").is_in(list(deaths)))
    assert open_for_dead.height > 0  # 死亡未停发
    dibao = read(files, "dibao").filter(pl.col("终止日期").is_null())
    living = set(roll.filter(pl.col("补贴类型") == "生活补贴")["公民身份号码"])
    members = dibao.filter(pl.col("公民身份号码").is_in(registry["公民身份号码"].to_list()))
    assert (~members["公民身份号码"].is_in(list(living))).sum() > 0  # 应补未补
    issued = registry.filter("_ok")["发证日期"].str.to_date("%Y-%m-%d", strict=False).drop_nulls()
    expired = (issued.dt.year() <= 2015).mean()  # a certificate is valid for 10 years
    assert 0.03 < expired < 0.07
    # malformed rows in every file with ID numbers, and exact duplicates
    for kind in [
        k for k in EXPECTED if k not in ("standards", "levy_standards", "employers", "employer_staff")
    ]:
        df = read(files, kind)
        bad = df.select((~valid_expr()).sum()).item()
        assert bad > 0 or df.height < 3000, kind
    reg = registry.drop("_ok")
    assert reg.height > reg.unique().height
    ids = registry["公民身份号码"]
    assert ids.str.contains(r"E\+17$").any() and (ids.str.len_chars() == 15).any()
    assert ids.str.contains(r"^\d{15}000$").any()
    assert registry["残疾类别"].is_in(["听障", "肢残", "视障", "智障"]).any()


def test_employment_declarations_with_imperfections(files: dict[str, Path]) -> None:
    from huican.exchange.validation import credit_code_check_ok

    employers = read(files, "employers")
    codes = employers["统一社会信用代码"].to_list()
    assert employers.height >= 3
    assert not all(credit_code_check_ok(code) for code in codes)  # a wrong check character
    assert any(code[0] in "NY" and credit_code_check_ok(code) for code in codes) or employers.height < 200
    staff = read(files, "employer_staff")
    # staff of an employer whose own row is malformed stay behind (rejected on import)
    assert staff["统一社会信用代码"].is_in(codes).mean() > 0.95
    assert staff.height > employers.height
