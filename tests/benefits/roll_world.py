"""A small Xinzhou written as import files, for the roll and the applications kind (BENEFITS.md).

Everything goes in through `huican import`, as the independent checks do. Standards (city-wide):
生活补贴 100 until 2024-12-31 and 110 from 2025-01-01; 护理补贴 一级 120 / 二级 100 (then 130 / 110).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from huican.cli import main
from tests.exchange.helpers import write_csv
from tests.factories import id_number

VILLAGE = "140902001001"
STANDARDS = [
    ["140900", "2020-01-01", "600", "500", "100", "120", "100"],
    ["140900", "2025-01-01", "620", "520", "110", "130", "110"],
]


def pid(serial: int, birth: dt.date = dt.date(1960, 3, 4), county: str = "140902") -> str:
    return id_number(county, birth, serial)


class RollWorld:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.persons: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}

    def person(
        self,
        key: str,
        *,
        grade: int = 2,
        status: str = "正常",
        status_date: str = "",
        issue: str = "2019-05-01",
        region: str = VILLAGE,
    ) -> str:
        number = pid(len(self.persons) * 2 + 1, county=region[:6])
        self.persons[key] = number
        grades = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
        self.rows.setdefault("registry", []).append(
            [
                f"测试{key}",
                number,
                f"{number}4{grade}",
                "肢体",
                grades[grade],
                issue,
                region,
                "农村",
                f"H{key}",
                status,
                status_date,
            ]
        )
        return number

    def add(self, kind: str, key: str, *values: str) -> None:
        number = self.persons[key]
        self.rows.setdefault(kind, []).append([number, f"测试{key}", *values])

    def survey(self, key: str, year: str, income: str, care: str) -> None:
        self.rows.setdefault("survey", []).append([self.persons[key], year, income, care])

    HEADERS = {
        "registry": [
            "姓名",
            "公民身份号码",
            "残疾人证号",
            "残疾类别",
            "残疾等级",
            "发证日期",
            "户籍地区划代码",
            "城乡类别",
            "户编号",
            "证件状态",
            "状态变更日期",
        ],
        "survey": ["公民身份号码", "调查年度", "家庭人均年收入", "需要长期照护"],
        "dibao": ["公民身份号码", "姓名", "起始日期", "终止日期"],
        "elderly_care": ["公民身份号码", "姓名", "起始日期", "终止日期"],
        "deaths": ["公民身份号码", "姓名", "死亡日期"],
        "subsidy_recipients": ["公民身份号码", "姓名", "补贴类型", "起始月份", "终止月份", "月标准"],
        "applications": [
            "公民身份号码",
            "姓名",
            "补贴类型",
            "申请日期",
            "审定结果",
            "审定日期",
            "不予批准原因",
        ],
    }

    def write(self, kind: str, rows: list[list[str]] | None = None, name: str | None = None) -> Path:
        header = (
            [
                "区划代码",
                "生效日期",
                "城市低保标准",
                "农村低保标准",
                "生活补贴标准",
                "一级护理补贴标准",
                "二级护理补贴标准",
            ]
            if kind == "standards"
            else self.HEADERS[kind]
        )
        return write_csv(
            self.folder / f"{name or kind}.csv",
            header,
            STANDARDS if kind == "standards" else rows or self.rows.get(kind, []),
        )

    def load(self, *, data_dates: dict[str, str] | None = None) -> None:
        """Import every kind written so far, in the order of a real load."""
        order = [
            "standards",
            "registry",
            "survey",
            "dibao",
            "elderly_care",
            "deaths",
            "subsidy_recipients",
            "applications",
        ]
        for kind in order:
            if kind != "standards" and kind not in self.rows:
                continue
            args = ["import", kind, str(self.write(kind)), "--confirm-shrink"]
            if data_dates and kind in data_dates:
                args += ["--data-date", data_dates[kind]]
            assert main(args) == 0, kind
