"""The repeat flag stored at registration (analysis/repeat_flags.py, called by case_create)."""

from __future__ import annotations

from minyi.analysis import repeats
from minyi.cases.models import Case
from tests.cases.helpers import do, new_case

HEATING = dict(title="幸福小区3号楼暖气不热", description="幸福小区3号楼暖气温度只有十四度，老人孩子受不了。")
HEATING_AGAIN = dict(title="幸福小区3号楼暖气不热", description="3号楼暖气只有十四度，请尽快处理，谢谢。")
PARKING = dict(title="幸福小区门口乱停车", description="幸福小区大门口车辆乱停，堵住消防通道，请处理。")


def test_a_near_identical_demand_from_the_same_grid_minutes_later_is_flagged(world, clock):
    first = new_case(world.operator, area=world.east_grid.pk, requester_phone="13900001111", **HEATING)
    clock.advance(minutes=6)
    second = new_case(world.operator, area=world.east_grid.pk, requester_phone="13900002222", **HEATING_AGAIN)
    second.refresh_from_db()
    assert second.suspected_master == first and second.repeat_score >= repeats.MIN_SCORE
    assert second.repeat_reason["place"] == "grid" and second.repeat_reason["minutes"] == 6
    assert (
        "暖气" in second.repeat_reason["shared"] and second.repeat_reason["number"] == first.tracking_number
    )
    assert Case.objects.get(pk=first.pk).suspected_master is None  # the earlier one repeats nothing


def test_another_problem_at_the_same_place_is_not_flagged(world, clock):
    new_case(world.operator, area=world.east_grid.pk, **HEATING)
    clock.advance(minutes=6)
    other = new_case(world.operator, area=world.east_grid.pk, **PARKING)
    assert Case.objects.get(pk=other.pk).suspected_master is None


def test_the_same_problem_in_another_street_is_not_flagged(world, clock):
    new_case(world.operator, area=world.east_grid.pk, **HEATING)
    clock.advance(minutes=6)
    elsewhere = new_case(world.operator, area=world.west_grid.pk, **HEATING_AGAIN)
    assert Case.objects.get(pk=elsewhere.pk).suspected_master is None


def test_a_withdrawn_or_merged_case_is_never_the_suspected_master(world, clock):
    withdrawn = new_case(world.operator, area=world.east_grid.pk, **HEATING)
    do(withdrawn, "withdraw", world.operator, note="群众撤回")
    master = new_case(
        world.operator, area=world.east_grid2.pk, title="东城社区停水", description="东城社区全天停水。"
    )
    merged = new_case(world.operator, area=world.east_grid.pk, **HEATING)
    do(merged, "merge", world.dispatcher, master=master.pk)
    clock.advance(minutes=6)
    again = new_case(world.operator, area=world.east_grid.pk, **HEATING_AGAIN)
    assert Case.objects.get(pk=again.pk).suspected_master is None


def test_a_repeat_of_a_probable_repeat_points_to_the_first_case(world, clock):
    first = new_case(world.operator, area=world.east_grid.pk, **HEATING)
    clock.advance(minutes=3)
    second = new_case(world.operator, area=world.east_grid.pk, **HEATING_AGAIN)
    clock.advance(minutes=3)
    third = new_case(world.operator, area=world.east_grid.pk, **HEATING_AGAIN)
    assert Case.objects.get(pk=second.pk).suspected_master == first
    assert Case.objects.get(pk=third.pk).suspected_master == first


def test_thanks_are_never_repeats(world, clock):
    # The demo flagged a letter of praise for a clinic's staff as a repeat of one for a plumber:
    # 表扬, 转达, 特此 are in every such letter.
    thanks = dict(title="表扬物业维修工", description="特此表扬幸福小区物业维修工，请转达我们的谢意。")
    new_case(world.operator, area=world.east_grid.pk, demand_type="praise", **thanks)
    clock.advance(minutes=6)
    again = new_case(world.operator, area=world.east_grid.pk, demand_type="praise", **thanks)
    assert Case.objects.get(pk=again.pk).suspected_master is None


def test_flags_follow_their_master_when_it_is_merged_into_another(world, clock):
    # The outside check merged the master of ten flagged cases into a later one: all ten left the
    # queue, though they repeat the case they could now be merged into.
    first = new_case(world.operator, area=world.east_grid.pk, **HEATING)
    clock.advance(minutes=3)
    flagged = new_case(world.operator, area=world.east_grid.pk, **HEATING_AGAIN)
    assert Case.objects.get(pk=flagged.pk).suspected_master == first
    clock.advance(minutes=3)
    keeper = new_case(
        world.operator, area=world.east_grid2.pk, title="幸福小区暖气", description="3号楼暖气不热。"
    )
    do(first, "merge", world.dispatcher, master=keeper.pk)
    assert Case.objects.get(pk=flagged.pk).suspected_master == keeper
