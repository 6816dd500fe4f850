"""The dashboard (数据看板), its wall screen (大屏), the leader home (领导首页) and the monthly report
(月报, Excel and PDF) agree figure for figure on the same month and scope: every headline figure, its
环比 and 同比 (as changes, the earlier value on hover or in its own column), the score, and each unit's
rank and score — or 样本不足 — all from stats/measures.py."""

from __future__ import annotations

import io
import random
import re
from html import unescape

import pymupdf
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from minyi.cases.models import Case
from minyi.core.sheets import displayed
from minyi.stats import config, measures, rollups
from tests.conftest import at
from tests.stats.test_measures import NOVEMBER, make

ZH = {"mom": "上期：", "yoy": "去年同期："}


def month_of_cases(month: str, unit, n: int, quality: float, rng: random.Random) -> None:
    """`n` orders of `unit` received and replied in `month` ('2026-11'), each on time, signed in time,
    solved and content with about the chance `quality`."""
    for i in range(n):
        day = 2 + i % 25
        good = [rng.random() < quality for _ in range(4)]
        make(
            f"{month}-{day:02d} 09:00",
            replied=f"{month}-{day:02d} 15:00",
            lead_unit=unit,
            replied_on_time=good[0],
            signed_at=at(f"{month}-{day:02d} 10:00"),
            signed_on_time=good[1],
            resolved=good[2],
            satisfaction="satisfied" if good[3] else "dissatisfied",
        )


@pytest.fixture
def district(world, clock):
    """Three years' Novembers and an October: units with enough orders and one with three."""
    rng = random.Random(16)
    for month, scale in (("2025-11", 1.0), ("2026-10", 0.8), ("2026-11", 1.0)):
        month_of_cases(month, world.heating, round(24 * scale), 0.9, rng)
        month_of_cases(month, world.housing, round(15 * scale), 0.7, rng)
        month_of_cases(month, world.east_office, round(12 * scale), 0.8, rng)
        month_of_cases(month, world.insurance, 3, 1.0, rng)  # perfect, and too few to rank
    clock.set("2026-12-03 09:00")


def cards(html: str) -> dict[str, tuple]:
    """{measure: (value, 环比, its hover, 同比, its hover)} of the measure cards of a page."""
    found = {}
    for name, body in re.findall(r'data-measure="([^"]+)"[^>]*>(.*?)</(?:a|div)>\n', html, re.S):
        value = re.search(r'<span class="value">([^<]*)</span>', body).group(1)
        changes = dict(
            (which, (unescape(text), unescape(title)))
            for which, title, text in re.findall(r'data-change="(\w+)" title="([^"]*)">([^<]*)<', body)
        )
        found[name] = (value, *changes["mom"], *changes["yoy"])
    return found


def ranking(html: str) -> dict[str, tuple]:
    """{unit name: (rank, score or 样本不足)} of a page's unit ranking (the wall screen's has no links)."""
    table = re.split(r'id="(?:unit-ranking|wall-units-table)"', html)[1].split("</table>")[0]
    rows = re.findall(
        r'<tr [^>]*?data-unit="\d+" data-rank="(\d*)".*?<th scope="row">(?:<a [^>]*>)?([^<]+)(?:</a>)?'
        r"(?:<span[^>]*>[^<]*</span>)?</th>\s*<td[^>]*>(.*?)</td>",
        table,
        re.S,
    )
    return {name: (rank or "—", re.sub(r"<[^>]+>", "", score).strip()) for rank, name, score in rows}


@pytest.mark.parametrize("stored", [True, False], ids=["stored-months", "counted-live"])
def test_every_page_and_the_report_show_the_same_figures(client, world, district, stored):
    if stored:
        rollups.refresh()  # November and its 环比/同比 come from the stored months, as for the centre
    client.force_login(world.leader)
    query = {"period": "last_month"}
    pages = {
        "dashboard": client.get(reverse("console:dashboard"), query).content.decode(),
        "wall screen": client.get(reverse("console:dashboard"), query | {"screen": "1"}).content.decode(),
        "leader home": client.get(reverse("console:leader"), query).content.decode(),
    }
    chosen = config.current()
    # What the report holds: the figures in the order of measures.figures, the units ranked.
    report = {"month": "2026-11"}
    book = load_workbook(
        io.BytesIO(client.get(reverse("console:monthly_report"), report | {"format": "xlsx"}).content)
    )
    overview = {row[0].value: row[1:] for row in book["总览"].iter_rows(min_row=3)}
    units = {row[1].value: row for row in book["单位排名"].iter_rows(min_row=2)}
    document = pymupdf.open(
        stream=client.get(reverse("console:monthly_report"), report | {"format": "pdf"}).content,
        filetype="pdf",
    )
    lines = [line.strip() for page in document for line in page.get_text().splitlines() if line.strip()]

    expected = cards(pages["dashboard"])
    assert set(expected) >= {"received", "closed", "score", *chosen.rates}
    labels = {"received": "受理量", "closed": "办结量", "score": chosen.score_label}
    labels |= {name: rate.label for name, rate in chosen.rates.items()}
    for name, (value, mom, mom_then, yoy, yoy_then) in expected.items():
        for page, html in pages.items():
            assert cards(html)[name] == expected[name], (page, name)
        assert mom_then.startswith(ZH["mom"]) and yoy_then.startswith(ZH["yoy"])
        previous, last_year = mom_then.removeprefix(ZH["mom"]), yoy_then.removeprefix(ZH["yoy"])
        # Excel: 本月, 环比, 同比, 上月, 去年同月, numbers all, shown by their formats as the pages show them
        row = overview[labels[name]]
        assert all(c.data_type == "n" for c in row), name
        assert [_text(c) for c in row] == [value, mom, yoy, previous, last_year], name
        # PDF: the same six cells in a row of its table
        at = lines.index(labels[name], lines.index("环比"))
        assert lines[at + 1 : at + 6] == [value, mom, yoy, previous, last_year], name

    shown = ranking(pages["dashboard"])
    assert shown[world.insurance.name] == ("—", "样本不足")  # 100 on three orders: not ranked
    assert [rank for rank, _s in shown.values()][:3] == ["1", "2", "3"]
    for page in ("wall screen", "leader home"):
        assert ranking(pages[page]) == shown, page
    for name, (rank, score) in shown.items():
        assert (_text(units[name][0]), _text(units[name][2])) == (rank, score), name
        at = lines.index(name, lines.index("六、承办单位排名"))
        assert lines[at - 1 : at + 2] == [rank, name, score], name
    # and the figures are those of stats/measures.py
    november = measures.figures(rollups.compare(Case.objects.all(), NOVEMBER, whole=True), chosen)
    score = next(f for f in november if f.name == "score")
    assert expected["score"][:2] == (score.now_shown, f"{score.mom.signed} 分")


def _text(cell) -> str:
    """A cell as a spreadsheet shows it (by its number format), "—" for an empty one as on the pages."""
    return displayed(cell.value, cell.number_format) or "—"
