"""The configured city's county-level divisions (DOMAIN.md §1)."""

from __future__ import annotations

CITY_CODE = "140900"
CITY_NAME = "忻州市"

# code, name, 2020 census population
COUNTIES: list[tuple[str, str, int | None]] = [
    ("140902", "忻府区", 577_089),
    ("140981", "原平市", 413_922),
    ("140921", "定襄县", 193_997),
    ("140922", "五台县", 233_228),
    ("140923", "代县", 178_870),
    ("140924", "繁峙县", 250_409),
    ("140925", "宁武县", 136_470),
    ("140926", "静乐县", 119_277),
    ("140927", "神池县", 75_757),
    ("140928", "五寨县", 100_220),
    ("140929", "岢岚县", 69_324),
    ("140930", "河曲县", 123_505),
    ("140931", "保德县", 144_218),
    ("140932", "偏关县", 73_382),
    # Statistics bureau code; not in the civil-affairs GB/T 2260 list (DOMAIN.md §1).
    ("140971", "五台山风景名胜区", None),
]
COUNTY_CODES = frozenset(code for code, _, _ in COUNTIES)
COUNTY_NAMES = {code: name for code, name, _ in COUNTIES}


def region_code_problem(code: str) -> str | None:
    """Why a 户籍地区划代码 is not accepted (FORMATS.md), or None when it is."""
    if not code:
        return "区划代码为空"
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return "区划代码应为 6、9 或 12 位数字"
    if code[:6] not in COUNTY_CODES:
        return f"区划代码 {code} 不属于{CITY_NAME}的县级单位"
    return None
