"""The fonts of the 公文-form reports (GB/T 9704-2012) and the check that a Chinese font is there.

The Word file names the official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体): the
reader's machine supplies them or substitutes. The PDF and the PNG charts are drawn on the server,
so they need a Chinese font there: the free Noto CJK fonts (Debian ``fonts-noto-cjk``) stand in for
the official ones, and ``AR PL UKai CN`` (``fonts-arphic-ukai``) for 楷体 when it is installed.
``HUICAN_CJK_FONT`` (environment or setting) names a font file to use instead.

Finding the font file (``cjk_font_path``, ``CJKFontMissing`` and the rest) lives in
``huican.core.cjk_fonts``, which the letters of benefits and employment use too; it is re-exported
here. Without any Chinese font a report is refused (``CJKFontMissing``, one Chinese sentence saying
what to install) rather than drawn with boxes or Latin words; ``huican.monitoring.checks`` reports the
same at start.
"""

from __future__ import annotations

from dataclasses import dataclass

from huican.core.cjk_fonts import (
    DEBIAN_PACKAGE,
    FONT_CANDIDATES,
    FONT_SETTING,
    PROBE,
    CJKFontMissing,
    cjk_font_path,
    configured_font,
    missing_font_message,
    simplified_face_index,
)

__all__ = [
    "BODY",
    "DEBIAN_PACKAGE",
    "FACES",
    "FONT_CANDIDATES",
    "FONT_SETTING",
    "HEI",
    "KAI",
    "PROBE",
    "SONG",
    "TITLE",
    "CJKFontMissing",
    "Face",
    "cjk_font_path",
    "configured_font",
    "missing_font_message",
    "simplified_face_index",
]


@dataclass(frozen=True)
class Face:
    """One typeface of the 公文: the official name (Word) and the free stand-ins (PDF, charts)."""

    official: str
    alternative: str  # the commoner Windows font Word falls back to (fontTable altName)
    free: tuple[str, ...]  # fontconfig family names, first found wins
    bold: bool = False  # the stand-in's weight (方正小标宋 is a heavy 宋)


TITLE = Face("方正小标宋简体", "宋体", ("Noto Serif CJK SC",), bold=True)
BODY = Face("仿宋_GB2312", "仿宋", ("Noto Serif CJK SC",))
HEI = Face("黑体", "SimHei", ("Noto Sans CJK SC",))
KAI = Face("楷体_GB2312", "楷体", ("AR PL UKai CN", "Noto Serif CJK SC"))
SONG = Face("宋体", "SimSun", ("Noto Serif CJK SC",))  # page numbers: 4号半角宋体
FACES = (TITLE, BODY, HEI, KAI, SONG)
