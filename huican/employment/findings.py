"""Employment findings (EMPLOYMENT.md, the issue's point 3), computed from the verification of a
year: they are about employers, not registry persons, so they are listed on the employment app's
own work list (``views.findings``) rather than in the matching app's person-keyed findings.

- `declared_twice` (重复申报): a person declared by more than one employer for the year, with every
  employer shown;
- `employee_without_pension` (疑似挂靠): a declared person in the registry with a valid certificate,
  without a 职工 pension record for the year — a certificate lent with no real job;
- `public_employer_below_quota` (公共单位未安排): a 专栏4 public employer that employs nobody counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

FINDINGS = {
    "declared_twice": "重复申报（多家单位申报同一人）",
    "employee_without_pension": "疑似挂靠（无职工养老保险记录）",
    "public_employer_below_quota": "党政机关、事业单位未安排残疾人就业",
}


# A person not in the registry, without a valid certificate or outside the year is not the 挂靠
# pattern (a real certificate lent for the year): those reasons speak for themselves.
NOT_HELD = {"not_in_registry", "no_valid_certificate", "not_in_year"}


@dataclass(frozen=True)
class Finding:
    code: str
    employers: list[dict[str, Any]]  # each {"declaration_id", "credit_code", "name", "county"}
    person: dict[str, Any] | None  # {"declared_id", "name", "id_masked"} or None

    @property
    def label(self) -> str:
        return FINDINGS[self.code]


def employment_findings(elements: list[dict[str, Any]], names: dict[int, dict[str, str]]) -> list[Finding]:
    """The findings of `levy` elements; `names` maps a declared person's id to its name and masked
    ID number (`id_masked`) and its ID hash (`id_hash`)."""

    def employer(e: dict[str, Any]) -> dict[str, Any]:
        return {
            "declaration_id": e["_declaration_id"],
            "credit_code": e["credit_code"],
            "name": e["name"],
            "county": e["county"],
        }

    found: list[Finding] = []
    twice: dict[str, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for e in elements:
        if e["_public_below_quota"]:
            found.append(Finding("public_employer_below_quota", [employer(e)], None))
        for declared_id, person in zip(e["_declared_ids"], e["persons"], strict=True):
            info = names[declared_id]
            if "declared_twice" in person["reasons"]:
                twice[info["id_hash"]].append((employer(e), declared_id))
            reasons = set(person["reasons"])
            if "no_employee_insurance" in reasons and not NOT_HELD & reasons:
                found.append(
                    Finding(
                        "employee_without_pension",
                        [employer(e)],
                        {"declared_id": declared_id, **_shown(info)},
                    )
                )
    for pairs in twice.values():
        found.append(
            Finding(
                "declared_twice",
                [p[0] for p in pairs],
                {"declared_id": pairs[0][1], **_shown(names[pairs[0][1]])},
            )
        )
    order = list(FINDINGS)
    return sorted(found, key=lambda f: (order.index(f.code), f.employers[0]["credit_code"]))


def _shown(info: dict[str, str]) -> dict[str, str]:
    return {"name": info["name"], "id_masked": info["id_masked"]}
