"""Helpers to write import files in tests (tests/exchange and every test that imports a file)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from huican.core.idnumbers import check_character
from tests.factories import id_number


def make_id(prefix17: str) -> str:
    return prefix17 + check_character(prefix17)


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


REGISTRY_HEADER = [
    "姓名",
    "公民身份号码",
    "残疾人证号",
    "残疾类别",
    "残疾等级",
    "发证日期",
    "户籍地区划代码",
    "城乡类别",
    "户编号",
]


def registry_row(
    id_number: str,
    *,
    name: str = "测甲",
    category: str = "肢体",
    grade: str = "一级",
    issue: str = "2020-03-01",
    region: str = "140902001001",
    urban: str = "农村",
    household: str = "H1",
) -> list[str]:
    digits = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
    grades = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
    cert = f"{id_number}{digits.get(category, category)}{grades.get(grade, grade)}"
    return [name, id_number, cert, category, grade, issue, region, urban, household]


def registry_csv(good: int = 3, bad: int = 2) -> bytes:
    """A registry CSV of 忻府区 with `good` valid rows (导入0, 导入1, …) and `bad` rows whose ID check
    character is wrong (错误0, …): category 4, grade 2, certified 2021-03-01."""
    numbers = [id_number("140902", dt.date(1970, 1, 1), 300 + 2 * i) for i in range(good)]
    wrong = []
    for i in range(bad):
        valid = id_number("140902", dt.date(1971, 1, 1), 400 + 2 * i)
        wrong.append(valid[:17] + ("1" if valid[17] != "1" else "2"))
    rows = [
        registry_row(
            number, name=f"{label}{i}", category="4", grade="2", issue="2021-03-01", region="140902",
            household=f"H-{number[-6:]}",
        )
        for label, group in (("导入", numbers), ("错误", wrong))
        for i, number in enumerate(group)
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGISTRY_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def read_rejects(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "rejected-rows file must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
