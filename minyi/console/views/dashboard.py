"""数据看板 (dashboard) and its wall mode (大屏): the configured measures of a period with 环比 and 同比,
the score, the 12-month trend, categories, units ranked by score (these as the leader home shows
them: `scoreboard`), the streets' heat, hot issues and rising topics — every figure a link to the
cases behind it. `?screen=1` shows them on the centre's wall (大屏): one dark 16:9 screen, nothing to
scroll, the figures refreshed in place every MINYI_WALL_REFRESH_SECONDS (web/templates/web/wall.html).

Measures come from stats/measures.py (configured by stats/measures.toml), cases through the access
module, so every user sees their own scope. Charts are ECharts options written as JSON (json_script):
a data item's `url` is where a click on it goes (web/static/minyi/app.js).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.access.analysis import VIEWERS
from minyi.analysis import alerts, hot
from minyi.console.filters import PeriodForm
from minyi.console.views.common import staff_view
from minyi.console.views.leader import _cases_url, scoreboard, trend_chart
from minyi.core import clock
from minyi.core.errors import InvalidInput
from minyi.reports import render as formats
from minyi.reports.monthly import monthly_report as gather
from minyi.reports.monthly import parse_month
from minyi.stats import measures, periods, rollups
from minyi.web.walls import wall_context

TOP = 10


@staff_view(*VIEWERS)
def dashboard(request):
    now = clock.now()
    form = PeriodForm(request.GET)
    key, period = form.chosen(now)
    cases = access.cases_visible_to(request.user)
    whole = access.sees_all_cases(request.user)  # then closed months come from stats/rollups.py
    start, end = period.start, period.end
    received = {"received_from": period.first_day.isoformat(), "received_to": period.last_day.isoformat()}
    figures = rollups.measured(cases, period, whole=whole, now=now)
    board = scoreboard(cases, period, figures, whole=whole, now=now, received=received)
    categories = measures.groups(figures, "category")
    streets = measures.groups(figures, "street")
    months = periods.months_up_to(min(end - dt.timedelta(seconds=1), now))
    trend = rollups.trend(cases, months, whole=whole, now=now, known={period: figures.total})
    context = {
        **board,
        "nav": "dashboard",
        "form": form,
        "period_key": key,
        "period_links": [(k, label) for k, (label, _f) in PeriodForm.PERIODS.items()],
        "period": period,
        "received_url": _cases_url(**received),
        "units": board["units_ranked"][: TOP * 2],
        "streets": _heat(streets, received),
        "channels": [(g, _cases_url(channel=g.key, **received)) for g in measures.groups(figures, "channel")],
        "demand_types": [
            (g, _cases_url(demand_type=g.key, **received)) for g in measures.groups(figures, "demand_type")
        ],
        "trend_chart": trend_chart(trend, linked=True),
        "category_chart": _category_chart(categories[:TOP], received),
        "unit_chart": _unit_chart([r for r in board["ranking"] if r.rank is not None][:TOP], received),
        "hot_issues": hot.latest_hot_issues()[:TOP],
        "alerts": alerts.open_alerts(limit=TOP),
        "report_month": f"{clock.local(start):%Y-%m}",
    }
    if request.GET.get("screen") == "1":
        return render(request, "console/dashboard_screen.html", {**context, **wall_context()})
    return render(request, "console/dashboard.html", context)


def _heat(groups: list[measures.Group], received: dict) -> list[tuple]:
    """Streets with their share of the busiest street's cases (0–1), for the heat colour."""
    top = max((g.measures.received for g in groups), default=0) or 1
    return [(g, g.measures.received / top, _cases_url(area=g.key, **received)) for g in groups]


def _category_chart(groups: list[measures.Group], received: dict) -> dict:
    """The categories' shares as a ring whose labels stay whole inside the chart: the ring leaves room
    for them, a long name breaks onto a second line instead of being cut, and a slice too thin for a
    label (under 4°) has none (its figures are in the tooltip)."""
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "series": [
            {
                "type": "pie",
                "radius": ["32%", "56%"],
                "center": ["50%", "52%"],
                "minShowLabelAngle": 4,
                "avoidLabelOverlap": True,
                "label": {"overflow": "break", "edgeDistance": 4},
                "labelLine": {"length": 8, "length2": 8},
                "data": [
                    {
                        "name": g.label,
                        "value": g.measures.received,
                        "url": _cases_url(category=g.key, **received),
                    }
                    for g in groups
                    if g.measures.received
                ],
            }
        ],
    }


def _unit_chart(ranked: list[measures.Ranked], received: dict) -> dict:
    """The ranked units (never those with an insufficient sample) as bars, the best on top."""
    ranked = list(reversed(ranked))  # the best on top of a horizontal bar chart
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100},
        "yAxis": {"type": "category", "data": [f"{r.rank}. {r.group.label}" for r in ranked]},
        "series": [
            {
                "type": "bar",
                "data": [{"value": r.score, "url": _cases_url(unit=r.group.key, **received)} for r in ranked],
                "barMaxWidth": 28,
                "label": {"show": True, "position": "right"},
            }
        ],
    }


@staff_view(*VIEWERS)
def monthly_report(request):
    """月报 of a month (?month=YYYY-MM&format=pdf|xlsx) over the user's cases, as a download."""
    kind = request.GET.get("format") or "pdf"
    if kind not in formats.FORMATS:
        raise InvalidInput(_("Choose the report's format: pdf or xlsx."), field="format")
    month = parse_month(request.GET.get("month") or f"{clock.local(clock.now()):%Y-%m}")
    cases = access.cases_visible_to(request.user)
    whole = access.sees_all_cases(request.user)
    report = gather(month=month, cases=cases, whole=whole, district=formats.district_name(), workers=1)
    response = HttpResponse(formats.FORMATS[kind](report), content_type=formats.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="minyi-monthly-{month:%Y-%m}.{kind}"'
    return response
