"""One page per indicator (figures, trend, ranking, persons, definition, scope) and the overview's
county comparison (tile map, indicator chooser, sortable table)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huican.monitoring.charts import format_value
from huican.monitoring.comparison import TILE_GRID
from huican.monitoring.indicators import compute_indicators
from huican.monitoring.models import UnitTarget
from huican.monitoring.plan import load_plan
from huican.regions.divisions import COUNTY_CODES, COUNTY_NAMES

CODE_ORDER = [
    "140902", "140981", "140921", "140922", "140923", "140924", "140925", "140926",
    "140927", "140928", "140929", "140930", "140931", "140932", "140971",
]  # fmt: skip  # the official code order of huican.regions.divisions.COUNTIES


def page_url(region: str, code: str) -> str:
    return reverse("monitoring:indicator", args=[region, code])


def county_order(html: str) -> list[str]:
    """The county names of the comparison table, top to bottom."""
    table = html[html.index('<table class="county-table">') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', table)


@pytest.mark.parametrize("region", ["140900", "140902", "140981"])
@pytest.mark.parametrize("code", ["medical_enrolment", "dibao_coverage", "training_persons"])
def test_the_figures_are_those_of_compute_indicators(as_user, region, code):
    response = as_user("city").get(page_url(region, code), {"year": "2025"})

    assert response.status_code == 200
    [row] = [r for r in compute_indicators(year=2025) if r["code"] == code and r["region"] == region]
    shown = response.context["row"]
    for key in ("numerator", "denominator", "value", "target", "met"):
        assert shown[key] == row[key], key
    indicator = load_plan().indicator(code)
    facts = response.content.decode().split("</dl>")[0]
    assert format_value(row["value"], indicator.unit) in facts
    trend = response.context["item"].trend
    assert [p.year for p in trend] == [2021, 2022, 2023, 2024, 2025]
    assert trend[-1].value == row["value"]


def test_the_page_links_the_persons_and_gives_the_definition(as_user):
    response = as_user("city").get(page_url("140900", "medical_enrolment"), {"year": "2025"})
    html = response.content.decode()

    assert "7. 残疾人城乡居民基本医疗保险参保率" in html
    assert "/monitoring/140900/persons/medical_enrolment/numerator/?year=2025" in html
    assert "/monitoring/140900/persons/medical_enrolment/denominator/?year=2025" in html
    indicator = load_plan().indicator("medical_enrolment")
    assert indicator.description and indicator.description in html
    assert "&gt;95%" in html and indicator.kind_name in html
    # the ranking of every county-level unit, each linked to its own page of this indicator
    for code in COUNTY_CODES:
        assert page_url(code, "medical_enrolment") + "?year=2025" in html
    assert "第 2 名" not in html  # the city is not ranked among the counties
    county = as_user("city").get(page_url("140902", "medical_enrolment"), {"year": "2025"}).content.decode()
    assert "第 2 名（共 15 个县级单位）" in county  # 原平市 100 % ranks first


def test_the_breakdown_by_category_is_on_the_page(as_user, world):
    html = as_user("city").get(page_url("140900", "medical_enrolment"), {"year": "2025"}).content.decode()

    assert "按残疾类别" in html
    for category in ("视力", "听力", "肢体", "多重"):
        assert f'<th scope="row">{category}</th>' in html


def test_a_county_page_shows_the_county_target(as_user):
    plan = load_plan()
    UnitTarget.objects.create(
        plan_code=plan.code,
        indicator="medical_enrolment",
        region="140902",
        target=70,
        source="忻府区实施方案",
    )
    county = as_user("county").get(page_url("140902", "medical_enrolment"), {"year": "2025"})
    html = county.content.decode()

    assert county.context["unit_target"].target == 70
    assert "县级目标" in html and "忻府区实施方案" in html
    assert (
        "本县未录入县级目标" in as_user("county").get(page_url("140902", "dibao_coverage")).content.decode()
    )
    # The city has no county target: nothing is said about one.
    city = as_user("city").get(page_url("140900", "medical_enrolment")).content.decode()
    assert 'class="unit-target"' not in city and "本县未录入县级目标" not in city
    assert 'class="unit-target"' in html


def test_county_staff_reach_only_their_county(as_user):
    client = as_user("county")

    assert client.get(page_url("140902", "medical_enrolment")).status_code == 200
    assert client.get(page_url("140981", "medical_enrolment")).status_code == 404
    assert client.get(page_url("140900", "medical_enrolment")).status_code == 404
    html = client.get(page_url("140902", "medical_enrolment")).content.decode()
    assert "第 2 名（共 15 个县级单位）" in html  # their own rank, as before
    assert "原平市" not in html  # no other county's figures


def test_township_staff_reach_only_their_township(as_user):
    client = as_user("township")
    assert client.get(page_url("140902001", "medical_enrolment")).status_code == 200
    assert client.get(page_url("140902002", "medical_enrolment")).status_code == 404
    assert client.get(page_url("140902", "medical_enrolment")).status_code == 404


def test_an_unknown_indicator_is_not_found(as_user):
    assert as_user("city").get(page_url("140900", "no_such_indicator")).status_code == 404


@pytest.mark.parametrize("role", ["department", "system"])
def test_roles_without_aggregates_are_refused(as_user, role):
    assert as_user(role).get(page_url("140900", "medical_enrolment")).status_code == 403


def test_the_tile_map_prints_every_county_value_for_the_chosen_indicator(as_user):
    response = as_user("city").get(reverse("monitoring:index"), {"indicator": "medical_enrolment"})
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["chosen"].code == "medical_enrolment"
    assert '<option value="medical_enrolment" selected>' in html
    cells = response.context["tile_map"]["cells"]
    assert {cell["region"] for cell in cells} == set(COUNTY_CODES) == set(TILE_GRID)
    assert len({(row, column) for row, column, _short in TILE_GRID.values()}) == 15  # no two overlap
    by_region = {cell["region"]: cell for cell in cells}
    rows = {r["region"]: r for r in compute_indicators(year=2025) if r["code"] == "medical_enrolment"}
    for code, cell in by_region.items():
        assert cell["value_text"] == format_value(rows[code]["value"], "%")
        assert cell["met"] == rows[code]["met"]
        assert COUNTY_NAMES[code] == cell["short"] + cell["rest"]
    assert by_region["140981"]["value_text"] == "100%" and "tm-s4" in by_region["140981"]["css"]
    assert by_region["140902"]["value_text"] == "66.67%" and "tm-s0" in by_region["140902"]["css"]
    assert "tm-none" in by_region["140921"]["css"]  # no value: no shade, dashed
    # the printed value and the met mark are in the square, not only its colour
    assert re.search(
        r"忻府<span class=\"visually-hidden\">区</span></span>\s*<span class=\"tm-value\">66.67%", html
    )
    assert '✗<span class="visually-hidden">未达标</span>' in html
    assert "66.67% 至 73.34%" in html  # the legend's lowest step


def test_the_geography_of_the_tile_map(as_user):
    def place(code: str) -> tuple[int, int]:
        row, column, _short = TILE_GRID[code]
        return row, column

    yellow_river = [place(code) for code in ("140932", "140930", "140931")]  # 偏关, 河曲, 保德
    assert {column for _row, column in yellow_river} == {0}  # the west edge, north to south
    assert [row for row, _column in yellow_river] == [0, 1, 2]
    assert place("140924")[1] == max(column for _row, column, _s in TILE_GRID.values())  # 繁峙 east
    assert place("140902")[0] > place("140981")[0]  # 忻府区 south of 原平
    assert place("140922")[1] > place("140921")[1] > place("140902")[1]  # 五台 east of 定襄, east of 忻府
    wutaishan = place("140971")
    assert place("140924")[0] < wutaishan[0] < place("140922")[0]  # between 繁峙 and 五台


def test_the_county_table_sorts_by_each_column(as_user):
    client = as_user("city")
    base = {"year": "2025", "indicator": "medical_enrolment"}

    default = client.get(reverse("monitoring:index"), base).content.decode()
    assert county_order(default)[:2] == ["原平市", "忻府区"]  # by value, highest first
    assert (
        '<th scope="col" aria-sort="descending"><a href="?year=2025&amp;indicator=medical_enrolment&amp;sort=value&amp;order=asc#comparison"'
        in default
    )

    by_name = client.get(
        reverse("monitoring:index"), {**base, "sort": "name", "order": "asc"}
    ).content.decode()
    assert county_order(by_name) == [COUNTY_NAMES[code] for code in CODE_ORDER]
    assert (
        'aria-sort="ascending"><a href="?year=2025&amp;indicator=medical_enrolment&amp;sort=name&amp;order=desc'
        in by_name
    )
    assert by_name.count("aria-sort=") == 1

    descending = client.get(
        reverse("monitoring:index"), {**base, "sort": "name", "order": "desc"}
    ).content.decode()
    assert county_order(descending) == list(reversed(county_order(by_name)))

    by_value = client.get(
        reverse("monitoring:index"), {**base, "sort": "value", "order": "asc"}
    ).content.decode()
    assert county_order(by_value)[:2] == ["忻府区", "原平市"]  # lowest first; no value always last
    by_denominator = client.get(
        reverse("monitoring:index"), {**base, "sort": "denominator", "order": "desc"}
    ).content.decode()
    assert county_order(by_denominator)[0] == "忻府区"  # 3 persons
    by_met = client.get(reverse("monitoring:index"), {**base, "sort": "met", "order": "asc"}).content.decode()
    assert county_order(by_met)[0] == "忻府区"  # 未达标 first
    assert county_order(by_met)[-1] == "原平市"  # 达标 last

    # Unknown values fall back to the ranking and the period keeps its default.
    odd = client.get(reverse("monitoring:index"), {"indicator": "nope", "sort": "x", "order": "y"})
    assert odd.status_code == 200
    assert odd.context["summary"].year == 2025


def test_county_staff_see_their_county_on_the_map_but_no_other_county(as_user):
    response = as_user("county").get(reverse("monitoring:index"), {"indicator": "medical_enrolment"})
    html = response.content.decode()

    assert response.context["chosen"].code == "medical_enrolment"
    assert response.context["county_rows"] == [] and "county-table" not in html  # no ranking table
    cells = {cell["region"]: cell for cell in response.context["tile_map"]["cells"]}
    own = cells.pop("140902")
    assert own["current"] and own["value_text"] == "66.67%" and own["met"] is False
    assert all(cell["hidden"] and cell["value_text"] == "" for cell in cells.values())
    # no other county's figure, page or name as a link (原平市 is 100 %)
    assert "100%" not in html.split('id="comparison"')[1]
    for code in cells:
        assert f"/monitoring/{code}/" not in html
    assert 'aria-current="page"><span class="tm-name">忻府' in html
    assert "本县第 2 名（共 15 个县级单位）" in html  # their own rank, as the old dashboard showed it
    assert "县级第 2 名" in html  # and on the tile


def test_township_staff_see_no_county_map(as_user):
    response = as_user("township").get(reverse("monitoring:index"))
    assert response.context["chosen"] is None
    assert 'id="comparison"' not in response.content.decode()


def test_a_county_page_of_a_city_wide_viewer_highlights_that_county(as_user):
    html = (
        as_user("city")
        .get(reverse("monitoring:dashboard", args=["140981"]), {"indicator": "medical_enrolment"})
        .content.decode()
    )

    assert "tm-current" in html and 'aria-current="page"><span class="tm-name">原平' in html
    assert '<tr class="is-current"><td class="num">1</td><th scope="row"><a href="' in html
