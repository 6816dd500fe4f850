"""Surge alerts in the product (上升苗头预警): every day the cases of the day just ended are counted per
category × area and per keyword and compared with what was expected (the plain method:
analysis/surges.py). A surge becomes a `SurgeAlert` with its explanation ("东苑社区「供热」近7天14件，
预期3.2件"), goes to the responsible unit's notifications (the unit the routing catalogue names for the
category and place) and to the supervisors, and waits on the dashboard to be dismissed or turned into a
supervised case.

Keys: the category at its second level (供热, not 城乡建设 and not 供热不足: a level that is both
specific and frequent enough to count) × the community (or the street when a case names no community);
keywords district-wide. A topic that alerted in the last seven days does not alert again while that
alert is open, and a keyword whose cases are mostly those of a surge already raised that day (暖气,
不热 of the same estate's heating calls) is not raised beside it: one rise is one alert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.access import analysis as analysis_access
from minyi.analysis import surges
from minyi.analysis.models import CaseKeyword, SurgeAlert
from minyi.cases.models import Case
from minyi.catalog.models import Category
from minyi.catalog.services import routing_for
from minyi.core import clock
from minyi.core.errors import InvalidInput
from minyi.core.trees import path_ids
from minyi.notifications.models import Notification
from minyi.notifications.services import notify, role_holders, unit_staff
from minyi.org.models import Area
from minyi.org.roles import Role
from minyi.stats import periods

CATEGORY_DEPTH = 2
AREA_DEPTH = 3  # community
HISTORY_DAYS = 364 + 7 + 28 + 7  # last year's season needs the same days a year back
KEYWORD_MIN = 8  # a keyword needs this many cases in the last week to be looked at
KEYWORD_SETTINGS = surges.Settings(long_run_days=28, windows=(7,))  # keywords: weekly, no season
REPEAT_DAYS = 7


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    period = periods.days(first, last)
    return period.start, period.end


def _ancestor_at(node_id: int, nodes: dict, depth: int) -> int:
    """The id of the node's ancestor at `depth` (the node itself when it is shallower)."""
    ids = path_ids(nodes[node_id])
    return ids[min(depth, len(ids)) - 1]


def category_area_counts(day: dt.date) -> tuple[dict, dict, dict]:
    """Daily counts per (category, area) key, per category district-wide (for seasonality) and for
    the whole district (for the weekday profile), over the history the method needs."""
    start, end = _bounds(day - dt.timedelta(days=HISTORY_DAYS), day)
    rows = (
        Case.objects.filter(received_at__gte=start, received_at__lt=end, category__isnull=False)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("category_id", "area_id", "day")
        .annotate(n=Count("pk"))
    )
    categories = dict(Category.objects.values_list("pk", "path"))
    areas = dict(Area.objects.values_list("pk", "path"))
    by_key: dict = defaultdict(lambda: defaultdict(int))
    by_category: dict = defaultdict(lambda: defaultdict(int))
    total: dict = defaultdict(int)
    for category_id, area_id, date, n in rows.iterator():
        category = _ancestor_at(category_id, categories, CATEGORY_DEPTH)
        by_category[category][date] += n
        total[date] += n
        if area_id is not None and areas[area_id].count("/") - 1 >= 2:  # below the district
            by_key[(category, _ancestor_at(area_id, areas, AREA_DEPTH))][date] += n
    return by_key, by_category, total


def keyword_counts(day: dt.date) -> dict:
    """Daily counts per keyword over five weeks, for the keywords frequent in the last week."""
    week_start, end = _bounds(day - dt.timedelta(days=6), day)
    frequent = list(
        CaseKeyword.objects.filter(received_at__gte=week_start, received_at__lt=end)
        .values("term")
        .annotate(n=Count("pk"))
        .filter(n__gte=KEYWORD_MIN)
        .order_by("-n")
        .values_list("term", flat=True)[:500]
    )
    start, _end = _bounds(day - dt.timedelta(days=34), day)
    rows = (
        CaseKeyword.objects.filter(term__in=frequent, received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("term", "day")
        .annotate(n=Count("pk"))
    )
    counts: dict = defaultdict(lambda: defaultdict(int))
    for term, date, n in rows.iterator():
        counts[term][date] += n
    return counts


def scan_surges(*, day: dt.date) -> list[SurgeAlert]:
    """Raise the alerts of the day just ended (`day`); returns the alerts raised."""
    by_key, by_category, total = category_area_counts(day)
    profile = surges.weekday_profile(total, day)
    found = surges.detect(by_key, day=day, profile=profile, seasons=by_category, season_of=lambda key: key[0])
    keyword_found = surges.detect(keyword_counts(day), day=day, profile=profile, settings=KEYWORD_SETTINGS)
    raised = []
    categories = Category.objects.in_bulk({key[0] for key in (s.key for s in found)})
    areas = Area.objects.in_bulk({key[1] for key in (s.key for s in found)})
    covered: set[int] = set()  # the cases of today's surges: a keyword of the same cases adds nothing
    for surge in found:
        category, area = categories[surge.key[0]], areas[surge.key[1]]
        covered |= _cases_of(surge, category=category, area=area)
        alert = _raise(surge, f"c{category.pk}@a{area.pk}", category=category, area=area)
        if alert:
            raised.append(alert)
    for surge in keyword_found:  # strongest first
        cases = _cases_of(surge, term=surge.key)
        if len(cases & covered) * 2 >= len(cases):  # mostly the same cases as a surge already told
            continue
        covered |= cases
        alert = _raise(surge, f"k{surge.key}", term=surge.key)
        if alert:
            raised.append(alert)
    return raised


def _cases_of(surge: surges.Surge, *, category=None, area=None, term: str = "") -> set[int]:
    """The ids of the cases a surge counted."""
    start, end = _bounds(surge.start, surge.end)
    if term:
        rows = CaseKeyword.objects.filter(term=term, received_at__gte=start, received_at__lt=end)
        return set(rows.values_list("case_id", flat=True))
    rows = Case.objects.filter(
        _keyed(category, "category", CATEGORY_DEPTH),
        _keyed(area, "area", AREA_DEPTH),
        received_at__gte=start,
        received_at__lt=end,
    )
    return set(rows.values_list("pk", flat=True))


def _keyed(node, field: str, depth: int) -> Q:
    """The cases category_area_counts counted under `node`: below it when it is at the key's depth,
    only those placed on it when it is shallower (the cases below were counted under deeper keys)."""
    if node.depth >= depth:
        return Q(**{f"{field}__path__startswith": node.path})
    return Q(**{field: node})


def explain(surge: surges.Surge, *, category=None, area=None, term: str = "") -> str:
    topic = f"「{term}」" if term else f"{area.name}「{category.name}」"
    window = (
        _("the last day") if surge.window_days == 1 else _("the last %(n)d days") % {"n": surge.window_days}
    )
    return _("%(topic)s: %(observed)d cases in %(window)s, %(expected)s expected (×%(ratio)s)") % {
        "topic": topic,
        "observed": surge.observed,
        "window": window,
        "expected": f"{surge.expected:.1f}",
        "ratio": f"{surge.ratio:.1f}",
    }


def _raise(surge: surges.Surge, key: str, *, category=None, area=None, term: str = "") -> SurgeAlert | None:
    recent = surge.end - dt.timedelta(days=REPEAT_DAYS)
    if SurgeAlert.objects.filter(key=key, end__gt=recent, status=SurgeAlert.Status.OPEN).exists():
        return None  # the rise under way already has its alert
    routing = routing_for(category=category, area=area) if category is not None else None
    unit = routing.lead_unit if routing else None
    try:
        with transaction.atomic():
            alert = SurgeAlert.objects.create(
                category=category,
                area=area,
                term=term,
                key=key,
                window_days=surge.window_days,
                start=surge.start,
                end=surge.end,
                observed=surge.observed,
                expected=surge.expected,
                seasonal_factor=surge.seasonal_factor,
                p_value=surge.p_value,
                explanation=explain(surge, category=category, area=area, term=term)[:300],
                unit=unit,
                created_at=clock.now(),
            )
            message = _("Rising topic: %(explanation)s") % {"explanation": alert.explanation}
            notify(
                unit_staff(unit) + role_holders(Role.SUPERVISOR),
                kind=Notification.Kind.SURGE,
                message=message,
            )
    except IntegrityError:  # another worker raised it a moment ago
        return None
    return alert


def alert_dismiss(*, alert_id: int, actor, note: str = "") -> SurgeAlert:
    """The centre saw it and judged it not worth acting on (with a reason)."""
    analysis_access.check_dismiss_alert(actor)
    if not (note or "").strip():
        raise InvalidInput(_("Say why the alert needs no action."), field="note")
    with transaction.atomic():
        alert = _open_alert(alert_id)
        alert.status, alert.handled_by, alert.handled_at = SurgeAlert.Status.DISMISSED, actor, clock.now()
        alert.note = (note or "").strip()[:500]
        alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
    return alert


def alert_escalate(*, alert_id: int, actor, note: str = "") -> SurgeAlert:
    """未诉先办: turn the rise into a case of its own, assigned to the responsible unit and supervised."""
    from minyi.access.principals import SYSTEM_ACTOR
    from minyi.cases.services import case_apply, case_create

    analysis_access.check_escalate_alert(actor)
    with transaction.atomic():
        alert = _open_alert(alert_id)
        description = "\n".join(filter(None, [alert.explanation, (note or "").strip()]))
        case = case_create(
            actor=SYSTEM_ACTOR,
            channel="analysis",
            demand_type="complaint",
            title=(_("Rising topic: %(topic)s") % {"topic": alert.explanation})[:200],
            description=description,
            area=alert.area,
            category=alert.category.code if alert.category else None,
            is_anonymous=True,
        )
        case_apply(case_id=case.pk, operation="accept", actor=actor)
        if alert.unit is not None:
            case_apply(case_id=case.pk, operation="assign", actor=actor, lead_unit=alert.unit.pk)
            case_apply(case_id=case.pk, operation="supervise", actor=SYSTEM_ACTOR, note=alert.explanation)
        alert.status, alert.case = SurgeAlert.Status.ESCALATED, case
        alert.handled_by, alert.handled_at, alert.note = actor, clock.now(), (note or "").strip()[:500]
        alert.save(update_fields=["status", "case", "handled_by", "handled_at", "note"])
    return alert


def _open_alert(alert_id: int) -> SurgeAlert:
    from minyi.core.errors import Conflict, NotFound

    alert = SurgeAlert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("There is no such alert."))
    if alert.status != SurgeAlert.Status.OPEN:
        raise Conflict(
            _("This alert was handled already: %(status)s.") % {"status": alert.get_status_display()}
        )
    return alert


def open_alerts(limit: int = 20) -> list[SurgeAlert]:
    return list(
        SurgeAlert.objects.filter(status=SurgeAlert.Status.OPEN)
        .select_related("category", "area", "unit")
        .order_by("-end", "p_value")[:limit]
    )
