"""Turn the numeric tables into text frames with the Chinese columns of FORMATS.md."""

from __future__ import annotations

import numpy as np
import polars as pl

from huican.exchange.kinds import (
    APPLICATION_RESULTS,
    DIBAO_CATEGORIES,
    EMPLOYMENT,
    IMPORT_ORDER,
    KINDS,
    PENSION_STATUSES,
    SCHOOLING_MODES,
    SERVICE_TYPES,
    SUBSIDY_TYPES,
    TEKUN_MODES,
)

from .common import (
    CATEGORIES,
    GRADES,
    NAME_LAST,
    NAME_MIDDLE,
    NEVER,
    SURNAMES,
    ascii_series,
    date_strings,
    int_strings,
    money_strings,
    month_strings,
    patch,
    take,
)
from .lists import Table
from .population import RELATIONS, STATUS, Places, Population
from .yearly import SERVICE_ORGS, SERVICE_PROJECTS

# The columns of every kind the synthetic city writes, as FORMATS.md (huican.exchange.kinds) declares them.
COLUMNS: dict[str, tuple[str, ...]] = {
    kind: tuple(column.name for column in KINDS[kind].columns) for kind in IMPORT_ORDER if kind != "standards"
}
YES_NO = ("否", "是")


class Renderer:
    def __init__(self, pop: Population, places: Places):
        self.pop = pop
        self.places = places
        chars = np.concatenate([pop.id_digits + 48, pop.id_check[:, None]], axis=1)
        self.ids = ascii_series(chars)
        self.ids_lower = ascii_series(np.where(chars == ord("X"), ord("x"), chars))
        self.names = pl.Series([s + m + last for s in SURNAMES for m in NAME_MIDDLE for last in NAME_LAST])

    # -- shared columns ---------------------------------------------------------------------
    def id_col(self, pid: np.ndarray, rng: np.random.Generator) -> pl.Series:
        """ID numbers; ~3% of those ending in X are written with a lower-case x (accepted)."""
        rows = np.nonzero((self.pop.id_check[pid] == ord("X")) & (rng.random(len(pid)) < 0.03))[0]
        return patch(self.ids.gather(pid), rows, self.ids_lower.gather(pid[rows]))

    def name_col(self, pid: np.ndarray, rng: np.random.Generator) -> pl.Series:
        """Names; ~0.5% of the registry persons on a list carry a different name there, and a few
        names have surrounding spaces (which the import trims)."""
        pop = self.pop
        L = len(NAME_LAST)
        odd = (rng.random(pop.size) < 0.005) & (np.arange(pop.size) < pop.n_reg)
        alt = pop.name - pop.name % L + (pop.name % L + rng.integers(1, L, pop.size)) % L
        idx = np.where(odd[pid], alt[pid], pop.name[pid])
        s = self.names.gather(idx)
        pad = rng.random(len(pid))
        r1, r2 = np.nonzero(pad < 0.001)[0], np.nonzero((pad >= 0.001) & (pad < 0.002))[0]
        s = patch(s, r1, self.names.gather(idx[r1]) + "\u3000")
        return patch(s, r2, " " + self.names.gather(idx[r2]))

    def frame(self, kind: str, data: dict[str, pl.Series]) -> pl.DataFrame:
        return pl.DataFrame({c: data[c].alias(c) for c in COLUMNS[kind]})

    # -- kinds ------------------------------------------------------------------------------
    def registry(self, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pop, pl_ = self.pop, self.places
        pid = np.arange(pop.n_reg)
        n = len(pid)
        ids = self.id_col(pid, rng)
        cat, grade = pop.category[pid], pop.grade[pid]
        cert = ids.str.to_uppercase() + int_strings(cat + 1) + int_strings(grade + 1)
        r = np.nonzero(rng.random(n) < 0.01)[0]
        cat_s = patch(take(CATEGORIES, cat), r, int_strings(cat[r] + 1))
        r = np.nonzero(rng.random(n) < 0.03)[0]
        grade_s = patch(take(GRADES, grade), r, int_strings(grade[r] + 1))
        hh = pop.hh[pid]
        village = pop.hh_village[hh]
        code = np.where(
            pop.hh_town_only[hh], pl_.town_code[pl_.village_town[village]], pl_.village_code[village]
        )
        phone_s = "199" + int_strings(rng.integers(0, 10**8, n), blank=rng.random(n) < 0.2, width=8)
        show_sex, show_birth = rng.random(n) < 0.5, rng.random(n) < 0.5
        sex = take(("女", "男"), np.where(show_sex, pop.male[pid].astype(np.int64), -1))
        birth = date_strings(np.where(show_birth, pop.birth[pid], NEVER), rng, mix=0.03)
        data = {
            "姓名": self.names.gather(pop.name[pid]),
            "公民身份号码": ids,
            "残疾人证号": cert,
            "残疾类别": cat_s,
            "残疾等级": grade_s,
            "发证日期": date_strings(pop.issue[pid], rng, mix=0.03),
            "户籍地区划代码": int_strings(code),
            "城乡类别": take(("农村", "城镇"), pop.urban[pid].astype(np.int64)),
            "户编号": "H" + int_strings(hh + 1, width=9),
            "与户主关系": take(RELATIONS, pop.relation[pid]),
            "联系电话": phone_s,
            "证件状态": take(STATUS, pop.status[pid]),
            "状态变更日期": date_strings(pop.status_day[pid]),
            "性别": sex,
            "出生日期": birth,
        }
        return self.frame("registry", data), pid

    def survey(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "调查年度": int_strings(t["year"]),
            "家庭人口数": int_strings(t["hh_size"], blank=t["hh_size"] < 0),
            "家庭人均年收入": int_strings(t["income"].astype(np.int64)),
            "需要长期照护": take(YES_NO, t["care"]),
            "康复需求": take(YES_NO, t["rehab"]),
            "辅具需求": take(YES_NO, t["device"]),
            "无障碍改造需求": take(YES_NO, t["reno"]),
            "托养需求": take(YES_NO, t["tuoyang"]),
            "就业状况": take(EMPLOYMENT, t["employment"]),
        }
        return self.frame("survey", data), pid

    def dated(self, kind: str, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        """The lists with 起始日期/终止日期: dibao, tekun, orphan, elderly_care, injury_care."""
        pid = t["pid"]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "起始日期": date_strings(t["start"], rng, mix=0.02),
            "终止日期": date_strings(t["end"], rng, mix=0.02),
        }
        if kind == "dibao":
            data["保障类别"] = take(DIBAO_CATEGORIES, t["kind"])
            data["月保障金额"] = money_strings(t["amount"], t["amount_blank"])
        elif kind == "tekun":
            data["供养方式"] = take(TEKUN_MODES, t["mode"])
        elif kind == "elderly_care":
            data["月金额"] = money_strings(t["amount"], t["amount_blank"])
        return self.frame(kind, data), pid

    def pension(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "参保年度": int_strings(t["year"]),
            "险种": take(("城乡居民", "职工"), t["scheme"]),
            "参保状态": take(PENSION_STATUSES, t["status"]),
        }
        return self.frame("pension", data), pid

    def medical(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "参保年度": int_strings(t["year"]),
            "险种": take(("城乡居民", "职工"), t["scheme"]),
        }
        return self.frame("medical", data), pid

    def enrolment(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        county = self.pop.county[pid]
        names = self.places.county_name
        schools = [f"{c}虚拟第{k}{lvl}" for c in names for lvl in ("小学", "中学") for k in range(1, 6)]
        schools += [f"{c}虚拟特殊教育学校" for c in names]
        regular = (county * 2 + t["level"]) * 5 + t["school_no"] - 1
        special = 10 * len(names) + county
        idx = np.where(t["mode"] == 1, special, regular)
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "学年": int_strings(t["year"]) + "-" + int_strings(t["year"] + 1),
            "学校": take(schools, np.where(t["school_blank"], -1, idx)),
            "就读方式": take(SCHOOLING_MODES, t["mode"]),
        }
        return self.frame("enrolment", data), pid

    def deaths(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "死亡日期": date_strings(t["date"], rng, mix=0.02),
        }
        return self.frame("deaths", data), pid

    def services(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        names = self.places.county_name
        orgs = [f"{c}虚拟{o}" for c in names for o in SERVICE_ORGS]
        org = np.where(t["org_blank"], -1, self.pop.county[pid] * len(SERVICE_ORGS) + t["type"])
        projects = [p for group in SERVICE_PROJECTS for p in group]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "服务类型": take(SERVICE_TYPES, t["type"]),
            "服务日期": date_strings(t["date"], rng, mix=0.02),
            "服务机构": take(orgs, org),
            "项目": take(projects, t["project"]),
            "结果": take(("完成", "进行中"), t["result"]),
            "金额": money_strings(t["amount"], t["amount_blank"]),
        }
        return self.frame("services", data), pid

    def subsidy_recipients(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "补贴类型": take(tuple(SUBSIDY_TYPES), t["type"]),
            "起始月份": month_strings(t["start"]),
            "终止月份": month_strings(t["end"]),
            "月标准": money_strings(t["standard"], t["standard_blank"]),
        }
        return self.frame("subsidy_recipients", data), pid

    def applications(self, t: Table, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
        pid = t["pid"]
        results = tuple(APPLICATION_RESULTS)
        refused = t["result"] == 1
        data = {
            "公民身份号码": self.id_col(pid, rng),
            "姓名": self.name_col(pid, rng),
            "补贴类型": take(tuple(SUBSIDY_TYPES), t["type"]),
            "申请日期": date_strings(t["applied"], rng, mix=0.02),
            "审定结果": take(results, t["result"]),
            "审定日期": date_strings(t["decided"], rng, mix=0.02),
            "不予批准原因": pl.Series(
                ["家庭收入超过规定标准" if r else None for r in refused.tolist()], dtype=pl.String
            ),
        }
        return self.frame("applications", data), pid

    def regions(self) -> pl.DataFrame:
        """Counties, and the synthetic townships and villages the registry uses."""
        pop, pl_ = self.pop, self.places
        hh = np.unique(pop.hh[: pop.n_reg])
        vill = np.unique(pop.hh_village[hh[~pop.hh_town_only[hh]]])
        towns = np.unique(np.concatenate([pl_.village_town[vill], pl_.village_town[pop.hh_village[hh]]]))
        cname = pl_.county_name
        codes = [str(c) for c in pl_.county_code]
        names = list(cname)
        levels = ["县"] * len(codes)
        parents = ["140900"] * len(codes)
        t_county = pl_.town_county[towns]
        codes += [str(c) for c in pl_.town_code[towns]]
        names += [f"{cname[c]}虚拟第{k:02d}乡镇" for c, k in zip(t_county, pl_.town_no[towns], strict=True)]
        levels += ["乡镇"] * len(towns)
        parents += [str(pl_.county_code[c]) for c in t_county]
        v_town = pl_.village_town[vill]
        frame = pl.DataFrame({"区划代码": codes, "名称": names, "级别": levels, "上级代码": parents})
        villages = pl.DataFrame(
            {
                "区划代码": int_strings(pl_.village_code[vill]),
                "名称": "虚拟第"
                + int_strings(pl_.town_no[v_town], width=2)
                + "乡镇第"
                + int_strings(pl_.village_no[vill], width=3)
                + "村",
                "级别": pl.repeat("村", len(vill), eager=True),
                "上级代码": int_strings(pl_.town_code[v_town]),
            }
        )
        return pl.concat([frame, villages])
