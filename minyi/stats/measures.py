"""The measures (指标) of a period, one definition for every page that shows them (the leader home,
the public statistics page, later the monthly report and the API).

- received (受理量): cases received in the period;
- closed (办结量): cases replied to (办结) in the period, by a unit or answered on the spot;
- on-time rate (按时办结率, as DOMAIN.md defines it: orders closed by their deadline ÷ orders due in
  the period): the orders due are those a unit replied to in the period, plus those whose handling
  deadline passed in the period (up to now) without a reply by then; the on-time ones are the
  replies of the period made before the deadline. An overdue order still open counts against the
  rate; withdrawn, rejected, merged and suspended orders are not due;
- satisfaction rate (满意率): of the callbacks that reached the requester (cases replied to in the
  period and called back), the share satisfied or basically satisfied.

The same counts are taken for the whole scope (`headline`) and per lead unit, top-level category and
street (`by_lead_unit`, `by_top_category`, `by_street`): each is one GROUP BY query over the cases
that were received or replied to in the period. Breakdowns of a tree (categories, places) group by
the node's path and add the rows up to the wanted level in Python, so one query serves any depth.

Every function takes the cases to measure as a queryset, so the caller's scope applies. Periods are
[start, end) in local time (stats/periods.py).

The score (综合评分, `score`), the ranking of units (排名, `ranking`: 样本不足 below the configured
minimum) and the changes against the period before and the year before (环比/同比, `Change`,
`figures`) are defined here too: the dashboard, its wall screen, the leader home and the monthly
report only display them (docs/measures.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

import numpy as np
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from minyi.cases.deadlines import Light, light_q
from minyi.cases.models import Case, Satisfaction
from minyi.cases.workflow import CLOCKS, Status
from minyi.core import clock
from minyi.stats.config import in_language
from minyi.stats.periods import Period

REACHED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED)
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
STREET_DEPTH = 2  # district → street/town → community → grid


@dataclass(frozen=True)
class Headline:
    received: int
    closed: int
    replied_by_unit: int  # replies of the period by a lead unit (due, and replied)
    on_time: int
    called_back: int
    content: int
    overdue_unreplied: int = 0  # handling deadlines that passed in the period with no reply by its end
    asked_resolved: int = 0  # callbacks that asked whether the problem was solved
    resolved: int = 0  # … and heard yes (解决)
    reworked: int = 0  # replies of cases sent back for rework at least once (重办)
    unsigned_late: int = 0  # sign-for deadlines that passed in the period without a signature
    handling_seconds: float = 0.0  # received → replied, summed over the replies of the period
    signed: int = 0  # orders signed for (签收) in the period, that had a sign-for deadline
    signed_on_time: int = 0  # … within it

    @property
    def due(self) -> int:
        """应办结: orders replied to by their unit in the period, and those overdue without a reply."""
        return self.replied_by_unit + self.overdue_unreplied

    @property
    def assigned_to_sign(self) -> int:
        """Orders whose signing was due in the period: signed in it, or overdue unsigned."""
        return self.signed + self.unsigned_late

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.content / self.called_back if self.called_back else None

    @property
    def average_handling_days(self) -> float | None:
        """平均办理时长: calendar days from receipt to reply, over the replies of the period."""
        return self.handling_seconds / self.closed / 86400 if self.closed else None

    def count(self, name: str) -> float:
        return getattr(self, name)

    def rate(self, rate) -> float | None:
        """A configured rate (stats/config.py): its numerator over its denominator, None without data."""
        denominator = self.count(rate.denominator)
        return self.count(rate.numerator) / denominator if denominator else None


FIELDS = tuple(f.name for f in fields(Headline))
# Counts taken at the end of the period (what is still overdue then): those of a year are not the sum
# of its months' (an order overdue at the end of March and replied in May is due once in the year).
AT_END = ("overdue_unreplied", "unsigned_late")
# The names a configured rate may divide (stats/measures.toml).
COUNTS = (*FIELDS, "due", "assigned_to_sign")


def _received(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(received_at__gte=start, received_at__lt=end)


def _replied(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(replied_at__gte=start, replied_at__lt=end)


NOT_DUE = (Status.WITHDRAWN, Status.REJECTED, Status.MERGED, Status.SUSPENDED)


def _overdue_unreplied(start: dt.datetime, end: dt.datetime) -> Q:
    """Orders whose handling deadline passed in the period (up to now) with no reply by then."""
    cap = min(end, clock.now())
    return (
        Q(lead_unit__isnull=False, handle_due_at__gte=start, handle_due_at__lt=cap)
        & (Q(replied_at__isnull=True) | Q(replied_at__gte=cap))
        & ~Q(status__in=NOT_DUE)
    )


def _signed(start: dt.datetime, end: dt.datetime) -> Q:
    """Orders whose (current) signature falls in the period; cases without a sign-for deadline
    (answered on the spot, imported history) have no on-time status and are not counted."""
    return Q(signed_at__gte=start, signed_at__lt=end, signed_on_time__isnull=False)


def _unsigned_late(start: dt.datetime, end: dt.datetime) -> Q:
    cap = min(end, clock.now())
    return Q(signed_at__isnull=True, sign_due_at__gte=start, sign_due_at__lt=cap) & ~Q(status__in=NOT_DUE)


def _counts(start: dt.datetime, end: dt.datetime) -> dict:
    """The definitions: one conditional aggregate per field of `Headline` that the case rows hold."""
    replied = _replied(start, end)
    by_unit = replied & Q(lead_unit__isnull=False)
    handling = ExpressionWrapper(F("replied_at") - F("received_at"), output_field=DurationField())
    return {
        "received": Count("pk", filter=_received(start, end)),
        "closed": Count("pk", filter=replied),
        "replied_by_unit": Count("pk", filter=by_unit),
        "on_time": Count("pk", filter=by_unit & Q(replied_on_time=True)),
        "called_back": Count("pk", filter=replied & Q(satisfaction__in=REACHED)),
        "content": Count("pk", filter=replied & Q(satisfaction__in=CONTENT)),
        "overdue_unreplied": Count("pk", filter=_overdue_unreplied(start, end)),
        "asked_resolved": Count("pk", filter=replied & Q(resolved__isnull=False)),
        "resolved": Count("pk", filter=replied & Q(resolved=True)),
        "reworked": Count("pk", filter=replied & Q(rework_count__gt=0)),
        "unsigned_late": Count("pk", filter=_unsigned_late(start, end)),
        "handling_seconds": Sum(handling, filter=replied),
        "signed": Count("pk", filter=_signed(start, end)),
        "signed_on_time": Count("pk", filter=_signed(start, end) & Q(signed_on_time=True)),
    }


def not_on_time(start: dt.datetime, end: dt.datetime) -> Q:
    """The orders the period counts as due but not closed on time (due − on_time): replied by their
    unit late (or without a deadline's verdict), or overdue without a reply by the period's end (up
    to now) — the monthly report's overdue list."""
    by_unit = _replied(start, end) & Q(lead_unit__isnull=False)
    return (by_unit & ~Q(replied_on_time=True)) | _overdue_unreplied(start, end)


def _active(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    """The cases any measure of the period counts: received, replied to or due in it."""
    return cases.filter(
        _received(start, end)
        | _replied(start, end)
        | _overdue_unreplied(start, end)
        | _unsigned_late(start, end)
        | _signed(start, end)
    ).order_by()


def _seconds(value) -> float:
    if value is None:
        return 0.0
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value) / 1e6


def headline(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> Headline:
    """The measures for [start, end), without breakdowns (one query)."""
    return measure(cases, start, end, ()).total


# The breakdowns: dimension → the case column it groups by. Categories are counted at the top level,
# places at the street (STREET_DEPTH); both group by the node and add it up to that level in Python,
# so the tree is read once, not joined per row.
DIMENSIONS = {
    "lead_unit": "lead_unit_id",
    "category": "category_id",
    "street": "area_id",
    "channel": "channel",
    "demand_type": "demand_type",
}


@dataclass(frozen=True)
class Measured:
    """The measures of one period: the whole scope and each breakdown ({dimension: {key: counts}});
    a unit, top-level category or street is keyed by its id, a channel or demand type by its value.
    Cases outside a breakdown (no lead unit, no category, placed above street level) are left out of
    it but counted in the total."""

    total: Headline
    by: dict[str, dict]

    FORMAT = 2  # of to_json(); stored figures of another format are not read (counted again)

    def to_json(self) -> dict:
        """Plain data to store (stats/rollups.py); keys keep their type as [key, counts] pairs."""
        by = {dim: [[key, asdict(h)] for key, h in groups.items()] for dim, groups in self.by.items()}
        return {"format": self.FORMAT, "total": asdict(self.total), "by": by}

    @classmethod
    def from_json(cls, data: dict) -> Measured | None:
        """The figures stored by to_json(), None when they were stored in another format."""
        if data.get("format") != cls.FORMAT:
            return None
        by = {dim: {key: Headline(**values) for key, values in rows} for dim, rows in data["by"].items()}
        return cls(Headline(**data["total"]), by)

    @classmethod
    def combined(cls, parts: Iterable[Measured], at_end: Measured) -> Measured:
        """The figures of a period from those of the consecutive periods that make it up (`parts`,
        e.g. the months of a year) and the counts taken at the end of the whole period (`at_end`:
        AT_END, which do not add up)."""

        def add(headlines: list[Headline], end: Headline | None) -> Headline:
            values = {name: sum(getattr(h, name) for h in headlines) for name in FIELDS}
            values |= {name: getattr(end, name) if end else 0 for name in AT_END}
            return Headline(**values)

        parts = list(parts)
        by = {}
        for dim in at_end.by:
            keys = set(at_end.by[dim]).union(*(p.by.get(dim, {}) for p in parts))
            by[dim] = {
                key: add([p.by[dim][key] for p in parts if key in p.by.get(dim, {})], at_end.by[dim].get(key))
                for key in keys
            }
        return cls(add([p.total for p in parts], at_end.total), by)


def measure(
    cases: QuerySet[Case],
    start: dt.datetime,
    end: dt.datetime,
    dimensions: Iterable[str] = DIMENSIONS,
    *,
    at_end_only: bool = False,
) -> Measured:
    """The total and the breakdowns asked for, of [start, end): one grouped query, however many
    breakdowns; its groups (about one per case in a big month) are added up per breakdown as arrays.
    `at_end_only` counts only AT_END (the others are 0), over the few cases they concern."""
    from minyi.catalog.models import Category
    from minyi.org.models import Area

    dims = [d for d in DIMENSIONS if d in set(dimensions)]
    columns = [DIMENSIONS[d] for d in dims]
    n = len(columns)
    aggregates = _counts(start, end)
    if at_end_only:
        aggregates = {name: aggregates[name] for name in AT_END}
        found = cases.filter(_overdue_unreplied(start, end) | _unsigned_late(start, end)).order_by()
    else:
        found = _active(cases, start, end)
    if columns:
        rows = list(found.values_list(*columns).annotate(**aggregates))
    else:  # values_list() without fields would list every field: one row, no group
        rows = [tuple(found.aggregate(**aggregates).values())]
    keys = [row[:n] for row in rows]
    names = list(aggregates)
    values = [list(row[n:]) for row in rows]
    if "handling_seconds" in aggregates:  # a duration (PostgreSQL) or microseconds (SQLite), or None
        h = names.index("handling_seconds")
        for v in values:
            v[h] = _seconds(v[h])
    counts = np.zeros((len(rows), len(FIELDS)))
    counts[:, [FIELDS.index(name) for name in names]] = np.array(values, dtype=np.float64).reshape(
        len(rows), len(names)
    )
    lift = {
        "category": Category.ancestors_at(1) if "category" in dims else None,
        "street": Area.ancestors_at(STREET_DEPTH) if "street" in dims else None,
    }
    by = {}
    for i, dim in enumerate(dims):
        level = lift.get(dim)
        index: dict = {}
        slots = np.fromiter(
            (
                -1
                if (value := level.get(k[i]) if level is not None else k[i]) is None
                else index.setdefault(value, len(index))
                for k in keys
            ),
            dtype=np.int64,
            count=len(keys),
        )
        sums = np.zeros((len(index), len(FIELDS)))
        np.add.at(sums, slots[slots >= 0], counts[slots >= 0])
        by[dim] = {value: _from_sums(sums[slot]) for value, slot in index.items()}
    return Measured(_from_sums(counts.sum(axis=0)), by)


def _from_sums(sums) -> Headline:
    return Headline(
        **{
            name: float(v) if name == "handling_seconds" else int(v)
            for name, v in zip(FIELDS, sums, strict=True)
        }
    )


@dataclass(frozen=True)
class Group:
    """The measures of one unit, category or place. `key` identifies it as the case filters do:
    a unit or area by id, a category by code."""

    key: int | str
    label: str
    measures: Headline


def _ranked(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.measures.received, -g.measures.closed, g.label))


def groups(measured: Measured, dimension: str) -> list[Group]:
    """One breakdown of `measured` as labelled groups, busiest first: units and streets by their
    name, categories by code and name, channels and demand types by their choice's label."""
    from minyi.catalog.choices import Channel, DemandType
    from minyi.catalog.models import Category
    from minyi.org.models import Area, Unit

    found = measured.by[dimension]
    if dimension in ("channel", "demand_type"):
        names = dict((Channel if dimension == "channel" else DemandType).choices)
        return _ranked(Group(key, str(names.get(key, key)), h) for key, h in found.items())
    if dimension == "category":
        nodes = Category.objects.filter(pk__in=found).values_list("pk", "code", "name")
        return _ranked(Group(code, name, found[pk]) for pk, code, name in nodes)
    model = Unit if dimension == "lead_unit" else Area
    nodes = model.objects.filter(pk__in=found).values_list("pk", "name")
    return _ranked(Group(pk, name, found[pk]) for pk, name in nodes)


def by_lead_unit(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[Group]:
    """Per (current) lead unit; cases without one (not yet assigned, answered on the spot) are left out."""
    return groups(measure(cases, start, end, ["lead_unit"]), "lead_unit")


def by_field(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, field: str) -> list[Group]:
    """Per value of a plain field of the case (channel, demand_type), labelled by its choices."""
    return groups(measure(cases, start, end, [field]), field)


def by_top_category(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[Group]:
    """Per top-level category, each counting the cases of all its sub-categories."""
    return groups(measure(cases, start, end, ["category"]), "category")


def by_street(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[Group]:
    """Per street/town (area level 2), each counting its communities and grids."""
    return groups(measure(cases, start, end, ["street"]), "street")


def by_status(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> list[tuple[Status, int]]:
    """[(status, count)] of the cases received in the period, by their status now (lifecycle order;
    statuses without cases are left out)."""
    rows = cases.filter(_received(start, end)).order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(status, counts[status]) for status in Status if counts.get(status)]


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # its first day
    received: int
    closed: int


def monthly_trend(cases: QuerySet[Case], months: list[Period]) -> list[MonthCount]:
    """Received and closed per month, for consecutive `months` (stats.periods.months_up_to)."""
    start, end = months[0].start, months[-1].end
    received = _per_month(cases.filter(_received(start, end)), "received_at")
    closed = _per_month(cases.filter(_replied(start, end)), "replied_at")
    return [MonthCount(m.first_day, received.get(m.first_day, 0), closed.get(m.first_day, 0)) for m in months]


def _per_month(cases: QuerySet[Case], field: str) -> dict[dt.date, int]:
    # TruncMonth works in the current (local) time zone, so a case received on 1 December at
    # 07:00 Beijing time (still November in UTC) counts for December.
    rows = cases.order_by().annotate(month=TruncMonth(field)).values("month").annotate(n=Count("pk"))
    return {clock.local(row["month"]).date(): row["n"] for row in rows}


@dataclass(frozen=True)
class OverdueUnit:
    unit_id: int
    name: str
    red: int  # open cases past their deadline now (红灯)
    late: int  # replies in the period after the handling deadline (超期答复)


def overdue_units(
    cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[OverdueUnit]:
    """超期排名: lead units with red cases now or late replies in the period, worst first."""
    late = _replied(start, end) & Q(lead_unit__isnull=False, replied_on_time=False)
    rows = (
        cases.filter(Q(status__in=tuple(CLOCKS)) | late, lead_unit__isnull=False)
        .order_by()
        .values("lead_unit", "lead_unit__name")
        .annotate(red=Count("pk", filter=light_q(Light.RED, now)), late=Count("pk", filter=late))
        .filter(Q(red__gt=0) | Q(late__gt=0))
        .order_by("-red", "-late", "lead_unit__name")
    )
    return [OverdueUnit(r["lead_unit"], r["lead_unit__name"], r["red"], r["late"]) for r in rows]


def top_categories(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime, n: int = 5) -> list[tuple]:
    """The `n` categories (top level) with most cases received in the period: [(name, count), …]."""
    groups = sorted(
        by_top_category(cases.filter(_received(start, end)), start, end),
        key=lambda g: (-g.measures.received, g.label),
    )
    return [(g.label, g.measures.received) for g in groups[:n]]


def rates(h: Headline, config) -> dict[str, float | None]:
    """The configured rates (stats/measures.toml) of one set of counts."""
    return {name: h.rate(rate) for name, rate in config.rates.items()}


def score(h: Headline, config) -> float | None:
    """综合评分 (0–100, one decimal): the configured weights over the rates that have data (the others
    leave the score and the rest are re-weighted); a rate where lower is better counts as 1 − rate.
    Improving any rate never lowers it (tests/stats/test_ranking.py)."""
    weighted = _weighted(h, config)
    return None if weighted is None else round(100 * weighted, 1)


def _weighted(h: Headline, config) -> float | None:
    """The score before rounding, 0–1."""
    total = weight_sum = 0.0
    for name, weight in config.weights.items():
        rate = config.rates[name]
        value = h.rate(rate)
        if value is None or not weight:
            continue
        total += weight * ((1 - value) if rate.lower_is_better else value)
        weight_sum += weight
    return total / weight_sum if weight_sum else None


# --- the ranking (考核排名) ---------------------------------------------------------------------------

RANKED, INSUFFICIENT, NO_SCORE = "ranked", "insufficient", "no_score"


@dataclass(frozen=True)
class Ranked:
    """One unit in the ranking: its score, its sample (the configured `sample` count of the period,
    应办结 by default) and its rank. A unit with fewer than `min_cases` is not ranked
    (INSUFFICIENT, shown as 样本不足): two orders decide nothing, and 100 on two orders must not
    stand above 98 on two thousand. Units with the same score (as shown, one decimal) share a rank."""

    group: Group
    score: float | None
    sample: int
    standing: str  # RANKED, INSUFFICIENT or NO_SCORE
    rank: int | None = None  # 1 = best; None unless RANKED

    @property
    def insufficient(self) -> bool:
        return self.standing == INSUFFICIENT


def ranking(groups: Iterable[Group], config) -> list[Ranked]:
    """The ranking of `groups` (units) by score: the ranked ones best first (a tie on the shown score
    shares the rank, listed by the unrounded rates' score, then the larger sample), then those with an
    insufficient sample, then those without a score, each busiest first."""
    rows = []
    for g in groups:
        value, sample = score(g.measures, config), int(g.measures.count(config.sample))
        standing = INSUFFICIENT if sample < config.min_cases else NO_SCORE if value is None else RANKED
        rows.append((g, value, sample, standing))
    order = {RANKED: 0, INSUFFICIENT: 1, NO_SCORE: 2}
    rows.sort(
        key=lambda r: (
            order[r[3]],
            -(r[1] or 0) if r[3] == RANKED else 0,
            -(_weighted(r[0].measures, config) or 0) if r[3] == RANKED else 0,  # a tie, unrounded
            -r[2],
            -r[0].measures.received,
            r[0].label,
        )
    )
    ranked, previous = [], None
    for position, (g, value, sample, standing) in enumerate(rows, 1):
        rank = None
        if standing == RANKED:
            rank = ranked[-1].rank if previous is not None and value == previous else position
            previous = value
        ranked.append(Ranked(g, value, sample, standing, rank))
    return ranked


# --- 环比 and 同比 -----------------------------------------------------------------------------------

COUNT, RATE, SCORE = "count", "rate", "score"


def shown(kind: str, value: float | None) -> str:
    """A figure as every page and report prints it: a count whole, a rate in per cent, the score with
    one decimal; "—" without a value."""
    if value is None:
        return "—"
    if kind == COUNT:
        return f"{value:.0f}"
    return f"{value * 100:.1f}%" if kind == RATE else f"{value:.1f}"


@dataclass(frozen=True)
class Change:
    """环比 (against the period before) or 同比 (against the same dates a year earlier) of one figure:
    a count changes by a share of its earlier value (+12.5 %), a rate by percentage points (+3.2 个百分
    点), the score by its own points (+2.1 分). `then`, the earlier value, is shown beside or on hover."""

    kind: str  # COUNT, RATE or SCORE
    now: float | None
    then: float | None

    @property
    def value(self) -> float | None:
        """The change, rounded to one decimal as it is shown; None when there is nothing to compare
        (no value now or then, or a count that was 0)."""
        if self.now is None or self.then is None:
            return None
        if self.kind == COUNT:
            return round(100 * (self.now - self.then) / self.then, 1) if self.then else None
        if self.kind == RATE:
            return round(100 * (self.now - self.then), 1)
        return round(self.now - self.then, 1)

    @property
    def signed(self) -> str:
        """ "+12.5", "−3.0" (a minus sign), "±0.0", or "—" without a change; the unit is the reader's."""
        value = self.value
        if value is None:
            return "—"
        if value == 0:
            return "±0.0"
        return f"{'+' if value > 0 else '−'}{abs(value):.1f}"

    @property
    def then_shown(self) -> str:
        return shown(self.kind, self.then)


@dataclass(frozen=True)
class Figure:
    """One headline figure of a period with its 环比 and 同比: 受理量, 办结量, the score or a rate."""

    name: str  # "received", "closed", "score" or the rate's name
    label: str  # the configured label (rates, score) or the Chinese name of a count
    kind: str
    now: float | None
    previous: float | None
    last_year: float | None
    numerator: float | None = None  # a rate's counts now
    denominator: float | None = None
    lower_is_better: bool = False
    label_en: str = ""  # the name on English pages (stats/config.py)

    @property
    def shown_label(self) -> str:
        """The name pages show: the label, or on English pages the English name (reports keep `label`)."""
        return in_language(self.label, self.label_en)

    @property
    def mom(self) -> Change:
        return Change(self.kind, self.now, self.previous)

    @property
    def yoy(self) -> Change:
        return Change(self.kind, self.now, self.last_year)

    @property
    def now_shown(self) -> str:
        return shown(self.kind, self.now)


def figures(compared: Comparison, config) -> list[Figure]:
    """The headline figures every page and report shows, in this order: received, closed, the score,
    then each configured rate — each with the period before and the year before."""
    c, p, y = compared.current, compared.previous, compared.last_year
    rows = [
        Figure("received", "受理量", COUNT, c.received, p.received, y.received, label_en="Cases received"),
        Figure("closed", "办结量", COUNT, c.closed, p.closed, y.closed, label_en="Cases closed"),
        Figure(
            "score",
            config.score_label,
            SCORE,
            score(c, config),
            score(p, config),
            score(y, config),
            label_en=config.score_label_en,
        ),
    ]
    for name, rate in config.rates.items():
        rows.append(
            Figure(
                name,
                rate.label,
                RATE,
                c.rate(rate),
                p.rate(rate),
                y.rate(rate),
                c.count(rate.numerator),
                c.count(rate.denominator),
                rate.lower_is_better,
                rate.label_en,
            )
        )
    return rows


@dataclass(frozen=True)
class Comparison:
    """A period's measures beside the period before (环比) and the same dates a year earlier (同比)."""

    current: Headline
    previous: Headline
    last_year: Headline


def compare(cases: QuerySet[Case], period: Period) -> Comparison:
    from minyi.stats import periods

    before, year_ago = periods.previous(period), periods.year_before(period)
    return Comparison(
        headline(cases, period.start, period.end),
        headline(cases, before.start, before.end),
        headline(cases, year_ago.start, year_ago.end),
    )
