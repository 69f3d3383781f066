"""Departmental lists with dated memberships, the deaths list and the existing subsidy roll.

Each builder returns a "table": a dict of equal-length numpy arrays with a ``pid`` column (index
into the population) and typed fields; day columns use NEVER for "no date".
"""

from __future__ import annotations

import numpy as np

from .common import NEVER, REF_DAY, day, uniform_days
from .population import Population
from .standards import in_force

Table = dict[str, np.ndarray]
Y2020 = day("2020-01-01")


def _close(
    rng: np.random.Generator, end: np.ndarray, gone: np.ndarray, lag: int, p: float = 1.0
) -> np.ndarray:
    """End a membership when the person dies or leaves (after up to ``lag`` days), with probability p."""
    n = len(end)
    stop = (gone < NEVER) & (rng.random(n) < p)
    closed = np.minimum(end, gone + rng.integers(0, lag + 1, n))
    out = np.where(stop, closed, end)
    return np.where(out > REF_DAY, NEVER, out)


def _finish(t: Table) -> Table:
    """Keep memberships that started and were still running on or after 2020-01-01; sort by start."""
    keep = (t["end"] >= Y2020) & (t["start"] <= t["end"]) & (t["start"] <= REF_DAY)
    t = {k: v[keep] for k, v in t.items()}
    order = np.lexsort((t["pid"], t["start"]))
    return {k: v[order] for k, v in t.items()}


def dibao(pop: Population, rng: np.random.Generator, tekun_pids: np.ndarray) -> Table:
    """最低生活保障: whole households, mostly those with income below the line."""
    r = pop.hh_ratio
    in_hh = rng.random(pop.n_hh) < np.where(r < 1.0, 0.85, np.where(r < 1.5, 0.08, 0.02))
    P = pop.size
    member = in_hh[pop.hh] & (rng.random(P) < 0.95)
    # severely disabled (or grade-3 intellectual/mental) persons of near-poor households who applied alone
    alone_ok = (pop.grade <= 1) | ((pop.grade == 2) & np.isin(pop.category, (4, 5)))
    alone = ~member & alone_ok & (r[pop.hh] < 1.5) & (rng.random(P) < 0.7)
    member |= alone
    member[tekun_pids[rng.random(len(tekun_pids)) < 0.95]] = False
    pid = np.nonzero(member)[0]
    n = len(pid)
    hh_start = uniform_days(rng, day("2016-01-01"), day("2025-09-30"), pop.n_hh)
    own_start = uniform_days(rng, day("2016-01-01"), day("2025-09-30"), n)
    start = np.where(alone[pid], own_start, hh_start[pop.hh[pid]])
    start = np.maximum(start, pop.birth[pid] + rng.integers(0, 60, n))
    end = np.where(rng.random(n) < 0.12, start + rng.integers(180, 2400, n), NEVER)
    end = _close(rng, np.where(end > REF_DAY, NEVER, end), pop.gone[pid], 60, 0.95)
    std = in_force("2025-06-30")
    monthly_line = np.where(
        pop.urban[pid], std["城市低保标准"][pop.county[pid]], std["农村低保标准"][pop.county[pid]]
    )
    amount = np.clip(monthly_line - pop.hh_income[pop.hh[pid], -1] / 12.0, 30.0, monthly_line)
    amount = np.round(amount * rng.uniform(0.9, 1.05, n), 2)
    return _finish(
        {
            "pid": pid,
            "start": start,
            "end": end,
            "kind": np.where(rng.random(n) < 0.02, -1, np.where(pop.urban[pid], 0, 1)),  # 城市/农村
            "amount": amount,
            "amount_blank": rng.random(n) < 0.05,
        }
    )


def tekun_pids(pop: Population, rng: np.random.Generator) -> np.ndarray:
    single = pop.hh_size[pop.hh] == 1
    low = pop.hh_ratio[pop.hh] < 1.2
    p = np.where(single & low, 0.15, 0.01)
    return np.nonzero((rng.random(pop.size) < p) & (pop.birth < day("2008-01-01")))[0]


def tekun(pop: Population, rng: np.random.Generator, pid: np.ndarray) -> Table:
    n = len(pid)
    start = uniform_days(rng, np.maximum(day("2014-01-01"), pop.birth[pid] + 6000), day("2025-09-30"), n)
    end = np.where(rng.random(n) < 0.05, start + rng.integers(180, 1500, n), NEVER)
    end = _close(rng, np.where(end > REF_DAY, NEVER, end), pop.gone[pid], 30)
    mode = np.where(rng.random(n) < 0.3, 0, 1)  # 集中/分散
    return _finish({"pid": pid, "start": start, "end": end, "mode": np.where(rng.random(n) < 0.03, -1, mode)})


def orphan(pop: Population, rng: np.random.Generator) -> Table:
    child = (pop.birth > day("2002-06-01")) & (np.arange(pop.size) < pop.n_reg + pop.n_out)
    pid = np.nonzero(child & (rng.random(pop.size) < 0.06))[0]
    n = len(pid)
    start = uniform_days(rng, np.maximum(pop.birth[pid] + 30, day("2012-01-01")), REF_DAY - 90, n)
    adult = pop.birth[pid] + np.round(18 * 365.2425).astype(np.int64)
    end = np.where(adult <= REF_DAY, adult, NEVER)
    end = _close(rng, end, pop.gone[pid], 30)
    return _finish({"pid": pid, "start": start, "end": end})


def elderly_care(pop: Population, rng: np.random.Generator) -> Table:
    age = pop.age(2025)
    pid = np.nonzero(rng.random(pop.size) < np.where(age >= 80, 0.35, np.where(age >= 60, 0.03, 0.0)))[0]
    n = len(pid)
    sixty = pop.birth[pid] + np.round(60 * 365.2425).astype(np.int64)
    start = uniform_days(rng, np.maximum(sixty, day("2016-01-01")), REF_DAY - 30, n)
    end = np.where(rng.random(n) < 0.05, start + rng.integers(90, 1500, n), NEVER)
    end = _close(rng, np.where(end > REF_DAY, NEVER, end), pop.gone[pid], 45)
    a = age[pid]
    amount = np.where(a >= 100, 200.0, np.where(a >= 90, 100.0, 50.0))
    return _finish(
        {"pid": pid, "start": start, "end": end, "amount": amount, "amount_blank": rng.random(n) < 0.03}
    )


def injury_care(pop: Population, rng: np.random.Generator) -> Table:
    age = pop.age(2025)
    pid = np.nonzero((age >= 20) & (age <= 75) & (rng.random(pop.size) < 0.0085))[0]
    n = len(pid)
    adult = pop.birth[pid] + np.round(18 * 365.2425).astype(np.int64)
    start = uniform_days(rng, np.maximum(adult, day("2012-01-01")), REF_DAY - 30, n)
    end = _close(rng, np.full(n, NEVER), pop.gone[pid], 30)
    return _finish({"pid": pid, "start": start, "end": end})


def deaths(pop: Population, rng: np.random.Generator) -> Table:
    """Deaths known to 公安/民政: most registry 死亡 persons, every unrecorded death, outsiders."""
    dead = pop.death < NEVER
    listed = dead & ((pop.status != 2) | (rng.random(pop.size) < 0.9))
    pid = np.nonzero(listed)[0]
    order = np.lexsort((pid, pop.death[pid]))
    return {"pid": pid[order], "date": pop.death[pid][order]}


def subsidy_roll(pop: Population, rng: np.random.Generator, dib: Table, tek: Table) -> Table:
    """The federation's existing roll of the two subsidies, with its deliberate imperfections:
    dead people still paid, people whose 低保 ended still paid, 低保 members never enrolled."""
    reg = pop.n_reg
    parts: list[Table] = []
    std = in_force("2025-12-31")

    # living subsidy for most registry persons in 低保 (the rest are "eligible, not covered")
    m = (dib["pid"] < reg) & (rng.random(len(dib["pid"])) < 0.88)
    pid, d_start, d_end = dib["pid"][m], dib["start"][m], dib["end"][m]
    parts.append(_roll(pop, rng, pid, np.maximum(d_start, pop.issue[pid]), d_end, 0))
    # a few 特困 persons on the living subsidy as well (double benefit)
    m = (tek["pid"] < reg) & (rng.random(len(tek["pid"])) < 0.10)
    parts.append(_roll(pop, rng, tek["pid"][m], tek["start"][m], np.full(m.sum(), NEVER), 0))
    # 忻府区 extends the living subsidy to near-poor households from 2023
    near = (pop.county == 0) & (pop.hh_ratio[pop.hh] < 1.5) & (np.arange(pop.size) < reg)
    pid = np.nonzero(near & (rng.random(pop.size) < 0.7))[0]
    parts.append(
        _roll(pop, rng, pid, np.maximum(day("2023-01-01"), pop.issue[pid]), np.full(len(pid), NEVER), 0)
    )

    # nursing subsidy: severe with long-term care need; 原平市 also grade 3-4 intellectual/mental
    regmask = np.arange(pop.size) < reg
    sev = pop.grade <= 1
    yuanping = (pop.county == 1) & ~sev & np.isin(pop.category, (4, 5))
    p = np.where(sev & pop.care_need, 0.85, np.where(yuanping & pop.care_need, 0.5, 0.004))
    pid = np.nonzero(regmask & (rng.random(pop.size) < p))[0]
    first = np.where(yuanping[pid], day("2022-07-01"), day("2016-01-01"))
    start = uniform_days(rng, np.maximum(pop.issue[pid], first), REF_DAY, len(pid))
    end = np.where(rng.random(len(pid)) < 0.03, start + rng.integers(60, 1000, len(pid)), NEVER)
    parts.append(_roll(pop, rng, pid, start, np.where(end > REF_DAY, NEVER, end), 1))

    # a few rows for people who are not in the registry (the roll is older than the registry data)
    k = max(1, round(0.005 * sum(len(t["pid"]) for t in parts)))
    pid = rng.integers(reg, reg + pop.n_out, k)
    parts.append(
        _roll(
            pop,
            rng,
            pid,
            uniform_days(rng, day("2018-01-01"), REF_DAY, k),
            np.full(k, NEVER),
            rng.integers(0, 2, k),
        )
    )

    t = {key: np.concatenate([x[key] for x in parts]) for key in parts[0]}
    # one entry per person and subsidy: the earliest
    order = np.lexsort((t["start"], t["type"], t["pid"]))
    t = {key: v[order] for key, v in t.items()}
    first = np.ones(len(order), dtype=bool)
    first[1:] = (np.diff(t["pid"]) != 0) | (np.diff(t["type"]) != 0)
    t = {key: v[first] for key, v in t.items()}
    grade1 = pop.grade[t["pid"]] == 0
    county = pop.county[t["pid"]]
    t["standard"] = np.where(
        t["type"] == 0,
        std["生活补贴标准"][county],
        np.where(grade1, std["一级护理补贴标准"][county], std["二级护理补贴标准"][county]),
    )
    t["standard_blank"] = rng.random(len(t["pid"])) < 0.02
    order = np.lexsort((t["type"], t["pid"], t["start"]))
    return {key: v[order] for key, v in t.items()}


def _roll(
    pop: Population,
    rng: np.random.Generator,
    pid: np.ndarray,
    since: np.ndarray,
    until: np.ndarray,
    typ: int | np.ndarray,
) -> Table:
    n = len(pid)
    start = np.minimum(np.maximum(since, day("2016-01-01")) + rng.integers(0, 90, n), REF_DAY)
    # an ended entitlement is usually closed within two months (sometimes never: paid while ineligible)
    end = np.where((until < NEVER) & (rng.random(n) < 0.75), until + rng.integers(0, 60, n), NEVER)
    # death or departure closes most entries; ~30% are left open (paid after death)
    end = _close(rng, end, pop.gone[pid], 45, 0.7)
    end = np.where(end < NEVER, np.maximum(end, start), NEVER)
    keep = start <= REF_DAY
    return {
        "pid": pid[keep],
        "start": start[keep],
        "end": end[keep],
        "type": np.broadcast_to(np.asarray(typ), (n,))[keep].astype(np.int64),
    }


def applications(pop: Population, rng: np.random.Generator, roll: Table) -> Table:
    """Applications for the two subsidies from the previous system: people applying in 2024–2025
    who are not yet on the roll for that subsidy — mostly approved after a few weeks, some refused,
    some still in progress (no 审定日期), and a few approved long ago and never paid (arrears)."""
    reg = pop.n_reg
    on_roll = set(zip(roll["pid"].tolist(), roll["type"].tolist(), strict=True))
    severe_care = (pop.grade <= 1) & pop.care_need
    p = np.where(severe_care, 0.06, 0.02)
    pid = np.nonzero((np.arange(pop.size) < reg) & (rng.random(pop.size) < p))[0]
    typ = np.where(severe_care[pid] & (rng.random(len(pid)) < 0.6), 1, 0).astype(np.int64)
    keep = np.array([(int(a), int(b)) not in on_roll for a, b in zip(pid, typ, strict=True)], dtype=bool)
    pid, typ = pid[keep], typ[keep]
    n = len(pid)
    applied = uniform_days(rng, np.maximum(pop.issue[pid], day("2024-01-01")), REF_DAY - 20, n)
    decided = applied + rng.integers(10, 75, n)
    result = rng.choice(3, size=n, p=[0.7, 0.12, 0.18])  # 批准, 不予批准, 审批中
    result = np.where(decided > REF_DAY, 2, result)
    decided = np.where(result == 2, NEVER, decided)
    order = np.lexsort((typ, pid, applied))
    return {
        "pid": pid[order],
        "type": typ[order],
        "applied": applied[order],
        "decided": decided[order],
        "result": result[order],
    }
