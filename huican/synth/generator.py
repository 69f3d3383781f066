"""Synthetic Xinzhou: one CSV per import kind of FORMATS.md, deterministic for a seed.

Pure Python (numpy + polars), no Django. ``generate(persons=60_000, seed=1, out=DIR)`` writes
``registry.csv``, ``survey.csv``, … ``standards.csv`` and ``regions.csv`` into DIR and returns
kind -> path. Everything is fake: names such as 张测安, places such as 忻府区虚拟第03乡镇, phone
numbers 199xxxxxxxx; the ID numbers are structurally valid but random.

What the data contain (shares at any size, within a few points):
- persons per county proportional to the 2020 census (DOMAIN.md §1), 0.3% in 五台山风景名胜区;
- disability categories as the 2006 sample survey (DOMAIN.md §6), grades 1-2 ≈ 30%, 75% rural,
  ~58% aged 60+, ~5% children;
- households of 1-4 registry members; a survey row per person and year 2020-2025 (~85%);
- departmental lists dated 2020-2025, each with ~2-3% ID numbers that are not in the registry;
- deliberate imperfections for cross-matching: dead people still on the subsidy roll, 低保 members
  without a living subsidy, ~5% expired certificates, ~0.5% name mismatches, ~1% malformed rows per
  file (bad check characters, Excel-mangled and 15-digit ID numbers, unreadable dates,
  out-of-vocabulary values, missing required values) and a few exact duplicate rows.
"""

from __future__ import annotations

import pathlib

import numpy as np
import polars as pl

from . import employment, lists, yearly
from .common import stream
from .defects import inject
from .population import build_places, build_population
from .render import COLUMNS, Renderer
from .standards import STANDARD_COLUMNS, standards_frame

KINDS = (*COLUMNS, "standards")
HEADERS: dict[str, tuple[str, ...]] = {**COLUMNS, "standards": STANDARD_COLUMNS}
REGION_COLUMNS = ("区划代码", "名称", "级别", "上级代码")

__all__ = ["HEADERS", "KINDS", "REGION_COLUMNS", "generate"]


def generate(*, persons: int, seed: int, out: pathlib.Path) -> dict[str, pathlib.Path]:
    """Write the synthetic dataset for ``persons`` registry persons into ``out``; return kind -> path
    (the import kinds of FORMATS.md plus ``regions``)."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    places = build_places(stream(seed, "places"))
    pop = build_population(stream(seed, "population"), places, persons)
    r = Renderer(pop, places)

    tek_pids = lists.tekun_pids(pop, stream(seed, "tekun-members"))
    dib = lists.dibao(pop, stream(seed, "dibao"), tek_pids)
    tek = lists.tekun(pop, stream(seed, "tekun"), tek_pids)
    sv = yearly.survey(pop, stream(seed, "survey"))

    paths: dict[str, pathlib.Path] = {}

    def digits(pid: np.ndarray) -> np.ndarray:
        return pop.id_digits[pid]

    def male(pid: np.ndarray) -> np.ndarray:
        return pop.male[pid]

    def write(kind: str, df: pl.DataFrame, pid: np.ndarray | None) -> None:
        if pid is not None:
            df = inject(df, pid, kind, stream(seed, f"defects-{kind}"), digits, male)
        path = out / f"{kind}.csv"
        df.write_csv(path)
        paths[kind] = path

    def rng(kind: str) -> np.random.Generator:
        return stream(seed, f"render-{kind}")

    write("registry", *r.registry(rng("registry")))
    write("survey", *r.survey(sv, rng("survey")))
    write("dibao", *r.dated("dibao", dib, rng("dibao")))
    write("tekun", *r.dated("tekun", tek, rng("tekun")))
    write("orphan", *r.dated("orphan", lists.orphan(pop, stream(seed, "orphan")), rng("orphan")))
    write(
        "elderly_care",
        *r.dated("elderly_care", lists.elderly_care(pop, stream(seed, "elderly")), rng("elderly")),
    )
    write(
        "injury_care", *r.dated("injury_care", lists.injury_care(pop, stream(seed, "injury")), rng("injury"))
    )
    pension = yearly.pension(pop, stream(seed, "pension"))
    write("pension", *r.pension(pension, rng("pension")))
    write("medical", *r.medical(yearly.medical(pop, stream(seed, "medical")), rng("medical")))
    write("enrolment", *r.enrolment(yearly.enrolment(pop, stream(seed, "enrolment")), rng("enrolment")))
    write("deaths", *r.deaths(lists.deaths(pop, stream(seed, "deaths")), rng("deaths")))
    write("services", *r.services(yearly.services(pop, stream(seed, "services"), sv), rng("services")))
    roll = lists.subsidy_roll(pop, stream(seed, "roll"), dib, tek)
    write("subsidy_recipients", *r.subsidy_recipients(roll, rng("roll")))
    write(
        "applications",
        *r.applications(lists.applications(pop, stream(seed, "applications"), roll), rng("applications")),
    )
    write("standards", standards_frame(), None)
    employers, staff = employment.employers_and_staff(pop, stream(seed, "employment"), pension)
    write("levy_standards", employment.levy_standards(), None)
    write("employers", employers, None)
    write("employer_staff", staff, None)
    write("regions", r.regions(), None)
    return paths
