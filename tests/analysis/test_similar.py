"""Similar and repeat cases: the same problem in other words and the same place is found first; the
time window, the user's scope and confidential reports are respected; the dispatcher merges from the
list."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from minyi.analysis.models import CaseKeyword
from minyi.analysis.similar import similar_cases, similar_to_case
from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from minyi.core.errors import InvalidInput
from tests.analysis.helpers import handled_cases


def register(world, title, description, *, area=None, phone="13900000001", demand_type="complaint", **fields):
    return case_create(
        actor=world.operator,
        channel="hotline",
        demand_type=demand_type,
        title=title,
        description=description,
        area=area,
        requester_name="张三",
        requester_phone=phone,
        **fields,
    )


@pytest.fixture
def heating_cases(world, clock):
    first = register(
        world, "幸福小区暖气不热", "幸福小区3栋暖气片冰凉，室温只有十四度，老人受冻", area=world.east_grid
    )
    clock.advance(hours=3)
    other_place = register(world, "阳光花园暖气不热", "阳光花园暖气冰凉，室温很低", area=world.west_grid)
    clock.advance(hours=3)
    roads = register(
        world, "和平路路面坑洼", "和平路路面坑洼不平，下雨积水，车辆无法通行", area=world.east_grid
    )
    clock.advance(hours=3)
    return first, other_place, roads


def test_the_same_problem_in_other_words_and_the_same_grid_comes_first(world, clock, heating_cases):
    first, other_place, roads = heating_cases
    found = similar_cases(
        world.dispatcher,
        title="暖气冰凉",
        description="幸福小区家里暖气片不热，室温十四度，孩子受冻",
        area=world.east_grid,
    )
    assert [s.case for s in found][:2] == [first, other_place]
    assert roads not in [s.case for s in found]
    top = found[0]
    assert top.same_place == "grid" and "暖气" in top.shared and top.score > found[1].score


def test_a_registered_case_lists_its_repeats_but_not_itself(world, clock, heating_cases):
    first, *_ = heating_cases
    repeat = register(
        world, "暖气不热", "幸福小区暖气冰凉不热，室温只有十四度", area=world.east_grid2, phone="13900000002"
    )
    found = similar_to_case(world.dispatcher, repeat)
    assert found[0].case == first and found[0].same_place == "community"
    assert repeat not in [s.case for s in found]


def test_the_same_requester_adds_to_the_score(world, clock, heating_cases):
    first, *_ = heating_cases
    kwargs = {"title": "暖气不热", "description": "幸福小区暖气冰凉，室温低"}
    plain = similar_cases(world.dispatcher, **kwargs)
    same = similar_cases(world.dispatcher, **kwargs, same_requester={first.pk})
    score = {s.case: s for s in same}
    assert score[first].same_requester and score[first].score > {s.case: s for s in plain}[first].score


def test_a_registered_case_marks_its_requesters_other_cases_only_where_the_link_may_be_seen(
    world, clock, heating_cases
):
    first, *_ = heating_cases
    again = register(world, "暖气不热", "幸福小区暖气冰凉不热，室温只有十四度", phone=first.requester_phone)
    assert {s.case: s.same_requester for s in similar_to_case(world.dispatcher, again)}[first]
    for case in (first, again):
        case_apply(case_id=case.pk, operation="accept", actor=world.dispatcher, category="010101")
        case_apply(case_id=case.pk, operation="assign", actor=world.dispatcher)
    # the heating company may not reveal these requesters: it is not told that one person raised both
    assert not any(s.same_requester for s in similar_to_case(world.heating_handler, again))


def test_cases_older_than_the_window_are_not_listed(world, clock, heating_cases, settings):
    settings.MINYI_SIMILAR_DAYS = 30
    clock.advance(days=31)
    assert similar_cases(world.dispatcher, title="暖气不热", description="幸福小区暖气冰凉室温十四度") == []


def test_a_unit_sees_only_its_cases_and_never_a_confidential_report(world, clock, heating_cases):
    first, *_ = heating_cases
    d = world.dispatcher
    case_apply(case_id=first.pk, operation="accept", actor=d, category="010101")
    case_apply(case_id=first.pk, operation="assign", actor=d)
    report = register(
        world, "热力公司暖气不热", "幸福小区暖气冰凉，室温十四度，举报热力公司", demand_type="report"
    )
    kwargs = {"title": "暖气不热", "description": "幸福小区暖气片冰凉，室温十四度"}
    assert report in [s.case for s in similar_cases(d, **kwargs)]
    seen = [s.case for s in similar_cases(world.heating_handler, **kwargs)]
    assert seen == [first]  # the other heating case is not the heating company's; the report is hidden
    assert similar_to_case(world.housing_handler, report) == []


def test_too_little_text_finds_nothing(world, clock, heating_cases):
    assert similar_cases(world.dispatcher, title="你好", description="谢谢") == []


def test_the_case_page_lists_similar_cases_and_the_dispatcher_merges_one(client, world, clock, heating_cases):
    first, *_ = heating_cases
    repeat = register(
        world, "暖气不热", "幸福小区暖气冰凉不热，室温只有十四度", area=world.east_grid, phone="13900000002"
    )
    client.force_login(world.dispatcher)
    page = client.get(reverse("console:case", args=[repeat.pk])).content.decode()
    assert f'data-case="{first.pk}"' in page and 'value="' + first.tracking_number + '"' in page
    client.post(
        reverse("console:case_do", args=[repeat.pk, "merge"]),
        {"master": first.tracking_number, "expected_version": repeat.version, "note": "重复"},
    )
    repeat.refresh_from_db()
    assert repeat.status == "merged" and repeat.master == first


def test_units_see_no_merge_button(client, world, clock, heating_cases):
    first, *_ = heating_cases
    client.force_login(world.operator)
    page = client.get(reverse("console:case", args=[first.pk])).content.decode()
    assert "Merge into this one" not in page and "并入此件" not in page


def test_the_intake_desk_lists_similar_cases_as_the_operator_types(client, world, clock, heating_cases):
    first, *_ = heating_cases
    client.force_login(world.operator)
    url = reverse("console:similar")
    html = client.get(
        url, {"title": "暖气不热", "description": "幸福小区暖气冰凉室温十四度", "area": world.east_grid.pk}
    )
    assert f'data-case="{first.pk}"' in html.content.decode()
    assert (
        "data-case" not in client.get(url, {"title": "天气", "description": "今天天气很好"}).content.decode()
    )


def test_imported_history_is_indexed_and_reindex_rebuilds_everything(world, clock, capsys):
    handled_cases(
        {"heating": world.heating_shortage, "roads": world.roads, "insurance": world.insurance_cat},
        per_topic=4,
    )
    assert CaseKeyword.objects.values("case").distinct().count() == 12
    CaseKeyword.objects.all().delete()
    call_command("similar", "reindex", "--batch", "5")
    assert "indexed 12 cases" in capsys.readouterr().out
    assert set(CaseKeyword.objects.values_list("case", flat=True)) == set(
        Case.objects.values_list("pk", flat=True)
    )


def test_candidates_hidden_or_merged_do_not_crowd_out_the_ones_to_show(
    world, clock, heating_cases, monkeypatch
):
    from minyi.analysis import similar

    monkeypatch.setattr(similar, "CANDIDATES", 1)  # one candidate per round: each round is tested
    first, other_place, _roads = heating_cases
    for n in range(3):  # repeats of `first` merged into it: the best candidates by text
        repeat = register(
            world,
            "幸福小区暖气不热",
            "幸福小区3栋暖气片冰凉，室温只有十四度，老人受冻",
            phone=f"1390000010{n}",
        )
        case_apply(
            case_id=repeat.pk,
            operation="merge",
            actor=world.dispatcher,
            master=first.tracking_number,
            note="重复",
        )
    assert [s.case for s in similar_to_case(world.dispatcher, first)] == [other_place]


def test_a_registered_case_is_compared_by_its_indexed_keywords_not_segmented_again(
    world, clock, heating_cases, monkeypatch
):
    from minyi.analysis import similar

    first, other_place, _roads = heating_cases

    def segmenting(*args):
        raise AssertionError("the case's keywords are in the index")

    monkeypatch.setattr(similar, "case_keywords", segmenting)
    assert other_place in [s.case for s in similar_to_case(world.dispatcher, first)]


@pytest.mark.parametrize("closing", ["withdraw", "merge", "archive"])
def test_merge_into_this_one_is_offered_only_into_a_case_that_may_be_a_master(
    client, world, clock, heating_cases, closing
):
    first, _other_place, roads = heating_cases
    if closing == "withdraw":
        case_apply(case_id=first.pk, operation="withdraw", actor=world.operator, note="群众撤回")
    elif closing == "merge":
        case_apply(case_id=first.pk, operation="merge", actor=world.dispatcher, master=roads.pk)
    else:
        first = case_apply(case_id=first.pk, operation="answer", actor=world.operator, note="已联系供热公司")
        case_apply(
            case_id=first.pk, operation="callback", actor=world.callback_agent, satisfaction="satisfied"
        )
        case_apply(case_id=first.pk, operation="archive", actor=world.callback_agent)
    repeat = register(
        world, "暖气不热", "幸福小区暖气冰凉不热，室温只有十四度", area=world.east_grid, phone="13900000002"
    )
    found = {s.case.pk: s for s in similar_to_case(world.dispatcher, repeat)}
    assert first.pk in found and not found[first.pk].may_merge_into  # still listed, not offered
    client.force_login(world.dispatcher)
    page = client.get(reverse("console:case", args=[repeat.pk])).content.decode()
    assert f'data-case="{first.pk}"' in page and f'value="{first.tracking_number}"' not in page
    with pytest.raises(InvalidInput) as refused:
        case_apply(case_id=repeat.pk, operation="merge", actor=world.dispatcher, master=first.pk)
    assert refused.value.field == "master"


def test_merge_into_this_one_is_offered_into_an_open_case(world, clock, heating_cases):
    first, *_ = heating_cases
    repeat = register(
        world, "暖气不热", "幸福小区暖气冰凉不热，室温只有十四度", area=world.east_grid, phone="13900000002"
    )
    found = {s.case.pk: s for s in similar_to_case(world.dispatcher, repeat)}
    assert found[first.pk].may_merge_into
    assert not any(s.may_merge_into for s in similar_to_case(world.operator, repeat))  # not the operator's


def test_the_similarity_shown_is_the_cosine_never_above_100_percent(client, world, clock, heating_cases):
    # Case pages showed 相似度 115 %: the ranking score (cosine plus the same-place bonus) was shown.
    first, *_ = heating_cases
    client.force_login(world.operator)
    found = similar_cases(world.operator, title=first.title, description=first.description, area=first.area)
    assert found and all(0 <= s.similarity <= 1 for s in found)
    assert any(s.score > s.similarity for s in found)  # the bonus orders, but is not shown
    html = client.get(
        reverse("console:similar"),
        {"title": first.title, "description": first.description, "area": first.area.pk},
    ).content.decode()
    shown = [int(n) for n in re.findall(r"(?:similarity|相似度) (\d+) %", html)]
    assert shown and max(shown) <= 100
