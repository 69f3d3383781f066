"""The expression language of plan-file indicator definitions (huican.monitoring.expressions)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import polars as pl
import pytest

from huican.monitoring.expressions import Context, ExpressionError, parse_condition, tokenize
from huican.monitoring.plan import DEFAULT_PLAN, PlanError, parse_plan_text

PLAN_TEXT = DEFAULT_PLAN.read_text(encoding="utf-8")


def with_indicator(block: str) -> str:
    """The 2021–2025 plan with one more indicator (`block`, indented as a list item) after 专栏1."""
    marker = "\n# 专栏2–9 重点项目"
    return PLAN_TEXT.replace(marker, "\n" + block.rstrip("\n") + "\n" + marker, 1)


def line_of(text: str, needle: str, after: str = "  - code: care_coverage") -> int:
    """The line of `needle`, looked for from the line holding `after`."""
    return text[: text.index(needle, text.index(after))].count("\n") + 1


CARE = """\
  - code: care_coverage
    number: 12
    name: 托养需求服务率
    unit: "%"
    target: 60
    comparison: ">="
    kind: expected
    definition:
      kind: rate
      numerator: certified and need(care) and served("托养服务", "近365天") and foo
      denominator: certified and need(care)
"""


def test_an_unknown_name_fails_the_load_naming_the_line():
    text = with_indicator(CARE)
    with pytest.raises(PlanError) as caught:
        parse_plan_text(text)
    line = line_of(text, "numerator: certified and need(care)")
    assert str(caught.value).startswith(f"第 {line} 行：指标 care_coverage 的分子中有未知名称 foo")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("certified and (in_dibao", "语法错误"),
        ("certified and", "语法错误"),
        ("age >= ", "语法错误"),
        ("age", "类型错误"),
        ('age >= "十六"', "类型错误"),
        ("certified and 16", "类型错误"),
        ('employment > "就业"', "类型错误"),
        ("eligible(free_lunch)", "未知名称 free_lunch"),
        ('served("理发")', "未知名称 理发"),
        ('served("康复服务", "下个月")', "未知名称 下个月"),
        ("receiving(living_subsidy, 2)", "参数"),
        ("certified $ severe", "语法错误"),
        ('"低保" = "低保"', "类型错误"),
        ("   ", "为空"),
    ],
)
def test_malformed_expressions_fail_the_load_naming_the_line(expression, message):
    numerator = '      numerator: certified and need(care) and served("托养服务", "近365天") and foo\n'
    text = with_indicator(
        CARE.replace(numerator, f"      numerator: {json.dumps(expression, ensure_ascii=False)}\n")
    )
    with pytest.raises(PlanError, match=message) as caught:
        parse_plan_text(text)
    assert str(caught.value).startswith(
        f"第 {line_of(text, '      numerator: ')} 行：指标 care_coverage 的分子中"
    )


def test_a_block_expression_names_the_line_of_the_error():
    block = CARE.replace(
        '      numerator: certified and need(care) and served("托养服务", "近365天") and foo\n',
        "      numerator: |\n        certified\n        and need(care)\n        and bar\n",
    )
    text = with_indicator(block)
    with pytest.raises(PlanError, match="未知名称 bar") as caught:
        parse_plan_text(text)
    assert str(caught.value).startswith(f"第 {line_of(text, '        and bar')} 行")


def test_an_indicator_with_neither_a_built_in_code_nor_a_definition_fails_the_load():
    block = CARE.split("    definition:")[0]
    text = with_indicator(block)
    with pytest.raises(PlanError, match="指标 care_coverage 没有内置定义") as caught:
        parse_plan_text(text)
    assert str(caught.value).startswith(f"第 {line_of(text, '  - code: care_coverage')} 行")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('unit: "%"', "unit: 人"), "比率的单位须是 %"),
        (("kind: rate", "kind: ratio"), "definition.kind"),
        (("denominator:", "denominater:"), "未知字段 denominater"),
        (('comparison: ">="', "comparison: gdp"), "gdp 只用于"),
        (('comparison: ">="', 'comparison: "≈"'), "comparison"),
    ],
)
def test_definition_fields_are_checked(change, message):
    block = CARE.replace(" and foo", "").replace(*change)
    with pytest.raises(PlanError, match=message):
        parse_plan_text(with_indicator(block))


def test_a_count_definition_and_every_comparison_are_accepted():
    block = """\
  - code: severe_living_alone
    number: 12
    name: 独居重度残疾人数
    unit: 人
    target: 50
    comparison: "≤"
    kind: expected
    scope: city
    description: 最近一次调查家庭人口数为 1 的重度持证残疾人人数。
    definition:
      kind: count
      count: persons
      where: 持证 且 重度 且 household_size = 1
"""
    plan = parse_plan_text(with_indicator(block))
    item = plan.indicator("severe_living_alone")
    assert item.definition is not None
    assert (item.comparison, item.definition.kind, item.definition.count) == ("<=", "count", "persons")
    assert item.description.startswith("最近一次调查")
    assert (
        item.definition.describe()
        == "计数：持有效残疾人证且重度残疾（一、二级）且家庭人口数（最近一次调查）等于 1 的人数"
    )
    for op in (">", ">=", "≥", "=", "==", "<=", "≤", "<", "!=", "≠"):
        assert parse_condition(f"age {op} 16").text == f"age {op} 16"


def test_the_tokenizer_reads_chinese_keywords_quotes_and_operators():
    tokens = [(t.kind, t.value) for t in tokenize("持证且非低保或 age≥16 and employment = “未就业”")]
    assert tokens == [
        ("name", "持证"), ("keyword", "and"), ("keyword", "not"), ("name", "低保"), ("keyword", "or"),
        ("name", "age"), ("op", ">="), ("number", "16"), ("keyword", "and"), ("name", "employment"),
        ("op", "=="), ("string", "未就业"), ("end", ""),
    ]  # fmt: skip
    with pytest.raises(ExpressionError, match="引号"):
        tokenize('served("康复服务)')


def test_conditions_evaluate_with_unknown_never_counted_as_yes():
    frame = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4],
            "valid_certificate": [True, True, True, False],
            "age": [10, 20, 70, 30],
            "low_income": [True, None, False, True],
            "income_fen": [500_000, None, 2_000_050, 100],
            "employment": ["未就业", "就业", None, "未就业"],
            "category": [5, 6, 1, 7],
        },
        schema_overrides={"category": pl.Int8},
    )
    services = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 3],
            "category": ["康复服务", "康复服务", "职业技能培训", "康复服务"],
            "start_date": [
                dt.date(2024, 3, 1),
                dt.date(2023, 12, 31),
                dt.date(2021, 5, 1),
                dt.date(2024, 6, 1),
            ],
            "status": ["完成", None, "", "进行中"],
        }
    )
    facts = SimpleNamespace(on=dt.date(2024, 12, 31), lists={"services": services}, surveys=pl.DataFrame())
    context = Context(facts=facts, decisions=pl.DataFrame(), year=2024, plan_start=dt.date(2021, 1, 1))

    def who(text: str) -> list[int]:
        condition = parse_condition(text).polars(context).fill_null(False)
        return frame.filter(condition).get_column("person_id").to_list()

    assert who("certified and not low_income") == [3]  # person 2's income is unknown
    assert who("not (age < 16 or age >= 60)") == [2, 4]
    assert who("income > 20000") == [3]
    assert who("income >= 5000 and income <= 5000") == [1]
    assert who("known(income)") == [1, 3, 4]
    assert who('employment = "未就业" 且 持证') == [1]
    assert who('disability_category in ("智力", "精神")') == [1, 2]
    assert who('employment != "就业"') == [1, 4]
    assert who('served("康复服务")') == [1, 3]
    assert who('served("康复服务", "本年", "完成")') == [1]
    assert who('served("职业技能培训", "规划期", "完成")') == [3]
    assert who('served("康复服务", "近365天", "任意")') == [1, 3]
    assert who("true") == [1, 2, 3, 4]


def test_a_file_of_the_wrong_shape_is_a_plan_error_not_a_crash():
    with pytest.raises(PlanError, match="格式不对"):
        parse_plan_text(PLAN_TEXT.replace("tasks:\n", "tasks:\n  - just a line\n", 1))
    with pytest.raises(PlanError, match=r"第 \d 行：规划文件不是有效的 YAML"):
        parse_plan_text("plan:\n  code: [unclosed\n")
