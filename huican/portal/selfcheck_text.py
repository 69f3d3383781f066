"""The self-check's plain words (易读): what each clause of the rules means for the visitor, and where
to apply for each benefit.

Wording only: whether a clause passed is decided by huican.policy (see huican.portal.selfcheck);
here each clause code gets a sentence for "passed", "failed" and "not known yet". A clause added to
the rules later without a sentence here falls back to its own label, so nothing is ever left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.policy.rules import ELIGIBLE, FLAG_NAMES, INELIGIBLE, UNKNOWN

if TYPE_CHECKING:
    from huican.portal.selfcheck import Answers

OUTCOME_NAMES = {
    ELIGIBLE: gettext_lazy("可能可以申请"),
    UNKNOWN: gettext_lazy("还不能确定"),
    INELIGIBLE: gettext_lazy("可能不符合"),
}
CITY_STANDARDS = gettext_lazy("全市")

ERRORS = {
    "county": gettext_lazy("请选择户口所在的县（市、区）"),
    "urban_rural": gettext_lazy("请选择户口是城镇还是农村"),
    "age": gettext_lazy("请填写年龄，用数字，0 到 120 之间，例如 45"),
    "certificate": gettext_lazy("请选择有没有残疾人证"),
    "category": gettext_lazy("请从列表中选择残疾类别，不清楚就选“不清楚”"),
    "grade": gettext_lazy("请选择残疾等级，不清楚就选“不清楚”"),
    "hardship": gettext_lazy("请选择家里的情况，不清楚就选“不清楚”"),
    "income": gettext_lazy("家庭人均年收入请填数字（元），例如 3600，不知道可以不填"),
    "long_term_care": gettext_lazy("请选择是否需要长期有人照护，不清楚就选“不清楚”"),
    "renovation": gettext_lazy("请选择家里是否需要无障碍改造，不清楚就选“不清楚”"),
    "other_support": gettext_lazy("请从列出的待遇中选择"),
}

_INCOME = gettext_lazy("家庭人均年收入（全家一年的总收入除以家里人数）。")
_NO_STANDARDS = gettext_lazy("当地的低保标准还没有录入本系统，请向乡镇（街道）民政办咨询。")

# clause code → sentence when the clause passed (empty: nothing worth saying, e.g. an exclusion)
PASSED: dict[str, Any] = {
    "valid_certificate": gettext_lazy("您有残疾人证，还在有效期内。"),
    "dibao_or_near_poor": gettext_lazy("您家享受低保，或者属于本地生活补贴包括的低保边缘家庭。"),
    "nursing_severity": gettext_lazy("您是{disability}，符合护理补贴对残疾等级的要求。"),
    "long_term_care": gettext_lazy("您需要长期有人照护。"),
    "low_income_or_near_poor": gettext_lazy("您家人均收入低于当地低保边缘标准。"),
    "severe_or_grade3_intellectual_mental": gettext_lazy("您是{disability}，可以单独申请低保。"),
    "in_dibao": gettext_lazy("您家享受低保。"),
    "severe": gettext_lazy("您是{disability}，属于重度残疾。"),
    "child_age": gettext_lazy("您今年 {age} 岁，在 {max_age} 岁以内。"),
    "working_age": gettext_lazy("您今年 {age} 岁，在 16 到 59 岁之间。"),
    "poor_household": gettext_lazy("您家享受低保或特困，或者家庭收入较低。"),
    "renovation_need": gettext_lazy("您家需要无障碍改造。"),
}
# clause code → sentence when the clause failed
FAILED: dict[str, Any] = {
    "valid_certificate": gettext_lazy("您的残疾人证已经过期，要先到{county}残联换新证。"),
    "dibao_or_near_poor": gettext_lazy("这项补贴给享受低保的家庭{near_poor}；您家目前不符合。"),
    "not_orphan": gettext_lazy("已经领取孤儿或事实无人抚养儿童保障的，不能同时领这项补贴。"),
    "not_tekun": gettext_lazy("特困供养人员不能同时领这项补贴。"),
    "not_injury_care": gettext_lazy("已经领取工伤保险生活护理费的，不能同时领这项补贴。"),
    "not_dibao": gettext_lazy("您家已经享受低保，不用再单独申请。"),
    "nursing_severity": gettext_lazy("护理补贴给一级、二级重度残疾人{grade34}；您是{disability}。"),
    "long_term_care": gettext_lazy("护理补贴给需要长期照护的人；您说不需要长期照护。"),
    "low_income_or_near_poor": gettext_lazy("您家人均收入不低于当地低保边缘标准。"),
    "severe_or_grade3_intellectual_mental": gettext_lazy(
        "单独申请低保要求一级、二级残疾，或三级智力、精神残疾；您是{disability}。"
    ),
    "in_dibao": gettext_lazy("这项只给享受低保的人；您家没有享受低保。"),
    "severe": gettext_lazy("这项只给一级、二级重度残疾人；您是{disability}。"),
    "child_age": gettext_lazy("这项给 {max_age} 岁以内的残疾儿童；您今年 {age} 岁。"),
    "working_age": gettext_lazy("这项给 16 到 59 岁的人；您今年 {age} 岁。"),
    "poor_household": gettext_lazy("这项给享受低保、特困或收入低于低保边缘标准的家庭；您家不符合。"),
    "renovation_need": gettext_lazy("您说家里不需要无障碍改造。"),
    "no_completed_renovation": gettext_lazy("您家已经做过无障碍改造，一般不再重复改造。"),
}
# clause code → what is missing when the clause is unknown
MISSING: dict[str, Any] = {
    "valid_certificate": gettext_lazy("残疾人证：还没有办证的，先到{county}残联申请残疾评定，办好证再申请。"),
    "dibao_or_near_poor": gettext_lazy("家里是否享受低保；不享受低保的，还要知道家庭人均年收入。"),
    "not_orphan": gettext_lazy("是否领取孤儿或事实无人抚养儿童保障。"),
    "not_tekun": gettext_lazy("家里是否是特困供养人员（可以问村委会或乡镇民政办）。"),
    "not_injury_care": gettext_lazy("是否领取工伤保险生活护理费。"),
    "not_dibao": gettext_lazy("家里是否已经享受低保（可以问村委会或乡镇民政办）。"),
    "nursing_severity": gettext_lazy("残疾等级和残疾类别（看残疾人证）。"),
    "long_term_care": gettext_lazy("是否需要长期有人照护（残联入户调查时会确认）。"),
    "low_income_or_near_poor": _INCOME,
    "severe_or_grade3_intellectual_mental": gettext_lazy("残疾等级和残疾类别（看残疾人证）。"),
    "in_dibao": gettext_lazy("家里是否享受低保（可以问村委会或乡镇民政办）。"),
    "severe": gettext_lazy("残疾等级（看残疾人证）。"),
    "child_age": gettext_lazy("当地康复救助的年龄上限（请问{county}残联）。"),
    "working_age": gettext_lazy("年龄。"),
    "poor_household": gettext_lazy("家里是否享受低保或特困；都不是的，还要知道家庭人均年收入。"),
    "renovation_need": gettext_lazy("家里是否需要无障碍改造（比如门口坡道、扶手、卫生间改造）。"),
    "no_completed_renovation": gettext_lazy("家里以前是否做过无障碍改造。"),
}
# clauses whose unknown comes from the income or the 低保 line
_INCOME_CLAUSES = ("low_income_or_near_poor", "dibao_or_near_poor", "poor_household")

FLAG_NOTES = {
    "choose_higher": gettext_lazy(
        "您在领取老年人护理补贴，它和护理补贴只能选一项（择高享受），办理时工作人员会和您确认。"
    ),
}

_TOWNSHIP = gettext_lazy("户口所在地的乡镇人民政府（街道办事处）")
_CIVIL_AFFAIRS = gettext_lazy("户口所在地的乡镇人民政府（街道办事处）民政办")
_SERVICE_CENTRE = gettext_lazy("户口所在地的乡镇（街道）便民服务中心")
_TWO_SUBSIDIES_HOW = gettext_lazy(
    "本人、家人或村（社区）都可以代为申请。乡镇初审、县残联审核、县民政局审定，"
    "批准后从申请当月开始每月发到本人账户。"
)
# benefit code → (where, how, documents, can be applied for online in the portal)
GUIDANCE: dict[str, tuple[Any, Any, tuple[Any, ...], bool]] = {
    "living_subsidy": (
        _TOWNSHIP,
        _TWO_SUBSIDIES_HOW,
        (
            gettext_lazy("身份证"),
            gettext_lazy("户口簿"),
            gettext_lazy("残疾人证"),
            gettext_lazy("低保证（或低保边缘家庭证明）"),
            gettext_lazy("本人的银行卡或存折"),
        ),
        True,
    ),
    "nursing_subsidy": (
        _TOWNSHIP,
        _TWO_SUBSIDIES_HOW,
        (
            gettext_lazy("身份证"),
            gettext_lazy("户口簿"),
            gettext_lazy("残疾人证"),
            gettext_lazy("本人的银行卡或存折"),
        ),
        True,
    ),
    "dibao_alone": (
        _CIVIL_AFFAIRS,
        gettext_lazy("说明是重度残疾人单独申请低保。民政部门会核查家里的收入和财产。"),
        (
            gettext_lazy("身份证"),
            gettext_lazy("户口簿"),
            gettext_lazy("残疾人证"),
            gettext_lazy("家庭收入情况说明"),
        ),
        False,
    ),
    "dibao_topup": (
        _CIVIL_AFFAIRS,
        gettext_lazy("享受低保的重度残疾人按规定多发一部分低保金。没有领到的，请向乡镇民政办询问。"),
        (gettext_lazy("身份证"), gettext_lazy("残疾人证"), gettext_lazy("低保证")),
        False,
    ),
    "child_rehab": (
        gettext_lazy("{county}残疾人联合会，或当地定点康复机构"),
        gettext_lazy("由父母或其他监护人申请。评估以后，安排康复训练、辅助器具等。"),
        (
            gettext_lazy("孩子的户口簿"),
            gettext_lazy("残疾人证或医院的诊断证明"),
            gettext_lazy("监护人的身份证"),
        ),
        False,
    ),
    "medical_premium_aid": (
        gettext_lazy("{township}，或{county}医疗保障局"),
        gettext_lazy("参加城乡居民医保时，个人要交的钱由政府按规定资助。"),
        (gettext_lazy("身份证"), gettext_lazy("残疾人证")),
        False,
    ),
    "pension_premium_aid": (
        gettext_lazy("{township}（社保服务窗口）"),
        gettext_lazy("参加城乡居民养老保险时，政府按规定替您交部分或全部最低档保费。"),
        (gettext_lazy("身份证"), gettext_lazy("户口簿"), gettext_lazy("残疾人证")),
        False,
    ),
    "home_renovation": (
        gettext_lazy("村（社区）残疾人专职委员，或{county}残疾人联合会"),
        gettext_lazy("先登记需求，残联上门看过以后，按年度计划安排改造。"),
        (
            gettext_lazy("身份证"),
            gettext_lazy("残疾人证"),
            gettext_lazy("低保证、特困证明或家庭收入情况说明"),
        ),
        False,
    ),
}
_DEFAULT_GUIDANCE = (
    gettext_lazy("{county}残疾人联合会"),
    gettext_lazy("请先打电话或到窗口咨询办理方法。"),
    (gettext_lazy("身份证"), gettext_lazy("残疾人证")),
    False,
)


def disability_phrase(answers: Answers) -> str:
    """ "一级肢体残疾", "三级残疾" (category not known) or "残疾" (grade not known)."""
    grade = GRADE_NAMES.get(answers.grade, "") if answers.grade else ""
    category = CATEGORY_NAMES.get(answers.category, "") if answers.category else ""
    return _("{grade}{category}残疾").format(grade=grade, category=category)


def context(answers: Answers, prepared_row: dict[str, Any]) -> dict[str, Any]:
    """The values the sentences may name, from the answers and the prepared facts (standards)."""
    from huican.regions.divisions import COUNTY_NAMES

    near_poor = prepared_row.get("living_includes_near_poor")
    grade34 = prepared_row.get("nursing_includes_grade34_intellectual_mental")
    return {
        "county": COUNTY_NAMES.get(answers.county, ""),
        "disability": disability_phrase(answers),
        "age": answers.age,
        "max_age": prepared_row.get("child_rehab_max_age"),
        "near_poor": _("和低保边缘家庭") if near_poor else "",
        "grade34": _("（本地还包括三级、四级智力和精神残疾）") if grade34 else "",
        "income_given": answers.income is not None,
        "has_standards": prepared_row.get("std_region") is not None,
    }


def _say(template: Any, ctx: dict[str, Any]) -> str:
    return str(template).format(**ctx)


def reasons(
    outcome: str, states: Iterable[tuple[str, str, bool | None]], ctx: dict[str, Any]
) -> tuple[str, ...]:
    """Why: the failed clauses for "may not", else what is already met."""
    states = list(states)
    if outcome == INELIGIBLE:
        return tuple(
            _say(FAILED[code], ctx) if code in FAILED else _("不符合：{label}").format(label=label)
            for code, label, passed in states
            if passed is False
        )
    return tuple(
        _say(PASSED[code], ctx) for code, _label, passed in states if passed is True and code in PASSED
    )


def missing(
    outcome: str, states: Iterable[tuple[str, str, bool | None]], ctx: dict[str, Any]
) -> tuple[str, ...]:
    """What to find out or bring: the clauses the answers leave unknown (only for "not sure")."""
    if outcome != UNKNOWN:
        return ()
    found: list[str] = []
    for code, label, passed in states:
        if passed is not None:
            continue
        if code in _INCOME_CLAUSES and ctx["income_given"] and not ctx["has_standards"]:
            sentence = str(_NO_STANDARDS)
        elif code in MISSING:
            sentence = _say(MISSING[code], ctx)
        else:
            sentence = _("需要核实：{label}").format(label=label)
        if sentence not in found:
            found.append(sentence)
    return tuple(found)


def flag_note(flag: str) -> str:
    return str(FLAG_NOTES.get(flag) or FLAG_NAMES.get(flag, flag))


def guidance(benefit: str, county_name: str) -> tuple[str, str, tuple[str, ...], bool]:
    where, how, documents, online = GUIDANCE.get(benefit, _DEFAULT_GUIDANCE)
    names = {"county": county_name, "township": str(_TOWNSHIP)}
    return (str(where).format(**names), str(how), tuple(str(d) for d in documents), online)
