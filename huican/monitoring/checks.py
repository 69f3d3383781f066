"""System checks of the monitoring app (``manage.py check``; ``huican serve`` runs them at start).

``monitoring.E001``: no Chinese font on the server, so the PDF report and the report charts cannot be
drawn, nor the letters of benefits and employment (huican.core.cjk_fonts says what is looked for).
"""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register()
def cjk_font_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from huican.monitoring.reports.fonts import (
        DEBIAN_PACKAGE,
        FONT_SETTING,
        CJKFontMissing,
        cjk_font_path,
    )

    try:
        cjk_font_path()
    except CJKFontMissing as exc:
        return [
            checks.Error(
                str(exc),
                hint=f"apt-get install {DEBIAN_PACKAGE}，或设置 {FONT_SETTING}=/path/to/font.ttc",
                id="monitoring.E001",
            )
        ]
    return []
