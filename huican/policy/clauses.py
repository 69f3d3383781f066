"""The clauses the benefit rules are made of (RULES.md "Decisions"), each defined once.

A clause is data: a stable code, a Chinese label, the policy basis, and two polars expressions over
the frame built by ``huican.policy.vocabulary.prepare`` — ``passed`` (True / False / null = unknown,
with Kleene logic for "or"/"and") and ``detail`` (the Chinese sentence stating the deciding fact).
An exclusion is written as a clause that fails when the exclusion holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from huican.policy.vocabulary import INTELLECTUAL_MENTAL


@dataclass(frozen=True)
class Clause:
    code: str
    label: str
    basis: str
    passed: pl.Expr
    detail: pl.Expr

    def based_on(self, basis: str) -> Clause:
        """The same clause cited under another policy document."""
        return replace(self, basis=basis)


c = pl.col

# Policy documents cited by the clauses.
CERTIFICATE_RULES = "《残疾人证管理办法》第十九条"
TWO_SUBSIDIES = "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）"
PLAN_SOCIAL_SECURITY = "《忻州市“十四五”残疾人保障和发展规划》三（二）"
PLAN_TOPUP = "《忻州市“十四五”残疾人保障和发展规划》三（二）、专栏2"
CHILD_REHAB = "《国务院关于建立残疾儿童康复救助制度的意见》（国发〔2018〕20号）"
PENSION = "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）"
RENOVATION = (
    "《忻州市“十四五”残疾人保障和发展规划》三（五）、专栏8（晋残联〔2022〕43号；具体条件未经核实，可配置）"
)

VALID_CERTIFICATE = Clause(
    "valid_certificate",
    "持有效残疾人证（状态正常、未死亡、在有效期内）",
    CERTIFICATE_RULES,
    c("valid_certificate"),
    c("certificate_text"),
)

SEVERE = Clause("severe", "重度残疾（一级或二级）", PLAN_SOCIAL_SECURITY, c("severe"), c("disability_text"))


def not_on_list(kind: str, label: str, basis: str) -> Clause:
    """An exclusion: being on list `kind` on D fails the clause."""
    return Clause(f"not_{kind}", label, basis, ~c(f"in_{kind}"), c(f"{kind}_text"))


IN_DIBAO = Clause("in_dibao", "在低保", PLAN_TOPUP, c("in_dibao"), c("dibao_text"))

_switch = c("living_includes_near_poor")
DIBAO_OR_NEAR_POOR = Clause(
    "dibao_or_near_poor",
    "在低保，或（生活补贴含低保边缘开关开启且家庭低收入或低保边缘）",
    TWO_SUBSIDIES,
    c("in_dibao") | (_switch & c("low_income_or_near_poor")),
    pl.when(c("in_dibao"))
    .then(c("dibao_text"))
    .when(_switch.is_null())
    .then(pl.lit("判定日不在低保名单；无生效的标准参数，不知是否含低保边缘家庭"))
    .when(~_switch)
    .then(pl.lit("判定日不在低保名单；本地生活补贴不含低保边缘家庭"))
    .otherwise(pl.format("判定日不在低保名单；{}", c("income_text"))),
)

_nursing_switch = c("nursing_includes_grade34_intellectual_mental")
_grade34_intellectual_mental = c("grade").is_in([3, 4]) & c("intellectual_mental")
NURSING_SEVERITY = Clause(
    "nursing_severity",
    "重度残疾（一、二级），或开关开启时的三、四级智力/精神残疾",
    TWO_SUBSIDIES,
    c("severe") | (_nursing_switch & _grade34_intellectual_mental),
    pl.when(c("severe") | ~_grade34_intellectual_mental)
    .then(c("disability_text"))
    .when(_nursing_switch.is_null())
    .then(pl.format("{}；无生效的标准参数，不知是否含三、四级智力精神残疾", c("disability_text")))
    .when(_nursing_switch)
    .then(pl.format("{}；本地护理补贴含三、四级智力精神残疾", c("disability_text")))
    .otherwise(pl.format("{}；本地护理补贴不含三、四级智力精神残疾", c("disability_text"))),
)

LONG_TERM_CARE = Clause(
    "long_term_care",
    "最近一次调查需要长期照护",
    TWO_SUBSIDIES,
    c("long_term_care"),
    c("long_term_care_text"),
)

LOW_INCOME_OR_NEAR_POOR = Clause(
    "low_income_or_near_poor",
    "家庭低收入或低保边缘（户人均年收入 < 低保边缘倍数 × 低保线）",
    PLAN_SOCIAL_SECURITY,
    c("low_income_or_near_poor"),
    c("income_text"),
)

SEVERE_OR_GRADE3_INTELLECTUAL_MENTAL = Clause(
    "severe_or_grade3_intellectual_mental",
    "一、二级重度残疾，或三级智力/精神残疾",
    PLAN_SOCIAL_SECURITY,
    c("severe") | ((c("grade") == 3) & c("category").is_in(list(INTELLECTUAL_MENTAL))),
    c("disability_text"),
)

CHILD_AGE = Clause(
    "child_age",
    "年龄不超过残疾儿童康复救助年龄上限",
    CHILD_REHAB,
    c("age") <= c("child_rehab_max_age"),
    pl.when(c("child_rehab_max_age").is_null())
    .then(pl.format("{}；无生效的标准参数，年龄上限未知", c("age_text")))
    .otherwise(pl.format("{}，上限 {} 周岁", c("age_text"), c("child_rehab_max_age"))),
)

WORKING_AGE = Clause(
    "working_age",
    "年龄 16–59 周岁",
    PENSION,
    (c("age") >= 16) & (c("age") <= 59),
    pl.format("{}（应为 16–59 周岁）", c("age_text")),
)

POOR_HOUSEHOLD = Clause(
    "poor_household",
    "低保、特困、家庭低收入或低保边缘",
    RENOVATION,
    c("in_dibao") | c("in_tekun") | c("low_income_or_near_poor"),
    pl.when(c("in_dibao"))
    .then(c("dibao_text"))
    .when(c("in_tekun"))
    .then(c("tekun_text"))
    .otherwise(pl.format("判定日不在低保、特困名单；{}", c("income_text"))),
)

RENOVATION_NEED = Clause(
    "renovation_need",
    "最近一次调查有无障碍改造需求",
    RENOVATION,
    c("renovation_need"),
    c("renovation_need_text"),
)

NO_COMPLETED_RENOVATION = Clause(
    "no_completed_renovation",
    "同户尚未完成无障碍改造",
    RENOVATION,
    c("renovated_on").is_null(),
    pl.when(c("renovated_on").is_null())
    .then(pl.format("同户（户编号 {}）无已完成的无障碍改造", c("household_number")))
    .otherwise(
        pl.format(
            "同户（户编号 {}）已于 {} 完成无障碍改造",
            c("household_number"),
            c("renovated_on").dt.strftime("%Y-%m-%d"),
        )
    ),
)
