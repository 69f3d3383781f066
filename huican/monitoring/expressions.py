"""Indicator definitions written in the plan file: a small, safe expression language.

A plan file defines a new indicator without Python (``definition:`` of an indicator)::

    definition:
      kind: rate                      # a percentage: numerator / denominator
      numerator: certified and eligible(living_subsidy) and receiving(living_subsidy)
      denominator: certified and eligible(living_subsidy)

    definition:
      kind: count                     # a number of persons or households
      count: households               # persons | households
      where: served("无障碍改造", "规划期", "完成")

Each expression is a condition on one registry person on the evaluation date D of year Y, over the
vocabulary of RULES.md (``VOCABULARY`` and ``FUNCTIONS`` below, each with its Chinese wording):

- ``and`` / ``且``, ``or`` / ``或``, ``not`` / ``非``, parentheses;
- comparisons ``>`` ``>=`` (``≥``) ``=`` (``==``) ``<=`` (``≤``) ``<`` ``!=`` (``≠``) between a fact and
  a number or a string, and ``name in ("a", "b")``;
- number literals (``16``, ``12.5``), string literals (``"完成"``, ``'完成'``, ``“完成”``), ``true``/``false``.

The text is read by the tokenizer and recursive-descent parser below (no ``eval``, no Python ``ast``),
checked (every name known, every operand of the right type) when the plan is loaded, and compiled to a
polars expression over the per-person frame of ``huican.monitoring.indicators``.

An unknown fact (no survey, a blank field) stays unknown (null): a comparison with it is unknown, ``not``
of it is unknown, and a person is counted only where the whole condition is true — unknown is never yes.

A rate is null (numerator, denominator and value) when a yearly list that the numerator reads and the
denominator does not (``medical_insured`` → 医疗保险参保名单 …) has no row for the period: the department
has not sent it (RULES.md, huican.matching.missing_lists). A count is null when a yearly list its condition
reads is missing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from huican.core.idnumbers import CATEGORY_NAMES
from huican.exchange.kinds import SERVICE_TYPES

BOOL, NUMBER, STRING = "bool", "number", "string"
TYPE_NAMES = {BOOL: "条件（真/假）", NUMBER: "数", STRING: "文字"}
COMPLETED_RESULTS = ("完成", "")


class ExpressionError(ValueError):
    """A malformed expression, an unknown name or a wrong type; ``detail`` reads after "…中".

    ``offset`` is the character of the expression text where the problem is (0-based).
    """

    def __init__(self, detail: str, offset: int = 0):
        super().__init__(detail)
        self.detail = detail
        self.offset = offset


# --- vocabulary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """A per-person fact of RULES.md "Vocabulary", read from a column of the per-person frame."""

    name: str
    type: str
    label: str  # plain Chinese
    column: str
    list_kind: str = ""  # the yearly list it reads (a missing list makes the indicator null)
    scale: int = 1  # the column holds value × scale (income in fen)
    aliases: tuple[str, ...] = ()

    def expr(self) -> pl.Expr:
        return pl.col(self.column)


_FACTS = (
    Fact("certified", BOOL, "持有效残疾人证", "valid_certificate", aliases=("valid_certificate", "持证")),
    Fact("dead", BOOL, "已死亡", "dead"),
    Fact("severe", BOOL, "重度残疾（一、二级）", "severe", aliases=("重度",)),
    Fact("intellectual_mental", BOOL, "智力或精神残疾", "intellectual_mental"),
    Fact("in_dibao", BOOL, "在低保名单", "in_dibao", aliases=("低保",)),
    Fact("in_tekun", BOOL, "在特困人员名单", "in_tekun", aliases=("特困",)),
    Fact("in_orphan", BOOL, "在孤儿和事实无人抚养儿童名单", "in_orphan"),
    Fact("in_elderly_care", BOOL, "在老年人护理补贴名单", "in_elderly_care"),
    Fact("in_injury_care", BOOL, "在工伤保险生活护理费名单", "in_injury_care"),
    Fact("low_income", BOOL, "家庭人均收入低于低保线", "low_income", aliases=("低收入",)),
    Fact("near_poor", BOOL, "低保边缘", "near_poor"),
    Fact("low_income_or_near_poor", BOOL, "低收入或低保边缘", "low_income_or_near_poor"),
    Fact("in_school", BOOL, "在校（学籍名单）", "in_school", list_kind="enrolment", aliases=("在校",)),
    Fact("school_age", BOOL, "义务教育适龄（6–15 周岁）", "school_age", aliases=("适龄",)),
    Fact("pension_insured", BOOL, "参加城乡居民养老保险", "pension_insured", list_kind="pension"),
    Fact("medical_insured", BOOL, "参加基本医疗保险", "medical_insured", list_kind="medical"),
    Fact("age", NUMBER, "年龄（周岁）", "age", aliases=("年龄",)),
    Fact("grade", NUMBER, "残疾等级", "grade"),
    Fact("household_size", NUMBER, "家庭人口数（最近一次调查）", "household_size"),
    Fact("income", NUMBER, "家庭人均年收入（元，最近一次调查）", "income_fen", scale=100),
    Fact("disability_category", STRING, "残疾类别", "_disability_category"),
    Fact("urban_rural", STRING, "城乡类别", "urban_rural"),
    Fact("employment", STRING, "就业状况（最近一次调查）", "employment"),
    Fact("status", STRING, "证件状态", "status_on"),
    Fact("county_code", STRING, "户籍县级区划代码", "county_code"),
)
VOCABULARY: dict[str, Fact] = {}
for _fact in _FACTS:
    for _name in (_fact.name, *_fact.aliases):
        VOCABULARY[_name] = _fact


def _benefits() -> dict[str, str]:
    from huican.policy.rules import BENEFIT_NAMES

    return dict(BENEFIT_NAMES)


RECEIVED = {"living_subsidy": "receiving_living", "nursing_subsidy": "receiving_nursing"}
NEEDS = {  # need → (survey column, Chinese)
    "rehab": ("rehab_need", "康复需求"),
    "device": ("device_need", "辅助器具需求"),
    "care": ("care_service_need", "托养需求"),
    "long_term_care": ("long_term_care", "长期照护需求"),
    "renovation": ("renovation_need", "无障碍改造需求"),
}
PERIODS = {  # period → Chinese; aliases
    "year": "本年（Y 年 1 月 1 日至判定日）",
    "plan": "规划期（规划首日至判定日）",
    "last_365_days": "近 365 天",
}
PERIOD_ALIASES = {"本年": "year", "规划期": "plan", "近365天": "last_365_days"}
RESULTS = {"any": "任意结果", "completed": "结果为完成（或未填）"}
RESULT_ALIASES = {"任意": "any", "完成": "completed"}


@dataclass(frozen=True)
class Function:
    name: str
    signature: str
    label: str


FUNCTIONS = {
    "eligible": Function("eligible", "eligible(待遇代码)", "符合该待遇条件（RULES.md Decisions）"),
    "receiving": Function("receiving", "receiving(living_subsidy|nursing_subsidy)", "判定日正在享受该补贴"),
    "need": Function("need", "need(rehab|device|care|long_term_care|renovation)", "Y 年调查记录有该需求"),
    "latest_need": Function("latest_need", "latest_need(同上)", "最近一次调查记录有该需求"),
    "served": Function(
        "served",
        'served("服务类型"[, "本年"|"规划期"|"近365天"[, "任意"|"完成"]])',
        "有该类服务记录（默认：本年、任意结果）",
    ),
    "known": Function("known", "known(事实)", "该事实已知（有调查、已填写）"),
}
FUNCTION_ALIASES = {
    "符合": "eligible",
    "享受": "receiving",
    "需求": "need",
    "服务": "served",
    "已知": "known",
}


# --- tokens ------------------------------------------------------------------------------------------

KEYWORDS = {
    "and": "and",
    "且": "and",
    "or": "or",
    "或": "or",
    "not": "not",
    "非": "not",
    "in": "in",
    "true": "true",
    "false": "false",
}
OPERATORS = {
    ">=": ">=",
    "≥": ">=",
    "<=": "<=",
    "≤": "<=",
    "==": "==",
    "=": "==",
    "!=": "!=",
    "≠": "!=",
    ">": ">",
    "<": "<",
}
PUNCTUATION = {"(": "(", "（": "(", ")": ")", "）": ")", ",": ",", "，": ","}
QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」"}
SEPARATING = {"且", "或", "非"}  # a one-character keyword ends a Chinese name


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, op, punct, keyword, end
    value: str
    offset: int


def _is_name_char(char: str, first: bool) -> bool:
    if char in SEPARATING:
        return False
    if char == "_" or char.isalpha():
        return True
    return not first and char.isdigit()


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        two = text[i : i + 2]
        if two in OPERATORS:
            tokens.append(Token("op", OPERATORS[two], i))
            i += 2
            continue
        if char in OPERATORS:
            tokens.append(Token("op", OPERATORS[char], i))
            i += 1
            continue
        if char in PUNCTUATION:
            tokens.append(Token("punct", PUNCTUATION[char], i))
            i += 1
            continue
        if char in QUOTES:
            close = QUOTES[char]
            end = text.find(close, i + 1)
            if end < 0:
                raise ExpressionError(f"有语法错误：第 {i + 1} 个字符起的文字没有结束引号", i)
            tokens.append(Token("string", text[i + 1 : end], i))
            i = end + 1
            continue
        if char.isdigit() or (char == "-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            literal = text[i:j]
            try:
                Decimal(literal)
            except InvalidOperation:
                raise ExpressionError(f"有语法错误：{literal} 不是数", i) from None
            tokens.append(Token("number", literal, i))
            i = j
            continue
        if char in SEPARATING:
            tokens.append(Token("keyword", KEYWORDS[char], i))
            i += 1
            continue
        if _is_name_char(char, True):
            j = i + 1
            while j < n and _is_name_char(text[j], False):
                j += 1
            word = text[i:j]
            if word.lower() in KEYWORDS:
                tokens.append(Token("keyword", KEYWORDS[word.lower()], i))
            else:
                tokens.append(Token("name", word, i))
            i = j
            continue
        raise ExpressionError(f"有语法错误：第 {i + 1} 个字符 {char!r} 不能用在表达式中", i)
    tokens.append(Token("end", "", n))
    return tokens


# --- syntax tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    offset: int

    @property
    def type(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Literal(Node):
    value: Any  # Decimal, str or bool
    literal_type: str

    @property
    def type(self) -> str:
        return self.literal_type


@dataclass(frozen=True)
class FactRef(Node):
    fact: Fact

    @property
    def type(self) -> str:
        return self.fact.type


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[str, ...]  # normalised arguments
    fact: Fact | None = None  # known(fact)

    @property
    def type(self) -> str:
        return BOOL


@dataclass(frozen=True)
class Not(Node):
    operand: Node

    @property
    def type(self) -> str:
        return BOOL


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # and | or
    operands: tuple[Node, ...]

    @property
    def type(self) -> str:
        return BOOL


@dataclass(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node

    @property
    def type(self) -> str:
        return BOOL


@dataclass(frozen=True)
class In(Node):
    operand: Node
    values: tuple[Literal, ...]

    @property
    def type(self) -> str:
        return BOOL


def _suggest(word: str, names: list[str]) -> str:
    close = difflib.get_close_matches(word, names, n=1)
    return f"（是否想写 {close[0]}？）" if close else ""


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.position = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.token
        self.position += 1
        return token

    def at(self, kind: str, value: str | None = None) -> bool:
        token = self.token
        return token.kind == kind and (value is None or token.value == value)

    def expect(self, kind: str, value: str, what: str) -> Token:
        if not self.at(kind, value):
            self.fail(f"应为{what}")
        return self.advance()

    def fail(self, expected: str) -> None:
        token = self.token
        found = "表达式结束" if token.kind == "end" else f"“{token.value}”"
        raise ExpressionError(
            f"有语法错误：第 {token.offset + 1} 个字符处{expected}，实为{found}", token.offset
        )

    def parse(self) -> Node:
        if self.at("end"):
            raise ExpressionError("没有内容（表达式为空）", 0)
        node = self.or_()
        if not self.at("end"):
            self.fail("应为 and、or 或表达式结束")
        return node

    def or_(self) -> Node:
        return self._chain("or", self.and_)

    def and_(self) -> Node:
        return self._chain("and", self.not_)

    def _chain(self, op: str, operand: Callable[[], Node]) -> Node:
        first = operand()
        items = [first]
        while self.at("keyword", op):
            self.advance()
            items.append(operand())
        if len(items) == 1:
            return first
        for item in items:
            _require(item, BOOL, f"{op} 的每一项")
        return BoolOp(first.offset, op, tuple(items))

    def not_(self) -> Node:
        if self.at("keyword", "not"):
            token = self.advance()
            operand = self.not_()
            _require(operand, BOOL, "not 之后")
            return Not(token.offset, operand)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.primary()
        if self.at("op"):
            token = self.advance()
            right = self.primary()
            return _compare(token, left, right)
        if self.at("keyword", "in"):
            token = self.advance()
            self.expect("punct", "(", "“(”")
            values = [self.literal()]
            while self.at("punct", ","):
                self.advance()
                values.append(self.literal())
            self.expect("punct", ")", "“)”")
            for value in values:
                if value.type != left.type or left.type == BOOL:
                    raise ExpressionError(
                        f"有类型错误：in 的左边是{TYPE_NAMES[left.type]}，列出的值须是同类的数或文字",
                        token.offset,
                    )
            return In(left.offset, left, tuple(values))
        return left

    def literal(self) -> Literal:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Literal(token.offset, Decimal(token.value), NUMBER)
        if token.kind == "string":
            self.advance()
            return Literal(token.offset, token.value, STRING)
        self.fail("应为数或文字")
        raise AssertionError  # unreachable

    def primary(self) -> Node:
        token = self.token
        if token.kind in ("number", "string"):
            return self.literal()
        if token.kind == "keyword" and token.value in ("true", "false"):
            self.advance()
            return Literal(token.offset, token.value == "true", BOOL)
        if self.at("punct", "("):
            self.advance()
            node = self.or_()
            self.expect("punct", ")", "“)”")
            return node
        if token.kind == "name":
            self.advance()
            if self.at("punct", "("):
                return self.call(token)
            fact = VOCABULARY.get(token.value)
            if fact is None:
                if token.value in FUNCTIONS or token.value in FUNCTION_ALIASES:
                    raise ExpressionError(
                        f"有语法错误：{token.value} 是函数，须写成 {token.value}(…)", token.offset
                    )
                raise ExpressionError(
                    f"有未知名称 {token.value}{_suggest(token.value, sorted(VOCABULARY))}", token.offset
                )
            return FactRef(token.offset, fact)
        self.fail("应为名称、数、文字或“(”")
        raise AssertionError  # unreachable

    def call(self, name: Token) -> Node:
        function = FUNCTION_ALIASES.get(name.value, name.value)
        if function not in FUNCTIONS:
            raise ExpressionError(
                f"有未知名称 {name.value}（函数）{_suggest(name.value, sorted(FUNCTIONS))}", name.offset
            )
        self.expect("punct", "(", "“(”")
        args: list[Token] = []
        if not self.at("punct", ")"):
            args.append(self.argument())
            while self.at("punct", ","):
                self.advance()
                args.append(self.argument())
        self.expect("punct", ")", "“)”")
        return _call(name, function, args)

    def argument(self) -> Token:
        if self.token.kind in ("name", "string", "number"):
            return self.advance()
        self.fail("应为参数（名称或文字）")
        raise AssertionError  # unreachable


def _require(node: Node, kind: str, where: str) -> None:
    if node.type != kind:
        raise ExpressionError(
            f"有类型错误：{where}须是{TYPE_NAMES[kind]}，第 {node.offset + 1} 个字符起的是{TYPE_NAMES[node.type]}",
            node.offset,
        )


def _compare(token: Token, left: Node, right: Node) -> Compare:
    if left.type != right.type:
        raise ExpressionError(
            f"有类型错误：{token.value} 两边须是同类，左边是{TYPE_NAMES[left.type]}，右边是{TYPE_NAMES[right.type]}",
            token.offset,
        )
    if left.type in (BOOL, STRING) and token.value not in ("==", "!="):
        raise ExpressionError(
            f"有类型错误：{TYPE_NAMES[left.type]}只能用 = 或 != 比较，不能用 {token.value}", token.offset
        )
    if isinstance(left, Literal) and isinstance(right, Literal):
        raise ExpressionError("有类型错误：比较的两边都是常量，至少一边须是事实", token.offset)
    return Compare(token.offset, token.value, left, right)


def _choice(token: Token, allowed: dict[str, Any], aliases: dict[str, str], what: str) -> str:
    value = aliases.get(token.value, token.value)
    if value not in allowed:
        names = [*allowed, *aliases]
        raise ExpressionError(f"有未知名称 {token.value}（{what}，可用：{'、'.join(names)}）", token.offset)
    return value


def _call(name: Token, function: str, args: list[Token]) -> Call:
    def arity(low: int, high: int) -> None:
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low}–{high}"
            raise ExpressionError(
                f"有语法错误：{name.value} 要 {wanted} 个参数，写了 {len(args)} 个（{FUNCTIONS[function].signature}）",
                name.offset,
            )

    if function == "eligible":
        arity(1, 1)
        benefits = _benefits()
        names = {text: code for code, text in benefits.items()}
        return Call(name.offset, function, (_choice(args[0], benefits, names, "待遇"),))
    if function == "receiving":
        arity(1, 1)
        return Call(
            name.offset,
            function,
            (
                _choice(
                    args[0], RECEIVED, {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}, "补贴"
                ),
            ),
        )
    if function in ("need", "latest_need"):
        arity(1, 1)
        return Call(name.offset, function, (_choice(args[0], NEEDS, {}, "需求"),))
    if function == "served":
        arity(1, 3)
        category = args[0].value
        if category not in SERVICE_TYPES:
            raise ExpressionError(
                f"有未知名称 {category}（服务类型，可用：{'、'.join(SERVICE_TYPES)}）", args[0].offset
            )
        period = _choice(args[1], PERIODS, PERIOD_ALIASES, "期间") if len(args) > 1 else "year"
        result = _choice(args[2], RESULTS, RESULT_ALIASES, "结果") if len(args) > 2 else "any"
        return Call(name.offset, function, (category, period, result))
    # known(fact)
    arity(1, 1)
    fact = VOCABULARY.get(args[0].value)
    if fact is None:
        raise ExpressionError(
            f"有未知名称 {args[0].value}{_suggest(args[0].value, sorted(VOCABULARY))}", args[0].offset
        )
    return Call(name.offset, "known", (fact.name,), fact)


# --- expressions and definitions --------------------------------------------------------------------------


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Not):
        yield from _walk(node.operand)
    elif isinstance(node, BoolOp):
        for item in node.operands:
            yield from _walk(item)
    elif isinstance(node, Compare):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, In):
        yield from _walk(node.operand)


@dataclass(frozen=True)
class Expression:
    """A parsed, checked condition on one person (``parse_condition``)."""

    text: str
    node: Node = field(compare=False)

    @property
    def lists_read(self) -> frozenset[str]:
        """The yearly lists (medical, pension, enrolment) the condition reads."""
        kinds = set()
        for node in _walk(self.node):
            fact = node.fact if isinstance(node, (FactRef, Call)) else None
            if fact is not None and fact.list_kind:
                kinds.add(fact.list_kind)
        return frozenset(kinds)

    def polars(self, context: Context) -> pl.Expr:
        """The condition as a polars expression over the per-person frame (null = unknown)."""
        return _compile(self.node, context)

    def describe(self) -> str:
        """The condition in plain Chinese (from the vocabulary's wording)."""
        return _tidy(_describe(self.node))


def parse_condition(text: str) -> Expression:
    """Parse and check a condition (a 条件: true or false for a person); ExpressionError otherwise."""
    text = str(text).strip()
    node = _Parser(text).parse()
    _require(node, BOOL, "整个表达式")
    return Expression(text, node)


RATE, COUNT = "rate", "count"
DEFINITION_KINDS = {RATE: "比率", COUNT: "计数"}
COUNT_OF = {"persons": "人数", "households": "户数"}


@dataclass(frozen=True)
class Definition:
    """How an indicator is computed: ``rate`` numerator/denominator, or ``count`` of persons/households."""

    kind: str
    numerator: Expression | None = None
    denominator: Expression | None = None
    count: str = ""  # persons | households
    where: Expression | None = None

    @property
    def lists_measured(self) -> frozenset[str]:
        """The yearly lists whose absence makes the value unknown (see the module docstring)."""
        if self.kind == RATE:
            assert self.numerator is not None and self.denominator is not None
            return self.numerator.lists_read - self.denominator.lists_read
        assert self.where is not None
        return self.where.lists_read

    def parts(self) -> list[tuple[str, str, Expression]]:
        """(key, Chinese name, expression) of each written part."""
        if self.kind == RATE:
            assert self.numerator is not None and self.denominator is not None
            return [("numerator", "分子", self.numerator), ("denominator", "分母", self.denominator)]
        assert self.where is not None
        return [("where", "计数条件", self.where)]

    def describe(self) -> str:
        if self.kind == RATE:
            assert self.numerator is not None and self.denominator is not None
            numerator, denominator = _spaced(self.numerator.describe()), _spaced(self.denominator.describe())
            return f"比率：{numerator}的人数 ÷ {denominator}的人数 × 100%"
        assert self.where is not None
        unit = "户数（不同户编号）" if self.count == "households" else "人数"
        return f"计数：{_spaced(self.where.describe())}的{unit}"

    def as_dict(self) -> dict[str, str]:
        if self.kind == RATE:
            assert self.numerator is not None and self.denominator is not None
            return {"kind": RATE, "numerator": self.numerator.text, "denominator": self.denominator.text}
        assert self.where is not None
        return {"kind": COUNT, "count": self.count, "where": self.where.text}


# --- compiling ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What a compiled condition reads beside the per-person frame: the facts of D, the decisions,
    the year Y and the plan's first day."""

    facts: Any  # huican.policy.facts.Facts
    decisions: pl.DataFrame
    year: int
    plan_start: dt.date
    _ids: dict[tuple[str, ...], pl.Series] = field(default_factory=dict)

    @property
    def on(self) -> dt.date:
        return self.facts.on

    def ids(self, key: tuple[str, ...]) -> pl.Series:
        if key not in self._ids:
            self._ids[key] = self._compute(key)
        return self._ids[key]

    def _compute(self, key: tuple[str, ...]) -> pl.Series:
        kind = key[0]
        if kind == "eligible":
            rows = self.decisions.filter((pl.col("benefit") == key[1]) & (pl.col("decision") == "eligible"))
        elif kind == "need":
            column = NEEDS[key[1]][0]
            rows = self.facts.surveys.filter((pl.col("year") == self.year) & pl.col(column).fill_null(False))
        else:  # served
            category, period, result = key[1:]
            on = self.on
            services = self.facts.lists["services"].filter(
                pl.col("person_id").is_not_null() & (pl.col("category") == category)
            )
            if period == "year":
                services = services.filter(
                    (pl.col("start_date").dt.year() == self.year) & (pl.col("start_date") <= on)
                )
            elif period == "plan":
                services = services.filter(pl.col("start_date").is_between(self.plan_start, on))
            else:
                services = services.filter(pl.col("start_date").is_between(on - dt.timedelta(days=364), on))
            if result == "completed":
                services = services.filter(pl.col("status").fill_null("").is_in(COMPLETED_RESULTS))
            rows = services
        return rows.get_column("person_id").unique()


def _member(ids: pl.Series) -> pl.Expr:
    return pl.col("person_id").is_in(ids.implode())


def _value(node: Node, scale: int, context: Context) -> pl.Expr:
    if isinstance(node, Literal):
        if node.literal_type == NUMBER:
            value = node.value * scale
            return pl.lit(int(value) if value == value.to_integral_value() else float(value))
        return pl.lit(node.value)
    if isinstance(node, FactRef):
        if node.fact.name == "disability_category":
            return pl.col("category").replace_strict(CATEGORY_NAMES, default=None, return_dtype=pl.String)
        expr = node.fact.expr()
        return expr if node.fact.scale == scale else expr * scale / node.fact.scale
    return _compile(node, context)


def _scale(*nodes: Node) -> int:
    return max((n.fact.scale for n in nodes if isinstance(n, FactRef)), default=1)


_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "!=": lambda a, b: a != b,
}


def _compile(node: Node, context: Context) -> pl.Expr:
    if isinstance(node, Literal):
        return pl.lit(node.value, dtype=pl.Boolean)
    if isinstance(node, FactRef):
        return node.fact.expr()
    if isinstance(node, Not):
        return ~_compile(node.operand, context)
    if isinstance(node, BoolOp):
        items = [_compile(item, context) for item in node.operands]
        result = items[0]
        for item in items[1:]:
            result = (result & item) if node.op == "and" else (result | item)
        return result
    if isinstance(node, Compare):
        scale = _scale(node.left, node.right)
        return _OPS[node.op](_value(node.left, scale, context), _value(node.right, scale, context))
    if isinstance(node, In):
        scale = _scale(node.operand)
        values = [_value(v, scale, context) for v in node.values]
        operand = _value(node.operand, scale, context)
        result = operand == values[0]
        for value in values[1:]:
            result = result | (operand == value)
        return result
    assert isinstance(node, Call)
    if node.function == "receiving":
        return pl.col(RECEIVED[node.args[0]])
    if node.function == "latest_need":
        return pl.col(NEEDS[node.args[0]][0])
    if node.function == "known":
        assert node.fact is not None
        return _value(FactRef(node.offset, node.fact), node.fact.scale, context).is_not_null()
    return _member(context.ids((node.function, *node.args)))


# --- plain Chinese ----------------------------------------------------------------------------------------


def _tidy(text: str) -> str:
    """One space around a number, none next to Chinese punctuation or at either end."""
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r" ?([（）、，÷]) ?", r"\1", text)
    return text.strip()


def _spaced(text: str) -> str:
    """A space after a trailing number before Chinese text follows (「等于 1 的人数」)."""
    return f"{text} " if text[-1:].isascii() and text[-1:].isalnum() else text


_OP_TEXT = {">": "大于", ">=": "不小于", "==": "等于", "<=": "不大于", "<": "小于", "!=": "不等于"}


def _describe(node: Node) -> str:
    if isinstance(node, Literal):
        if node.literal_type == BOOL:
            return "是" if node.value else "否"
        return f"“{node.value}”" if node.literal_type == STRING else f" {node.value} "
    if isinstance(node, FactRef):
        return node.fact.label
    if isinstance(node, Not):
        return (
            f"非（{_describe(node.operand)}）"
            if isinstance(node.operand, BoolOp)
            else f"非{_describe(node.operand)}"
        )
    if isinstance(node, BoolOp):
        joiner = "且" if node.op == "and" else "或"
        return joiner.join(
            f"（{_describe(item)}）" if isinstance(item, BoolOp) else _describe(item)
            for item in node.operands
        )
    if isinstance(node, Compare):
        return f"{_describe(node.left)}{_OP_TEXT[node.op]}{_describe(node.right)}"
    if isinstance(node, In):
        return f"{_describe(node.operand)}为{'、'.join(_describe(v) for v in node.values)}之一"
    assert isinstance(node, Call)
    if node.function == "eligible":
        return f"符合{_benefits()[node.args[0]]}条件"
    if node.function == "receiving":
        return f"正在享受{_benefits()[node.args[0]]}"
    if node.function == "need":
        return f"当年调查有{NEEDS[node.args[0]][1]}"
    if node.function == "latest_need":
        return f"最近一次调查有{NEEDS[node.args[0]][1]}"
    if node.function == "known":
        return f"{node.fact.label if node.fact else node.args[0]}已知"
    category, period, result = node.args
    period_text = {"year": "当年", "plan": "规划期内", "last_365_days": "近 365 天内"}[period]
    result_text = "已完成（或未填结果）的" if result == "completed" else ""
    return f"{period_text}有{result_text}{category}记录"
