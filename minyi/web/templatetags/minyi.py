"""Template helpers shared by the console and the portal."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from minyi.cases import deadlines
from minyi.catalog.choices import LIMIT_UNIT_CHOICES
from minyi.core import clock

register = template.Library()


@register.filter
def when(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in local (Beijing) time: 2026-11-25 09:30."""
    return clock.local(value).strftime(fmt) if value else ""


@register.filter
def iso_when(value: str | None) -> str:
    """An ISO moment stored in an event's data, in local time."""
    try:
        return when(dt.datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return value


@register.filter
def limit_unit(value: str) -> str:
    """working_days → 个工作日 (the label of a time limit's unit)."""
    return str(dict(LIMIT_UNIT_CHOICES).get(value, value))


@register.filter
def day(value: dt.datetime | None) -> str:
    return when(value, "%Y-%m-%d")


@register.simple_tag
def light_badge(case) -> str:
    """The deadline light of a case (green / yellow / red) with the deadline it counts to."""
    light = deadlines.light(case, clock.now())
    if light is None:
        return ""
    due = deadlines.next_due(case)
    return format_html(
        '<span class="light {}" title="{}">{} {}</span>', light, _("deadline"), light.label, when(due)
    )


@register.simple_tag
def status_badge(case) -> str:
    return format_html('<span class="badge {}">{}</span>', case.status, case.get_status_display())


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one): for pagers and tabs."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.simple_tag
def change(figure, which: str) -> str:
    """环比 (`which` = "mom") or 同比 ("yoy") of a headline figure (stats.measures.Figure) as the
    change — "+12.5%" for a count, "+3.2 个百分点" for a rate, "+2.1 分" for the score — with the
    earlier value on hover."""
    from minyi.stats import measures

    moved = figure.mom if which == "mom" else figure.yoy
    text = moved.signed
    if moved.value is not None:
        if moved.kind == measures.COUNT:
            text = f"{text}%"
        elif moved.kind == measures.RATE:
            text = _("%(change)s percentage points") % {"change": text}
        else:
            text = _("%(change)s pts") % {"change": text}
    title = (_("Period before: %(value)s") if which == "mom" else _("A year earlier: %(value)s")) % {
        "value": moved.then_shown
    }
    return format_html('<span class="change" data-change="{}" title="{}">{}</span>', which, title, text)


@register.filter
def heat_level(share: float) -> int:
    """0–5: how hot a place is beside the busiest one (the colour class of the heat table)."""
    return min(5, int(share * 5 + 0.5))
