"""Synthetic places and people: every attribute is a numpy array over all persons.

The population holds three groups, in this order: the certified persons of the registry
(``n_reg``), outsiders who appear only on departmental lists (``n_out``, ID numbers that are not
in the registry) and young children served before they hold a certificate (``n_kid``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import (
    CATEGORY_SHARES,
    COUNTIES,
    N_NAMES,
    NAME_LAST,
    NAME_MIDDLE,
    NEVER,
    REF_DAY,
    SURNAMES,
    WUTAISHAN,
    WUTAISHAN_SHARE,
    YEARS,
    check_chars,
    day,
    digits_of,
    uniform_days,
    ymd,
)
from .standards import city_line

STATUS = ("正常", "注销", "死亡", "迁出")
RELATIONS = ("户主", "配偶", "子女", "父母", "其他")


@dataclass
class Places:
    county_code: np.ndarray  # (C,)
    county_name: list[str]
    town_code: np.ndarray  # (T,) 9 digits
    town_county: np.ndarray  # (T,) county index
    town_no: np.ndarray  # (T,) number within the county
    village_code: np.ndarray  # (V,) 12 digits
    village_town: np.ndarray  # (V,) township index
    village_no: np.ndarray  # (V,) number within the township
    village_p: np.ndarray  # (V,) probability that a household lives there


def build_places(rng: np.random.Generator) -> Places:
    codes = [c for c, _, _ in COUNTIES] + [WUTAISHAN[0]]
    names = [n for _, n, _ in COUNTIES] + [WUTAISHAN[1]]
    pops = np.array([p for _, _, p in COUNTIES], dtype=np.float64)
    county_w = np.append(pops / pops.sum() * (1 - WUTAISHAN_SHARE), WUTAISHAN_SHARE)
    n_towns = rng.integers(8, 21, len(codes))
    n_towns[-1] = 3  # the scenic area is small
    town_county = np.repeat(np.arange(len(codes)), n_towns)
    town_no = np.concatenate([np.arange(1, k + 1) for k in n_towns])
    town_code = np.array(codes, dtype=np.int64)[town_county] * 1000 + town_no
    n_vill = rng.integers(5, 31, len(town_code))
    village_town = np.repeat(np.arange(len(town_code)), n_vill)
    village_no = np.concatenate([np.arange(1, k + 1) for k in n_vill])
    village_code = town_code[village_town] * 1000 + village_no
    # uneven village sizes, normalised within each county, then scaled by the county's share
    w = rng.lognormal(0.0, 0.6, len(village_code))
    vc = town_county[village_town]
    w = w / np.bincount(vc, weights=w)[vc] * county_w[vc]
    return Places(
        county_code=np.array(codes, dtype=np.int64),
        county_name=names,
        town_code=town_code,
        town_county=town_county,
        town_no=town_no,
        village_code=village_code,
        village_town=village_town,
        village_no=village_no,
        village_p=w / w.sum(),
    )


@dataclass
class Population:
    n_reg: int
    n_out: int
    n_kid: int
    # households
    hh: np.ndarray  # (P,) household index
    pos: np.ndarray  # (P,) position in the household (0 = first)
    hh_village: np.ndarray  # (H,) village index
    hh_county: np.ndarray  # (H,) county index
    hh_urban: np.ndarray  # (H,) bool
    hh_town_only: np.ndarray  # (H,) bool: registry gives the 9-digit township code
    hh_size: np.ndarray  # (H,) 家庭人口数
    hh_eff: np.ndarray  # (H,) log-income effect
    hh_income: np.ndarray  # (H, 6) 家庭人均年收入 by year 2020..2025
    hh_ratio: np.ndarray  # (H,) typical income / city 低保 line
    # persons
    county: np.ndarray
    urban: np.ndarray
    birth: np.ndarray  # day number
    by: np.ndarray
    bmd: np.ndarray  # birth month*100 + day
    male: np.ndarray
    category: np.ndarray  # 0..6
    grade: np.ndarray  # 0..3
    name: np.ndarray  # index into the name table
    relation: np.ndarray  # index into RELATIONS, -1 blank
    id_digits: np.ndarray  # (P, 17) uint8 digit values
    id_check: np.ndarray  # (P,) uint8 ASCII check character
    issue: np.ndarray  # certificate issue day (registry only)
    status: np.ndarray  # index into STATUS
    status_day: np.ndarray
    death: np.ndarray  # death day or NEVER
    gone: np.ndarray  # first day no longer present (death, moved out, cancelled) or NEVER
    care_need: np.ndarray  # bool, long-term care needed
    p_rehab: np.ndarray
    p_device: np.ndarray
    p_reno: np.ndarray
    p_care_service: np.ndarray

    @property
    def size(self) -> int:
        return self.n_reg + self.n_out + self.n_kid

    @property
    def n_hh(self) -> int:
        return len(self.hh_village)

    def age(self, y: int, m: int = 12, d: int = 31) -> np.ndarray:
        return y - self.by - (m * 100 + d < self.bmd)

    def severe(self) -> np.ndarray:
        return self.grade <= 1

    def present(self, start: int) -> np.ndarray:
        """Born and still present on day ``start``."""
        return (self.birth <= start) & (self.gone > start)


AGE_BINS = (
    (0, 5, 0.012),
    (6, 15, 0.028),
    (16, 17, 0.008),
    (18, 44, 0.14),
    (45, 59, 0.23),
    (60, 79, 0.43),
    (80, 89, 0.12),
    (90, 99, 0.032),
)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    probs = np.array([p for _, _, p in AGE_BINS])
    b = rng.choice(len(AGE_BINS), size=n, p=probs / probs.sum())
    lo = np.array([a for a, _, _ in AGE_BINS])[b]
    hi = np.array([z for _, z, _ in AGE_BINS])[b]
    return lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)


def _households(rng: np.random.Generator, n_reg: int) -> np.ndarray:
    """Household sizes (registry members) summing to n_reg: mostly 1, some 2-3, few 4."""
    sizes = rng.choice(4, size=int(n_reg / 1.2) + 16, p=[0.80, 0.15, 0.04, 0.01]) + 1
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, n_reg)) + 1
    sizes = sizes[:k].copy()
    sizes[-1] -= int(cum[k - 1] - n_reg)
    return sizes


def _grades(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    probs = np.tile([0.09, 0.15, 0.33, 0.43], (7, 1))
    probs[6] = [0.25, 0.30, 0.25, 0.20]  # 多重
    probs[5] = [0.10, 0.25, 0.35, 0.30]  # 精神
    cdf = np.cumsum(probs, axis=1)[category]
    return (rng.random(len(category))[:, None] > cdf[:, :3]).sum(axis=1)


def _ids(rng: np.random.Generator, places: Places, county: np.ndarray, birth: np.ndarray, male: np.ndarray):
    n = len(county)
    codes = places.county_code.copy()
    codes[codes == WUTAISHAN[0]] = 140922  # the scenic area's people hold 五台县 ID numbers
    addr_county = np.where(rng.random(n) < 0.02, rng.integers(0, len(COUNTIES), n), county)
    addr = codes[addr_county]
    y, m, d = ymd(birth)
    ymd8 = y * 10000 + m * 100 + d

    def draw(k: np.ndarray) -> np.ndarray:
        odd = 2 * rng.integers(0, 500, len(k)) + 1
        even = 2 * rng.integers(1, 500, len(k))
        return np.where(male[k], odd, even)

    seq = draw(np.arange(n))
    for _ in range(200):
        key = addr * 10**11 + ymd8 * 1000 + seq
        order = np.argsort(key, kind="stable")
        sk = key[order]
        dup = order[1:][sk[1:] == sk[:-1]]
        if len(dup) == 0:
            break
        seq[dup] = draw(dup)
    else:  # pragma: no cover - needs an absurdly dense population
        raise RuntimeError("could not make unique ID numbers")
    digits = np.concatenate([digits_of(addr, 6), digits_of(ymd8, 8), digits_of(seq, 3)], axis=1).astype(
        np.uint8
    )
    return digits, check_chars(digits)


def build_population(rng: np.random.Generator, places: Places, persons: int) -> Population:
    n_reg = persons
    n_out = max(5, round(persons * 0.016))
    n_kid = max(3, round(persons * 0.004))
    P = n_reg + n_out + n_kid
    sizes = np.concatenate([_households(rng, n_reg), np.ones(n_out + n_kid, dtype=np.int64)])
    H = len(sizes)
    hh = np.repeat(np.arange(H), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(P) - starts[hh]

    hh_village = rng.choice(len(places.village_code), size=H, p=places.village_p)
    hh_county = places.town_county[places.village_town[hh_village]]
    p_urban = np.full(len(places.county_code), 0.19)
    p_urban[0], p_urban[1] = 0.40, 0.30  # 忻府区, 原平市
    hh_urban = rng.random(H) < p_urban[hh_county]
    hh_town_only = rng.random(H) < 0.05
    hh_size = np.maximum(sizes, rng.choice(6, size=H, p=[0.22, 0.30, 0.20, 0.14, 0.09, 0.05]) + 1)
    hh_eff = rng.normal(0.0, 0.45, H)
    years = np.array(YEARS)
    line = np.stack([city_line(y, hh_urban) for y in YEARS], axis=1)
    hh_income = np.round(
        1.3 * line * 1.01 ** (years - 2020) * np.exp(hh_eff[:, None] + rng.normal(0.0, 0.1, (H, 6)))
    )
    hh_ratio = np.exp(np.log(hh_income / line).mean(axis=1))

    age = _ages(rng, P)
    age[n_reg + n_out :] = rng.integers(0, 7, n_kid)
    birth = REF_DAY - np.floor(age * 365.2425).astype(np.int64) - rng.integers(31, 365, P)
    y, m, d = ymd(birth)
    male = rng.random(P) < 0.53
    category = rng.choice(7, size=P, p=np.array(CATEGORY_SHARES) / sum(CATEGORY_SHARES))
    grade = _grades(rng, category)
    n_s, n_m, n_l = len(SURNAMES), len(NAME_MIDDLE), len(NAME_LAST)
    sw = 1.0 / (np.arange(n_s) + 6.0)
    name = (rng.choice(n_s, size=P, p=sw / sw.sum()) * n_m + rng.integers(0, n_m, P)) * n_l + rng.integers(
        0, n_l, P
    )
    assert name.max() < N_NAMES
    county = hh_county[hh]
    id_digits, id_check = _ids(rng, places, county, birth, male)

    true_age = 2025 - y  # age on 2025-12-31
    relation = np.where(true_age < 18, 2, rng.choice([1, 2, 3, 4], size=P, p=[0.45, 0.30, 0.15, 0.10]))
    head = (pos == 0) & (true_age >= 18) & ((sizes[hh] > 1) | (rng.random(P) < 0.85))
    relation = np.where(head, 0, relation)
    relation = np.where(rng.random(P) < 0.03, -1, relation)

    # certificates: ~5% issued 2012-2015 and never renewed (expired by the end of 2025)
    old = (birth < day("2011-07-01")) & (rng.random(P) < 0.052)
    lo = np.where(old, np.maximum(day("2012-01-01"), birth + 30), np.maximum(day("2016-01-01"), birth + 30))
    hi = np.where(old, day("2015-12-31"), REF_DAY)
    issue = np.minimum(uniform_days(rng, lo, hi, P), REF_DAY)

    # status changes and deaths, older people more often
    w = np.where(true_age >= 80, 4.0, np.where(true_age >= 60, 1.5, 0.3))
    w = w / w.mean()
    u = rng.random(P)
    reg = np.arange(P) < n_reg
    p_dead = 0.02 * w
    status = np.where(u < p_dead, 2, np.where(u < p_dead + 0.01, 3, np.where(u < p_dead + 0.015, 1, 0)))
    status = np.where(reg, status, 0)
    since = np.maximum(np.where(reg, issue, birth), day("2020-01-01"))
    change = uniform_days(rng, since, REF_DAY, P)
    status_day = np.where(status > 0, change, NEVER)
    # deaths the registry does not know (status 正常), and deaths of outsiders
    unmarked = (status == 0) & (rng.random(P) < np.where(reg, 0.015, 0.035) * w)
    death = np.where((status == 2) | unmarked, change, NEVER)
    gone = np.where(status > 0, status_day, death)

    sev = grade <= 1
    p_care = np.array([0.70, 0.50, 0.15, 0.05])[grade] + np.where(true_age >= 80, 0.15, 0.0)
    care_need = rng.random(P) < p_care
    p_rehab = np.where(true_age < 18, 0.8, np.where(category == 3, 0.32, 0.22))
    p_device = np.where(np.isin(category, (0, 1, 3)), 0.12, 0.05)
    p_reno = np.where(sev, 0.35, 0.05)
    p_care_service = np.where(
        (true_age >= 16) & (true_age <= 59) & (np.isin(category, (4, 5)) | (sev & (category == 3))),
        0.15,
        0.01,
    )
    return Population(
        n_reg=n_reg,
        n_out=n_out,
        n_kid=n_kid,
        hh=hh,
        pos=pos,
        hh_village=hh_village,
        hh_county=hh_county,
        hh_urban=hh_urban,
        hh_town_only=hh_town_only,
        hh_size=hh_size,
        hh_eff=hh_eff,
        hh_income=hh_income,
        hh_ratio=hh_ratio,
        county=county,
        urban=hh_urban[hh],
        birth=birth,
        by=y,
        bmd=m * 100 + d,
        male=male,
        category=category,
        grade=grade,
        name=name,
        relation=relation,
        id_digits=id_digits,
        id_check=id_check,
        issue=issue,
        status=status,
        status_day=status_day,
        death=death,
        gone=gone,
        care_need=care_need,
        p_rehab=p_rehab,
        p_device=p_device,
        p_reno=p_reno,
        p_care_service=p_care_service,
    )
