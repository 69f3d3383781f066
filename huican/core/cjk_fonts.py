"""The Chinese font on the server and the check that there is one.

Every PDF the system draws on the server (the monitoring report and its charts, the 不予批准通知书,
the 按比例就业审核确认书) needs a Chinese font there: the free Noto CJK fonts (Debian
``fonts-noto-cjk``) by default. ``HUICAN_CJK_FONT`` (environment or setting) names a font file to use
instead.

Without any Chinese font a PDF is refused (``CJKFontMissing``, one Chinese sentence saying what to
install) rather than drawn with boxes or Latin words; ``huican.monitoring.checks`` reports the same
at start. ``huican.monitoring.reports.fonts`` re-exports these names with the 公文 typefaces.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_SETTING = "HUICAN_CJK_FONT"
DEBIAN_PACKAGE = "fonts-noto-cjk"

# Where Debian (and most Linux distributions) put free Chinese fonts, preferred first.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
PROBE = "残联忻州达标"  # characters every usable font must have


class CJKFontMissing(ImproperlyConfigured):
    """No Chinese font on this server: a PDF (report, letter, certificate) or a chart cannot be drawn."""


def missing_font_message(detail: str = "") -> str:
    return (
        f"服务器上没有可用的中文字体，无法生成 PDF（报告、通知书、确认书）和图表{('（' + detail + '）') if detail else ''}。"
        f"请安装 Debian 软件包 {DEBIAN_PACKAGE}（apt-get install {DEBIAN_PACKAGE}），"
        f"或用环境变量 {FONT_SETTING} 指定一个中文字体文件（.ttf/.otf/.ttc）。"
    )


def configured_font() -> str:
    """The font file named by the setting or the environment ("" when none is)."""
    return str(getattr(settings, FONT_SETTING, "") or os.environ.get(FONT_SETTING, "") or "")


def cjk_font_path() -> Path:
    """The Chinese font file to draw with; raises CJKFontMissing when there is none.

    A configured file must exist and hold Chinese characters (a wrong path is an error, not a
    silent fallback); otherwise the first of FONT_CANDIDATES present is taken.
    """
    return _font_path(configured_font())


def _font_path(configured: str) -> Path:
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise CJKFontMissing(missing_font_message(f"{FONT_SETTING} 指定的文件不存在：{configured}"))
        if not _has_chinese(path):
            raise CJKFontMissing(missing_font_message(f"{FONT_SETTING} 指定的文件不是中文字体：{configured}"))
        return path
    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file() and _has_chinese(path):
            return path
    raise CJKFontMissing(missing_font_message())


@lru_cache(maxsize=16)
def _has_chinese(path: Path) -> bool:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(str(path), 16)
    except OSError:
        return False
    # A font without a glyph draws the same .notdef box for every character it lacks.
    masks = {bytes(font.getmask(char)) for char in PROBE}
    notdef = bytes(font.getmask("\U0010fffd"))
    return len(masks) == len(PROBE) and notdef not in masks


@lru_cache(maxsize=8)
def simplified_face_index(path: Path) -> int:
    """The face of a font collection (.ttc) meant for Simplified Chinese ("… SC" / "… CN"), else 0."""
    from PIL import ImageFont

    for index in range(16):
        try:
            family, _ = ImageFont.truetype(str(path), 16, index=index).getname()
        except OSError:
            break
        if family and (family.endswith(" SC") or family.endswith(" CN") or "GB" in family):
            return index
    return 0
