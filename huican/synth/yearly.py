"""Yearly tables: the survey, pension and medical insurance, school enrolment, service records."""

from __future__ import annotations

import numpy as np

from .common import NEVER, YEARS, day, uniform_days
from .lists import Table
from .population import Population


def _flag(rng: np.random.Generator, base: np.ndarray, flip: float, blank: float) -> np.ndarray:
    """是(1)/否(0)/blank(-1) from a persistent flag with a yearly flip and some blanks."""
    n = len(base)
    v = (base ^ (rng.random(n) < flip)).astype(np.int64)
    return np.where(rng.random(n) < blank, -1, v)


def survey(pop: Population, rng: np.random.Generator) -> Table:
    """One row per registry person and 调查年度 for most living persons (~85% a year)."""
    reg = np.arange(pop.size) < pop.n_reg
    base = {
        "rehab": rng.random(pop.size) < pop.p_rehab,
        "device": rng.random(pop.size) < pop.p_device,
        "reno": rng.random(pop.size) < pop.p_reno,
        "tuoyang": rng.random(pop.size) < pop.p_care_service,
    }
    parts: list[Table] = []
    for yi, y in enumerate(YEARS):
        hh_ok = rng.random(pop.n_hh) < 0.88
        ok = reg & pop.present(day(f"{y}-07-01")) & hh_ok[pop.hh] & (rng.random(pop.size) < 0.97)
        pid = np.nonzero(ok)[0]
        n = len(pid)
        t: Table = {"pid": pid, "year": np.full(n, y)}
        t["hh_size"] = np.where(rng.random(n) < 0.02, -1, pop.hh_size[pop.hh[pid]])
        t["income"] = pop.hh_income[pop.hh[pid], yi]
        t["care"] = _flag(rng, pop.care_need[pid], 0.03, 0.05)
        for k, b in base.items():
            t[k] = _flag(rng, b[pid], 0.10, 0.05)
        age = pop.age(y, 8, 31)[pid]
        sev = pop.grade[pid] <= 1
        u = rng.random(n)
        adult = np.where(
            sev, np.where(u < 0.1, 0, np.where(u < 0.4, 1, 2)), np.where(u < 0.4, 0, np.where(u < 0.85, 1, 2))
        )
        old = np.where(u < 0.05, 0, np.where(u < 0.30, 1, 2))
        emp = np.where(
            age < 6,
            -1,
            np.where(
                age <= 15, 3, np.where(age <= 17, np.where(u < 0.7, 3, 1), np.where(age < 60, adult, old))
            ),
        )
        t["employment"] = np.where(rng.random(n) < 0.03, -1, emp)
        parts.append(t)
    return {k: np.concatenate([t[k] for t in parts]) for k in parts[0]}


def pension(pop: Population, rng: np.random.Generator) -> Table:
    p_cov = np.where(rng.random(pop.size) < 0.8, 0.97, 0.4)
    staff = rng.random(pop.size) < 0.08
    parts: list[Table] = []
    for y in YEARS:
        ok = (pop.age(y) >= 16) & (pop.gone > day(f"{y}-01-01")) & (rng.random(pop.size) < p_cov)
        pid = np.nonzero(ok)[0]
        n = len(pid)
        status = np.where(pop.age(y)[pid] >= 60, 1, 0)  # 领取待遇 / 参保缴费
        u = rng.random(n)
        status = np.where(u < 0.03, 2, np.where(u < 0.05, -1, status))
        scheme = np.where(rng.random(n) < 0.02, -1, staff[pid].astype(np.int64))
        parts.append({"pid": pid, "year": np.full(n, y), "scheme": scheme, "status": status})
    return {k: np.concatenate([t[k] for t in parts]) for k in parts[0]}


def medical(pop: Population, rng: np.random.Generator) -> Table:
    p_cov = np.where(rng.random(pop.size) < 0.88, 0.985, 0.7)
    staff = rng.random(pop.size) < 0.08
    parts: list[Table] = []
    for y in YEARS:
        ok = (
            (pop.birth <= day(f"{y}-12-31")) & (pop.gone > day(f"{y}-01-01")) & (rng.random(pop.size) < p_cov)
        )
        pid = np.nonzero(ok)[0]
        n = len(pid)
        scheme = np.where(rng.random(n) < 0.02, -1, staff[pid].astype(np.int64))
        parts.append({"pid": pid, "year": np.full(n, y), "scheme": scheme})
    return {k: np.concatenate([t[k] for t in parts]) for k in parts[0]}


def enrolment(pop: Population, rng: np.random.Generator) -> Table:
    """School years 2020-2021 .. 2025-2026: ~95% of school-age children, some aged 16-17."""
    never = rng.random(pop.size) < 0.03
    severe1 = pop.grade == 0
    u = rng.random(pop.size)
    mode = np.where(
        severe1, np.where(u < 0.3, 0, np.where(u < 0.65, 1, 2)), np.where(u < 0.6, 0, np.where(u < 0.9, 1, 2))
    )
    school_no = rng.integers(1, 6, pop.size)
    parts: list[Table] = []
    for y in YEARS:
        age = pop.age(y, 8, 31)
        p = np.where(
            (age >= 6) & (age <= 15),
            np.where(never, 0.0, 0.98),
            np.where((age >= 16) & (age <= 17), 0.4, 0.0),
        )
        ok = pop.present(day(f"{y}-09-01")) & (rng.random(pop.size) < p)
        pid = np.nonzero(ok)[0]
        n = len(pid)
        parts.append(
            {
                "pid": pid,
                "year": np.full(n, y),
                "mode": np.where(rng.random(n) < 0.02, -1, mode[pid]),
                "level": (age[pid] >= 12).astype(np.int64),
                "school_no": school_no[pid],
                "school_blank": rng.random(n) < 0.02,
            }
        )
    return {k: np.concatenate([t[k] for t in parts]) for k in parts[0]}


SERVICE_ORGS = (
    "康复中心",
    "辅具服务站",
    "职业培训学校",
    "无障碍改造项目办",
    "托养服务中心",
    "残联",
    "法律援助中心",
)
SERVICE_PROJECTS = (
    ("儿童康复训练", "肢体康复训练", "精神康复", "听力言语康复", "视力康复"),
    ("轮椅适配", "助听器适配", "助视器适配", "假肢适配", "拐杖适配"),
    ("电商技能培训", "盲人按摩培训", "种养殖技术培训", "手工编织培训"),
    ("家庭无障碍改造",),
    ("日间照料", "寄宿托养", "居家托养"),
    ("节日走访慰问", "入户探视"),
    ("法律咨询", "代理诉讼"),
)
AMOUNTS = ((500, 20000), (100, 5000), (300, 3000), (3000, 12000), (1000, 12000), (200, 1000), (0, 0))


def services(pop: Population, rng: np.random.Generator, sv: Table) -> Table:
    parts: list[tuple[np.ndarray, np.ndarray, int]] = []  # (pid, year, type)
    recent = sv["year"] >= 2021
    for key, code in (("rehab", 0), ("device", 1), ("tuoyang", 4)):
        rate = 0.3 if code == 4 else 0.85
        m = recent & (((sv[key] == 1) & (rng.random(len(recent)) < rate)) | (rng.random(len(recent)) < 0.02))
        parts.append((sv["pid"][m], sv["year"][m], code))
    # renovation: severe, low-income or near-poor, need recorded; at most once per household
    sev = pop.grade[sv["pid"]] <= 1
    ratio = sv["income"] / np.where(pop.urban[sv["pid"]], 12 * 680.0, 12 * 524.0)
    cand = recent & (sv["reno"] == 1) & sev & (ratio < 1.5) & (rng.random(len(recent)) < 0.25)
    cand |= recent & sev & (rng.random(len(recent)) < 0.002)
    idx = np.nonzero(cand)[0]
    idx = idx[np.lexsort((idx, sv["year"][idx]))]
    _, first = np.unique(pop.hh[sv["pid"][idx]], return_index=True)
    idx = idx[first]
    parts.append((sv["pid"][idx], sv["year"][idx], 3))
    # training, visits and legal aid for present persons (outsiders included)
    age = pop.age(2025)
    for y in YEARS[1:]:
        present = pop.present(day(f"{y}-06-30"))
        for code, p in (
            (2, np.where((age - (2025 - y) >= 16) & (age - (2025 - y) <= 59), 0.03, 0.0)),
            (5, np.full(pop.size, 0.08)),
            (6, np.full(pop.size, 0.004)),
        ):
            pid = np.nonzero(
                present[: pop.n_reg + pop.n_out]
                & (rng.random(pop.n_reg + pop.n_out) < p[: pop.n_reg + pop.n_out])
            )[0]
            parts.append((pid, np.full(len(pid), y), code))
        # young children without a certificate, served before they are certified
        kids = np.arange(pop.n_reg + pop.n_out, pop.size)
        kids = kids[present[kids]]
        for _ in range(2):
            k = kids[rng.random(len(kids)) < 0.7]
            parts.append((k, np.full(len(k), y), 0))
    pid = np.concatenate([p for p, _, _ in parts])
    year = np.concatenate([y for _, y, _ in parts])
    typ = np.concatenate([np.full(len(p), t) for p, _, t in parts])
    n = len(pid)
    lo = np.maximum(np.array([day(f"{y}-01-01") for y in YEARS])[year - 2020], pop.birth[pid] + 1)
    hi = np.minimum(
        np.array([day(f"{y}-12-31") for y in YEARS])[year - 2020], np.minimum(pop.gone[pid] - 1, NEVER)
    )
    date = uniform_days(rng, lo, hi, n)
    u = rng.random(n)
    result = np.where(
        typ == 3,
        np.where(u < 0.85, 0, np.where(u < 0.95, 1, -1)),
        np.where(u < 0.8, 0, np.where(u < 0.9, 1, -1)),
    )  # 完成/进行中/blank
    lo_a, hi_a = np.array(AMOUNTS).T
    amount = np.round(lo_a[typ] + rng.random(n) * (hi_a[typ] - lo_a[typ]))
    amount_blank = (typ == 6) | ((typ == 5) & (rng.random(n) < 0.8)) | (rng.random(n) < 0.03)
    n_proj = np.array([len(p) for p in SERVICE_PROJECTS])
    offsets = np.concatenate([[0], np.cumsum(n_proj)[:-1]])
    project = offsets[typ] + np.floor(rng.random(n) * n_proj[typ]).astype(np.int64)
    child = pop.age(2025)[pid] - (2025 - year) < 18
    rehab = typ == 0  # 儿童康复训练 for children only
    project = np.where(rehab, np.where(child, 0, 1 + np.floor(rng.random(n) * 4).astype(np.int64)), project)
    project = np.where(rng.random(n) < 0.05, -1, project)
    org_blank = rng.random(n) < 0.03
    order = np.lexsort((typ, pid, date))
    t = {
        "pid": pid,
        "type": typ,
        "date": date,
        "result": result,
        "amount": amount,
        "amount_blank": amount_blank,
        "project": project,
        "org_blank": org_blank,
    }
    return {k: v[order] for k, v in t.items()}
