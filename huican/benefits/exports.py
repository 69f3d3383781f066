"""Outputs of an approved roll: the .xlsx roll for signing and the bank transfer file, audited.

The workbook (xlsxwriter) has a title, the lines, the recoveries, the totals per county, township
and subsidy (资金申请汇总) and the signature lines 制表人/审核人/审批人 with their dates; ID numbers are
masked unless the user may see full ones; every text cell a spreadsheet would run as a formula is
written as quoted text. The bank file (CSV, UTF-8 with BOM, for the bank's import) has one row per
person paid: 户名, 公民身份号码 (full: the bank needs it), 账号, 金额 (the person's `pay` lines
summed); the account is the one of the person's latest approved application that gives one (blank
otherwise), 户名 that application's account name or the person's name.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

from huican.accounts.access import can, region_prefix_for
from huican.accounts.models import Role
from huican.benefits.models import Application, Roll, RollLine, RollRecovery
from huican.benefits.roll_display import (
    BENEFIT_NAMES,
    STATUS_NAMES,
    benefit_totals,
    reason_text,
    region_label,
    region_names,
    totals_rows,
)
from huican.core.audit import audit_record
from huican.core.crypto import decrypt, decrypt_many
from huican.core.dates import chinese_date
from huican.core.frames import neutralize_cell
from huican.registry.models import Person

BANK_HEADER = ("户名", "公民身份号码", "账号", "金额")
LINE_HEADER = (
    "序号",
    "姓名",
    "公民身份号码",
    "县（市、区）",
    "乡镇（街道）",
    "补贴类型",
    "状态",
    "当月金额",
    "补发月份及金额",
    "本月合计",
    "原因",
)
WIDTHS = (6, 10, 22, 14, 16, 22, 8, 10, 30, 10, 50)


def may_download_bank_file(user: Any, roll: Roll) -> bool:
    """The bank file carries full ID numbers: the county's civil-affairs officer (their county's roll)
    or staff allowed full ID numbers."""
    if can(user, "view_full_id"):
        return True
    return (
        can(user, "approve_rolls")
        and getattr(user, "role", None) == Role.CIVIL_AFFAIRS_OFFICER
        and roll.region_code.startswith(region_prefix_for(user) or "-")
    )


def _title(roll: Roll) -> str:
    return f"{region_label(roll.region_code)} {roll.month:%Y年%m月} 困难残疾人生活补贴和重度残疾人护理补贴发放名册"


def roll_workbook(roll: Roll, *, full_ids: bool, prepared_by: str) -> tuple[bytes, int]:
    """The approved roll as .xlsx bytes, and how many lines it holds."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#DDDDDD"})
    cell = book.add_format({"border": 1})
    quoted = book.add_format({"border": 1, "quote_prefix": True})
    money = book.add_format({"border": 1, "num_format": "0.00"})

    def text(sheet: Any, row: int, column: int, value: Any) -> None:
        value = "" if value is None else str(value)
        sheet.write_string(row, column, value, quoted if neutralize_cell(value) != value else cell)

    sheet = book.add_worksheet("发放名册")
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.merge_range(0, 0, 0, len(LINE_HEADER) - 1, _title(roll), title)
    approved = timezone.localtime(roll.approved_at)
    sheet.write_string(
        1,
        0,
        f"区划代码 {roll.region_code}　审批人 {roll.approved_by_name}　审批时间 {approved:%Y-%m-%d %H:%M}"
        f"　发放合计 {roll.paid_total} 元　追缴合计 {roll.recovery_total} 元",
    )
    for column, name in enumerate(LINE_HEADER):
        sheet.write_string(3, column, name, bold)
    lines = list(
        roll.lines.select_related("person").order_by("county_code", "township_code", "person_id", "benefit")
    )
    numbers = (
        decrypt_many([x.person.id_number_encrypted for x in lines])
        if full_ids
        else [x.person.id_masked for x in lines]
    )
    places = region_names({x.county_code for x in lines} | {x.township_code for x in lines})
    row = 4
    for index, (line, number) in enumerate(zip(lines, numbers, strict=True), start=1):
        sheet.write_number(row, 0, index, cell)
        text(sheet, row, 1, line.person.name)
        text(sheet, row, 2, number)
        text(sheet, row, 3, places.get(line.county_code, line.county_code))
        text(sheet, row, 4, places.get(line.township_code, line.township_code))
        text(sheet, row, 5, BENEFIT_NAMES.get(line.benefit, line.benefit))
        text(sheet, row, 6, STATUS_NAMES.get(line.status, line.status))
        if line.amount is None:
            text(sheet, row, 7, "")
        else:
            sheet.write_number(row, 7, float(line.amount), money)
        text(sheet, row, 8, "；".join(f"{a['month']}：{a['amount']}" for a in line.arrears))
        sheet.write_number(row, 9, float(line.total), money)
        text(sheet, row, 10, reason_text(list(line.reasons), line.status))
        row += 1
    sheet.write_string(row, 0, "合计", bold)
    sheet.write_number(row, 9, float(roll.paid_total), money)
    row += 2
    row = _signatures(sheet, row, roll, prepared_by)
    sheet.freeze_panes(4, 0)

    _recoveries_sheet(book, roll, full_ids=full_ids, cell=cell, quoted=quoted, bold=bold, money=money)
    _totals_sheet(book, roll, bold=bold, cell=cell, quoted=quoted, money=money, prepared_by=prepared_by)
    book.close()
    return buffer.getvalue(), len(lines)


def _signatures(sheet: Any, row: int, roll: Roll, prepared_by: str) -> int:
    today = timezone.localdate()
    approved = timezone.localtime(roll.approved_at)
    sheet.write_string(row, 0, f"制表人：{prepared_by}")
    sheet.write_string(row, 4, f"日期：{chinese_date(today)}")
    sheet.write_string(row + 1, 0, "审核人：________________")
    sheet.write_string(row + 1, 4, "日期：______年____月____日")
    sheet.write_string(row + 2, 0, f"审批人：{roll.approved_by_name}")
    sheet.write_string(row + 2, 4, f"日期：{chinese_date(approved)}")
    return row + 3


def _recoveries_sheet(book: Any, roll: Roll, *, full_ids: bool, **formats: Any) -> None:
    sheet = book.add_worksheet("追缴")
    header = ("序号", "姓名", "公民身份号码", "补贴类型", "追缴月份", "追缴金额")
    for column, (name, width) in enumerate(zip(header, (6, 10, 22, 22, 40, 12), strict=True)):
        sheet.write_string(0, column, name, formats["bold"])
        sheet.set_column(column, column, width)
    recoveries = list(RollRecovery.objects.filter(roll=roll).select_related("person").order_by("id"))
    numbers = (
        decrypt_many([x.person.id_number_encrypted for x in recoveries])
        if full_ids
        else [x.person.id_masked for x in recoveries]
    )
    for row, (item, number) in enumerate(zip(recoveries, numbers, strict=True), start=1):
        sheet.write_number(row, 0, row, formats["cell"])
        for column, value in ((1, item.person.name), (2, number), (3, item.get_benefit_display())):
            value = str(value)
            sheet.write_string(
                row, column, value, formats["quoted"] if neutralize_cell(value) != value else formats["cell"]
            )
        sheet.write_string(row, 4, "、".join(item.months), formats["cell"])
        sheet.write_number(row, 5, float(item.amount), formats["money"])


def _totals_sheet(book: Any, roll: Roll, *, prepared_by: str, **formats: Any) -> None:
    sheet = book.add_worksheet("资金申请汇总")
    for column, width in enumerate((20, 30, 10, 14)):
        sheet.set_column(column, column, width)
    sheet.write_string(0, 0, f"{_title(roll)}·资金申请汇总")
    row = 2
    sections = (
        ("按县（市、区）", totals_rows(roll.totals, "county")),
        ("按乡镇（街道）", totals_rows(roll.township_totals, "township")),
        ("按补贴类型", [{"region": "合计", **t} for t in benefit_totals(roll.totals)]),
    )
    for heading, rows in sections:
        sheet.write_string(row, 0, heading, formats["bold"])
        row += 1
        for column, name in enumerate(("地区", "补贴类型", "发放人数", "金额（元）")):
            sheet.write_string(row, column, name, formats["bold"])
        row += 1
        for item in rows:
            sheet.write_string(row, 0, str(neutralize_cell(item["region"])), formats["cell"])
            sheet.write_string(row, 1, item["benefit"], formats["cell"])
            sheet.write_number(row, 2, int(item["persons"]), formats["cell"])
            sheet.write_number(row, 3, float(item["amount"]), formats["money"])
            row += 1
        row += 1
    _signatures(sheet, row, roll, prepared_by)


def _latest_accounts(person_ids: list[int]) -> dict[int, tuple[str, str]]:
    """person_id → (account name, encrypted account) of the latest approved application with one."""
    found: dict[int, tuple[str, str]] = {}
    rows = (
        Application.objects.filter(person_id__in=person_ids, status=Application.Status.APPROVED)
        .exclude(account_encrypted="")
        .order_by("person_id", "-decided_on", "-id")
        .values_list("person_id", "account_name", "account_encrypted")
    )
    for person_id, name, encrypted in rows.iterator(chunk_size=5000):
        found.setdefault(person_id, (name, encrypted))
    return found


def bank_file(roll: Roll) -> tuple[bytes, int]:
    """The bank transfer file of the roll's `pay` lines: one row per person, UTF-8 with BOM."""
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for person_id, total in RollLine.objects.filter(roll=roll, status="pay").values_list(
        "person_id", "total"
    ):
        paid[person_id] += total
    ids = sorted(paid)
    persons = {}
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        rows = list(Person.objects.filter(pk__in=chunk).values_list("pk", "name", "id_number_encrypted"))
        numbers = decrypt_many([r[2] for r in rows])
        persons.update({r[0]: (r[1], n) for r, n in zip(rows, numbers, strict=True)})
    accounts = _latest_accounts(ids)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BANK_HEADER)
    rows_out: list[list[str]] = []
    for person_id in ids:
        name, number = persons[person_id]
        account_name, encrypted = accounts.get(person_id, ("", ""))
        rows_out.append(
            [
                str(neutralize_cell(account_name or name)),
                number,
                decrypt(encrypted) if encrypted else "",
                f"{paid[person_id].quantize(Decimal('0.01'))}",
            ]
        )
    rows_out.sort(key=lambda r: r[1])
    writer.writerows(rows_out)
    return ("\ufeff" + out.getvalue()).encode("utf-8"), len(rows_out)


def export_roll(
    *, roll: Roll, actor: Any, kind: str, full_ids: bool = False, ip_address: str = ""
) -> tuple[bytes, str, str]:
    """One export of an approved roll (`xlsx` or `bank`), audited; returns bytes, file name, type."""
    prepared_by = (
        (actor.get_full_name() or actor.username) if getattr(actor, "is_authenticated", False) else str(actor)
    )
    if kind == "bank":
        content, rows = bank_file(roll)
        full_ids = True
        name = f"银行代发-{roll.region_code}-{roll.month:%Y%m}.csv"
        content_type = "text/csv; charset=utf-8"
    else:
        content, rows = roll_workbook(roll, full_ids=full_ids, prepared_by=prepared_by)
        suffix = "-完整身份证号" if full_ids else ""
        name = f"发放名册-{roll.region_code}-{roll.month:%Y%m}{suffix}.xlsx"
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_record(
        actor=actor,
        action=f"export.roll_{kind}",
        object_type="benefits.Roll",
        object_id=roll.pk,
        region_code=roll.region_code,
        detail={"month": f"{roll.month:%Y-%m}", "rows": rows, "full_id_numbers": full_ids},
        ip_address=ip_address,
    )
    return content, name, content_type
