"""The dashboard says 数据缺失 and which list is missing, instead of 0 %, for an indicator whose
yearly list has not been sent (the world has no 2025-2026 enrolment list; see conftest.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_the_dashboard_says_which_list_is_missing(as_user: Any) -> None:
    response = as_user("city").get(reverse("monitoring:index"))

    assert response.status_code == 200
    summary = response.context["summary"]
    education = next(item for item in summary.items if item.code == "education_enrolment")
    assert education.row["value"] is None and education.row["denominator"] is None
    assert education.view["value_text"] == "数据缺失"
    assert education.view["missing_text"] == "缺少 2025-2026 学年学籍名单（enrolment）"
    html = response.content.decode()
    assert "缺少 2025-2026 学年学籍名单（enrolment）" in html
    medical = next(item for item in summary.items if item.code == "medical_enrolment")
    assert medical.view["missing_text"] == "" and medical.view["value_text"] != "数据缺失"
