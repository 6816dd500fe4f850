"""领导首页: the cases awaiting the leader's instruction (待我批示: access.cases.instruction_requests_for),
the measures of a period for the leader's scope with 环比 and 同比, the units ranked by score,
breakdowns by status, lead unit, category and street, a 12-month trend, and the units' overdue
ranking (超期排名).

The measures are defined in stats/measures.py; this view only chooses the period, asks for them and
links each count to the case list that shows those cases.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.access import cases as access
from minyi.access import projects as projects_access
from minyi.cases.deadlines import Light
from minyi.console.filters import PeriodForm
from minyi.console.views.common import staff_view
from minyi.core import clock
from minyi.org.roles import Role
from minyi.projects import progress
from minyi.projects.models import SubItem
from minyi.stats import config, measures, periods, rollups


@staff_view(Role.LEADER)
def home(request):
    now = clock.now()
    form = PeriodForm(request.GET)
    key, period = form.chosen(now)
    cases = access.cases_visible_to(request.user)
    whole = access.sees_all_cases(request.user)  # then closed months come from stats/rollups.py
    start, end = period.start, period.end
    received = {"received_from": period.first_day.isoformat(), "received_to": period.last_day.isoformat()}
    figures = rollups.measured(cases, period, whole=whole, now=now)
    months = periods.months_up_to(min(end - dt.timedelta(seconds=1), now))
    trend = rollups.trend(cases, months, whole=whole, now=now, known={period: figures.total})
    units = measures.groups(figures, "lead_unit")
    return render(
        request,
        "console/leader.html",
        {
            **scoreboard(cases, period, figures, whole=whole, now=now, received=received, units=units),
            "nav": "leader",
            "form": form,
            "period_key": key,
            "period_links": [(k, label) for k, (label, _f) in PeriodForm.PERIODS.items()],
            "period": period,
            "headline": figures.total,
            "received_url": _cases_url(**received),
            "statuses": [
                (status, n, _cases_url(status=status, **received))
                for status, n in measures.by_status(cases, start, end)
            ],
            "units": _linked(units, "unit", received),
            "categories": _linked(measures.groups(figures, "category"), "category", received),
            "streets": _linked(measures.groups(figures, "street"), "area", received),
            "overdue": [
                (row, _cases_url(unit=row.unit_id, light=Light.RED))
                for row in measures.overdue_units(cases, start, end, now)
            ],
            "trend": trend,
            "trend_chart": trend_chart(trend),
            "led_projects": led_projects(request.user),
            "awaiting_instruction": list(access.instruction_requests_for(request.user)),
        },
    )


def scoreboard(
    cases,
    period: periods.Period,
    figures: measures.Measured,
    *,
    whole: bool,
    now: dt.datetime,
    received: dict,
    units: list[measures.Group] | None = None,
) -> dict:
    """What the leader home, the dashboard and its wall screen show alike: the headline figures with
    环比 and 同比, the score's weights (as shares of the score), and the lead units' ranking
    (stats/measures.py), each unit linked to its cases. `units`: the lead units' groups of `figures`
    when the caller has them."""
    chosen = config.current()
    compared = rollups.compare(cases, period, whole=whole, now=now, current=figures.total)
    if units is None:
        units = measures.groups(figures, "lead_unit")
    ranking = measures.ranking(units, chosen)
    return {
        "compared": compared,
        "figures": measures.figures(compared, chosen),
        "score_label": chosen.shown_score_label,
        "weights": chosen.shares(),
        "min_cases": chosen.min_cases,
        "ranking": ranking,
        "units_ranked": [(r, _cases_url(unit=r.group.key, **received)) for r in ranking],
    }


def led_projects(user) -> dict | None:
    """领衔项目: the livelihood projects the leader leads, as the kept figures of their sub-items."""
    items = SubItem.objects.filter(project__in=projects_access.projects_visible_to(user).filter(leader=user))
    figures = items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=progress.DONE)),
        lagging=Count("pk", filter=Q(status=progress.LAGGING)),
        projects=Count("project", distinct=True),
    )
    return figures if figures["total"] else None


def _cases_url(**params) -> str:
    return reverse("console:cases") + "?" + urlencode(params)


def _linked(groups: list[measures.Group], param: str, received: dict) -> list[tuple]:
    """[(group, link to the cases it received in the period)]."""
    return [(group, _cases_url(**{param: group.key}, **received)) for group in groups]


def trend_chart(trend: list[measures.MonthCount], *, linked: bool = False) -> dict:
    """The ECharts option of a 12-month trend: received as bars, closed as a line. `linked`: each
    month's bar carries the url of that month's cases (a click opens them: web/static/minyi/app.js)."""
    received, closed = _("Cases received"), _("Cases closed")
    bars = [{"value": m.received, "url": _month_url(m.month)} if linked else m.received for m in trend]
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [received, closed], "top": 0},
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{m.month:%Y-%m}" for m in trend]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": received, "type": "bar", "data": bars},
            {"name": closed, "type": "line", "data": [m.closed for m in trend], "smooth": True},
        ],
    }


def _month_url(month: dt.date) -> str:
    period = periods.month_of(month)
    return _cases_url(received_from=period.first_day.isoformat(), received_to=period.last_day.isoformat())
