"""The configured measures: rates from counts, the weighted score, the file's checks, signing in time
from the events, breakdowns by channel and type, and 同比/环比."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from minyi.stats import config, measures, periods
from tests.stats.test_measures import NOVEMBER, make

GOOD = """
[rates.satisfaction_rate]
label = "满意率"
numerator = "content"
denominator = "called_back"
[rates.resolution_rate]
label = "解决率"
numerator = "resolved"
denominator = "asked_resolved"
[rates.rework_rate]
label = "重办率"
numerator = "reworked"
denominator = "closed"
lower_is_better = true
[score]
label = "综合评分"
weights = { satisfaction_rate = 50, resolution_rate = 50, rework_rate = 0 }
"""


def test_the_shipped_score_weighs_the_on_time_rate_too():
    shipped = config.parse(config.DEFAULT_FILE.read_text(encoding="utf-8"), "shipped", measures.COUNTS)
    assert set(shipped.rates) >= {"on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate"}
    assert shipped.weights == {
        "response_rate": 10,
        "on_time_rate": 30,
        "resolution_rate": 30,
        "satisfaction_rate": 30,
    }
    assert (shipped.min_cases, shipped.sample) == (10, "due")


def test_each_measure_has_an_english_name_for_english_pages():
    shipped = config.parse(config.DEFAULT_FILE.read_text(encoding="utf-8"), "shipped", measures.COUNTS)
    names = {name: (rate.label, rate.label_en) for name, rate in shipped.rates.items()}
    assert names == {
        "on_time_rate": ("按时办结率", "On-time completion rate"),
        "response_rate": ("响应率", "Response rate"),
        "resolution_rate": ("解决率", "Resolution rate"),
        "satisfaction_rate": ("满意率", "Satisfaction rate"),
        "rework_rate": ("重办率", "Rework rate"),
    }
    assert (shipped.score_label, shipped.score_label_en) == ("综合评分", "Overall score")
    with translation.override("en"):
        assert shipped.rates["on_time_rate"].shown_label == "On-time completion rate"
        assert shipped.shown_score_label == "Overall score"
    with translation.override("zh-hans"):
        assert shipped.rates["on_time_rate"].shown_label == "按时办结率"
        assert shipped.shown_score_label == "综合评分"
    own = config.parse(GOOD, "own.toml", measures.COUNTS)  # no English names: the labels everywhere
    with translation.override("en"):
        assert own.rates["satisfaction_rate"].shown_label == "满意率" and own.shown_score_label == "综合评分"


def test_the_weights_as_shares_of_the_score():
    shipped = config.parse(config.DEFAULT_FILE.read_text(encoding="utf-8"), "shipped", measures.COUNTS)
    assert [(s.rate.name, s.percent) for s in shipped.shares()] == [
        ("response_rate", 10),
        ("on_time_rate", 30),
        ("resolution_rate", 30),
        ("satisfaction_rate", 30),
    ]
    own = config.parse(GOOD, "own.toml", measures.COUNTS)  # 50/50 and a weight of 0, left out
    assert [(s.rate.name, s.percent) for s in own.shares()] == [
        ("satisfaction_rate", 50),
        ("resolution_rate", 50),
    ]


def test_every_mistake_of_a_file_is_named_together():
    bad = """
[rates.x]
numerator = "contents"
denominator = "called_back"
label_en = 3
[score]
label = ["综合评分"]
weights = { x = -1, y = 3 }
min_cases = 0
sample = "cases"
"""
    with pytest.raises(ImproperlyConfigured) as caught:
        config.parse(bad, "m.toml", measures.COUNTS)
    message = str(caught.value)
    assert message.startswith("m.toml: ") and "rates.x.numerator = 'contents'" in message
    assert "score.weights.x = -1" in message and "score.weights.y: no such rate" in message
    assert "score.min_cases = 0" in message and "score.sample = 'cases'" in message
    assert "rates.x.label_en = 3: a name is text in quotes" in message
    assert "score.label = ['综合评分']: a name is text in quotes" in message
    with pytest.raises(ImproperlyConfigured, match="not valid TOML"):
        config.parse("[rates", "m.toml", measures.COUNTS)


def test_a_missing_file_is_named(settings, tmp_path):
    settings.MINYI_MEASURES_FILE = str(tmp_path / "none.toml")
    with pytest.raises(ImproperlyConfigured, match="none.toml: there is no such file"):
        config.current()


def test_rates_and_the_score_follow_the_configuration(world):
    for satisfaction, resolved, reworks in [
        ("satisfied", True, 0),
        ("dissatisfied", False, 1),
        ("satisfied", None, 0),
    ]:
        make(
            "2026-11-03 10:00",
            replied="2026-11-05 10:00",
            satisfaction=satisfaction,
            resolved=resolved,
            rework_count=reworks,
            lead_unit=world.heating,
        )
    h = measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    assert (h.asked_resolved, h.resolved, h.reworked) == (2, 1, 1)
    assert h.average_handling_days == pytest.approx(2.0)
    chosen = config.parse(GOOD, "test", measures.COUNTS)
    assert measures.rates(h, chosen) == {
        "satisfaction_rate": pytest.approx(2 / 3),
        "resolution_rate": 0.5,
        "rework_rate": pytest.approx(1 / 3),
    }
    assert measures.score(h, chosen) == pytest.approx(100 * (0.5 * 2 / 3 + 0.5 * 0.5), abs=0.05)
    empty = measures.headline(Case.objects.none(), NOVEMBER.start, NOVEMBER.end)
    assert measures.score(empty, chosen) is None


def test_signing_in_time_is_read_from_the_events(world, clock):
    clock.set("2026-11-02 09:00")
    cases = []
    for _ in range(3):
        case = case_create(
            actor=world.operator,
            channel="hotline",
            demand_type="complaint",
            title="暖气不热",
            description="暖气不热",
            requester_name="张三",
            category="010101",
        )
        case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher)
        cases.append(case_apply(case_id=case.pk, operation="assign", actor=world.dispatcher))
    clock.advance(minutes=30)
    case_apply(case_id=cases[0].pk, operation="sign_for", actor=world.heating_handler)  # in time
    clock.advance(days=3)
    case_apply(case_id=cases[1].pk, operation="sign_for", actor=world.heating_handler)  # late
    h = measures.headline(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    assert (h.signed, h.signed_on_time, h.unsigned_late, h.assigned_to_sign) == (2, 1, 1, 3)
    response = config.current().rates["response_rate"]
    assert h.rate(response) == pytest.approx(1 / 3)
    units = {
        g.label: g.measures for g in measures.by_lead_unit(Case.objects.all(), NOVEMBER.start, NOVEMBER.end)
    }
    assert units[world.heating.name].signed_on_time == 1


def test_breakdown_by_channel_and_comparisons(world, clock):
    clock.set("2026-12-01 09:00")
    Case.objects.filter(pk=make("2026-11-03 10:00").pk).update(channel="web")
    make("2026-11-04 10:00")
    make("2026-10-04 10:00")
    make("2025-11-04 10:00")
    make("2025-11-05 10:00")
    groups = measures.by_field(Case.objects.all(), NOVEMBER.start, NOVEMBER.end, "channel")
    assert {(g.key, g.measures.received) for g in groups} == {("web", 1), ("hotline", 1)}
    compared = measures.compare(Case.objects.all(), NOVEMBER)
    assert (compared.current.received, compared.previous.received, compared.last_year.received) == (2, 1, 2)
    assert measures.Change(measures.COUNT, 2, 1).signed == "+100.0"
    assert measures.Change(measures.COUNT, 2, 0).value is None


def test_previous_and_year_before_periods():
    assert periods.previous(NOVEMBER) == periods.days(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    week = periods.days(dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert periods.previous(week) == periods.days(dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    leap = periods.days(dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert periods.year_before(leap) == periods.days(dt.date(2027, 2, 1), dt.date(2027, 2, 28))
