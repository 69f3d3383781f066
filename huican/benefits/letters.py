"""Papers printed from an application: the 不予批准通知书 (a PDF to the applicant) and the rows of
the 公示名单 (the public notice of applications approved by civil affairs, with masked names and ID
numbers).

The PDF is an accessible tagged PDF like the monitoring report (``core.tagged_pdf``: semantic HTML
laid out by WeasyPrint with PDF tags, the Chinese font embedded): a heading and paragraphs in reading
order, the language zh-CN, the title shown in the PDF reader's title bar, author and subject set, so
a blind applicant's screen reader reads the letter. Without a Chinese font on the server it is
refused (``core.cjk_fonts.CJKFontMissing``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from huican.benefits.models import Application
from huican.core.dates import chinese_date
from huican.core.tagged_pdf import html_to_tagged_pdf, text
from huican.regions.names import region_names


def mask_name(name: str) -> str:
    """A name for a public list: `张三明` → `张*明`, `张三` → `张*`, `欧阳小明` → `欧**明`."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def applicant_of(application: Application) -> str:
    """Whom the letter is addressed to: the person, and the agent who applied for them."""
    person = application.person.name
    if application.applicant_kind == Application.Applicant.SELF or not application.applicant_name:
        return person
    kind = application.get_applicant_kind_display()
    return f"{person}（{kind}：{application.applicant_name}）"


def issuer_of(application: Application) -> str:
    county = region_names({application.county_code}).get(application.county_code, "")
    return f"{county}残疾人联合会"


def rejection_notice_pdf(application: Application) -> bytes:
    """不予批准通知书: to the applicant, the subsidy, the dates, the written reason, the issuer and how
    to appeal (行政复议 within 60 days, 行政诉讼 within 6 months — the general statutory periods)."""
    if application.status != Application.Status.REJECTED or application.decided_on is None:
        raise ValueError("only a rejected application has a rejection notice")
    title = "不予批准通知书"
    issuer = issuer_of(application)
    county = issuer.removesuffix("残疾人联合会")
    benefit = application.get_benefit_display()
    paragraphs: list[tuple[str, str]] = [
        ("", f"申请编号：{application.pk}"),
        ("", f"{applicant_of(application)}："),
        (
            "indent",
            f"您于{chinese_date(application.applied_on)}提出的{benefit}申请（申请人：{application.person.name}，"
            f"身份证号 {application.person.id_masked}），经审核，于{chinese_date(application.decided_on)}决定不予批准。",
        ),
        ("indent", f"不予批准的理由：{application.reject_reason}"),
        (
            "indent",
            "如情况发生变化、符合条件的，可以重新提出申请。如对本决定不服，可以自收到本通知书之日起六十日内"
            f"依法向{county}人民政府申请行政复议，也可以自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。",
        ),
        ("indent", "如有疑问，请与户籍所在地乡镇（街道）残疾人工作人员或县残疾人联合会联系。"),
        ("right gap", issuer),
        ("right", chinese_date(application.decided_on)),
    ]
    body = f"<h1>{text(title)}</h1>" + "".join(
        (f'<p class="{css}">' if css else "<p>") + f"{text(words)}</p>" for css, words in paragraphs
    )
    return html_to_tagged_pdf(
        body,
        title=f"{title}（申请编号 {application.pk}）",
        author=issuer,
        subject=f"{benefit}申请不予批准",
        lang="zh-CN",
        margin_mm=25,
    )


@dataclass(frozen=True)
class NoticeRow:
    """One line of the 公示名单: nothing on it identifies the person beyond what a notice shows."""

    application_id: int
    name: str  # masked: 张*明
    id_masked: str
    county: str
    township: str
    benefit: str
    notice_from: dt.date | None
    notice_until: dt.date | None


NOTICE_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "县（市、区）",
    "乡镇（街道）",
    "补贴类型",
    "公示开始",
    "公示截止",
]


def notice_rows(applications: list[Application]) -> list[NoticeRow]:
    names = region_names({a.county_code for a in applications} | {a.township_code for a in applications})
    return [
        NoticeRow(
            application_id=a.pk,
            name=mask_name(a.person.name),
            id_masked=a.person.id_masked,
            county=names.get(a.county_code, a.county_code),
            township=names.get(a.township_code, a.township_code) or "—",
            benefit=a.get_benefit_display(),
            notice_from=a.step_started_on,
            notice_until=a.notice_until,
        )
        for a in applications
    ]


def notice_csv_rows(rows: list[NoticeRow]) -> list[list[str]]:
    return [
        [
            str(number),
            r.name,
            r.id_masked,
            r.county,
            r.township,
            r.benefit,
            f"{r.notice_from:%Y-%m-%d}" if r.notice_from else "",
            f"{r.notice_until:%Y-%m-%d}" if r.notice_until else "",
        ]
        for number, r in enumerate(rows, start=1)
    ]
