"""visit_record: a visit with its household and the cases of its problems, all or nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from minyi.cases.models import Case, CaseEvent
from minyi.cases.workflow import Status
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.core.errors import InvalidInput, NotFound, NotPermitted
from minyi.visits import services
from minyi.visits.models import Household, Visit, VisitPhoto, VisitProblem
from minyi.visits.services import RaisedProblem, visit_record
from tests import images


def record(world, setup, **overrides):
    args = {
        "actor": world.visit_secretary,
        "campaign": setup.campaign,
        "area": world.east_grid,
        "address": "幸福小区3号楼2单元501",
        "visited_on": dt.date(2026, 11, 24),
        "people_met": "户主张大爷及老伴",
        "notes": "老两口独居，子女在外地。",
        "problems": [],
    }
    args.update(overrides)
    return visit_record(**args)


def nothing_written():
    return not (Visit.objects.exists() or Household.objects.exists() or Case.objects.exists())


def test_a_visit_with_problems_registers_one_case_each_linked_back(world, setup):
    visit = record(
        world,
        setup,
        phone="13900001111",
        problems=[
            RaisedProblem("楼道灯坏了一个月，晚上老人上下楼不方便。"),
            RaisedProblem("暖气不热，室温只有15度", demand_type=DemandType.COMPLAINT, urgency=Urgency.URGENT),
        ],
    )
    assert visit.team == setup.east_team and visit.secretary == world.visit_secretary
    assert visit.household.area == world.east_grid and visit.household.address == "幸福小区3号楼2单元501"
    problems = list(visit.problems.order_by("position"))
    assert [p.position for p in problems] == [1, 2]
    first, second = (p.case for p in problems)
    assert first.channel == Channel.VISIT and first.status == Status.RECEIVED
    assert first.created_by == world.visit_secretary and first.area == world.east_grid
    assert first.address == "幸福小区3号楼2单元501" and first.requester_name == "户主张大爷及老伴"
    assert first.requester_phone == "13900001111" and first.demand_type == DemandType.HELP
    assert "楼道灯坏了一个月" in first.description and "2026-11-24" in first.description
    assert second.demand_type == DemandType.COMPLAINT and second.urgency == Urgency.URGENT
    assert second.title == "暖气不热，室温只有15度"
    created = CaseEvent.objects.get(case=first, operation="create")
    assert created.data["visit"] == visit.pk and created.data["channel"] == Channel.VISIT


def test_a_long_problem_gets_a_short_title_and_keeps_its_whole_text(world, setup):
    text = "小区门口的道路坑洼不平，" * 10
    visit = record(world, setup, problems=[text])
    case = visit.problems.get().case
    assert len(case.title) == 40 and case.title.endswith("…")
    assert text.strip() in case.description and visit.problems.get().text == text.strip()


def test_a_visit_without_problems_registers_no_case(world, setup):
    visit = record(world, setup)
    assert visit.problems.count() == 0 and not Case.objects.exists()


def test_a_repeat_visit_finds_the_household_by_its_normalised_address(world, setup, clock):
    first = record(world, setup, address="幸福小区３号楼２单元501")
    second = record(world, setup, address=" 幸福小区3号楼 2单元501。", visited_on=dt.date(2026, 11, 25))
    other_grid = record(world, setup, area=world.east_grid2, address="幸福小区3号楼2单元501")
    assert second.household == first.household
    assert first.household.address == "幸福小区３号楼２单元501"  # shown as first typed
    assert other_grid.household != first.household  # the same words in another grid: another door
    assert Household.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"address": "  "}, "address", "address"),
        ({"people_met": ""}, "people_met", "whom you met"),
        ({"visited_on": "2026-13-01"}, "visited_on", "YYYY-MM-DD"),
        ({"visited_on": None}, "visited_on", "YYYY-MM-DD"),
        ({"visited_on": dt.date(2026, 11, 26)}, "visited_on", "future"),
        ({"visited_on": dt.date(2026, 10, 31)}, "visited_on", "2026-11-01 to 2026-12-31"),
        ({"area": None}, "area", "Choose the community or grid"),
        ({"area": 999999}, "area", "no area"),
        ({"phone": "call me"}, "phone", "digits"),
        ({"problems": ["暖气不热", "   "]}, "problems", "Problem 2 has no text"),
        ({"problems": [RaisedProblem("暖气不热", demand_type="gossip")]}, "problems", "type"),
        ({"problems": [RaisedProblem("暖气不热", category="9999")]}, "problems", "category code"),
        ({"problems": ["问题"] * 11}, "problems", "At most 10"),
        ({"address": "。。。"}, "address", "no letter or digit"),
        ({"address": "-- ，"}, "address", "no letter or digit"),
        ({"token": "not-a-token"}, "token", "open “Record a visit” again"),
    ],
)
def test_bad_input_says_what_to_fix_and_changes_nothing(world, setup, overrides, field, words):
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        record(world, setup, **overrides)
    assert refused.value.field == field
    assert words in refused.value.message
    assert nothing_written()


def test_the_street_is_not_a_place_for_a_household(world, setup):
    with pytest.raises(InvalidInput) as refused:
        record(world, setup, area=world.east)
    assert refused.value.field == "area" and nothing_written()


def test_an_area_outside_the_team_is_refused_naming_the_team_areas(world, setup):
    from django.utils import translation

    with translation.override("en"), pytest.raises(NotPermitted) as refused:
        record(world, setup, area=world.west_grid, problems=["暖气不热"])
    assert "西城一网格 is not assigned to your team" in refused.value.message
    assert "东城社区" in refused.value.message
    assert nothing_written()


def test_a_secretary_of_another_campaign_team_may_not_record_here(world, setup, west_secretary):
    with pytest.raises(NotPermitted):
        record(world, setup, actor=west_secretary, area=world.east_grid)
    assert nothing_written()


def test_people_without_the_role_or_the_campaign_cannot_record(world, setup):
    with pytest.raises(NotPermitted):  # the dispatcher sees the campaign but does not visit
        record(world, setup, actor=world.dispatcher)
    with pytest.raises(NotFound):  # the heating company does not even see it
        record(world, setup, actor=world.heating_handler)
    assert nothing_written()


def test_a_member_who_lost_the_secretary_role_cannot_record(world, setup):
    world.visit_secretary.grants.all().delete()
    world.visit_secretary.refresh_roles()
    with pytest.raises(NotFound):
        record(world, setup)
    assert nothing_written()


def test_a_team_area_beyond_the_secretarys_own_area_is_refused_before_anything_is_written(
    world, setup, west_secretary
):
    # The administrator assigned 东城二网格 to the west team, whose secretary covers 西城街道 only:
    # the case could not be registered there, so the whole visit is refused.
    setup.west_assignment.delete()
    from minyi.visits.models import Assignment

    Assignment.objects.create(team=setup.west_team, area=world.east_grid2)
    with pytest.raises(NotPermitted):
        record(world, setup, actor=west_secretary, area=world.east_grid2, problems=["路灯不亮"])
    assert nothing_written()
    visit = record(world, setup, actor=west_secretary, area=world.east_grid2)  # without a problem: fine
    assert visit.team == setup.west_team


def test_a_failure_while_registering_the_second_case_rolls_everything_back(world, setup, monkeypatch):
    from minyi.visits import services

    calls = []
    real = services.case_create

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "case_create", failing)
    with pytest.raises(RuntimeError):
        record(world, setup, problems=["楼道灯坏了", "暖气不热"])
    assert len(calls) == 2
    assert nothing_written() and not VisitProblem.objects.exists()


def test_the_case_description_names_neither_the_people_met_nor_the_door(world, setup):
    """Every unit the case reaches reads its description: the visit is named by its number; the
    people met are the (masked) requester and the door is the case's address."""
    with translation.override("en"):
        visit = record(world, setup, problems=["楼道灯坏了一个月"])
    case = visit.problems.get().case
    assert "户主张大爷" not in case.description and "幸福小区" not in case.description
    assert f"visit no. {visit.pk} (2026年冬季民情大走访) on 2026-11-24" in case.description
    assert "楼道灯坏了一个月" in case.description
    assert case.requester_name == "户主张大爷及老伴" and case.address == "幸福小区3号楼2单元501"


def test_a_confidential_problem_is_placed_in_the_grid_without_the_door(world, setup):
    visit = record(
        world,
        setup,
        problems=[
            RaisedProblem("楼下棋牌室聚众赌博", demand_type=DemandType.REPORT),
            RaisedProblem("邻居私搭乱建，别说是我反映的", is_confidential=True),
            RaisedProblem("楼道灯坏了"),
        ],
    )
    report, hidden, plain = (p.case for p in visit.problems.order_by("position"))
    for case in (report, hidden):
        assert case.is_confidential and case.address == "" and case.area == world.east_grid
        assert "幸福小区" not in case.description and "户主张大爷" not in case.description
    assert not plain.is_confidential and plain.address == "幸福小区3号楼2单元501"


def test_a_form_sent_twice_records_one_visit(world, setup):
    token = uuid.uuid4()
    first = record(world, setup, token=token, problems=["楼道灯坏了"])
    again = record(world, setup, token=str(token), problems=["楼道灯坏了"])
    assert again == first and again.replayed
    assert Visit.objects.count() == 1 and Case.objects.count() == 1
    # The token is the secretary's: another form, or a visit without a token, records anew.
    assert record(world, setup, token=uuid.uuid4()) != first
    assert record(world, setup) != first and Visit.objects.count() == 3


def test_a_second_sending_that_passes_the_check_meets_the_constraint_and_gets_the_first(
    world, setup, monkeypatch
):
    """Two sendings at the same moment: both find no visit with the token; the second's insert
    fails on the unique (secretary, token) and it returns the first's visit, with no case of its own."""
    from minyi.visits import services

    token = uuid.uuid4()
    first = record(world, setup, token=token, problems=["楼道灯坏了"])
    real = services._recorded_with
    calls = []

    def racing(actor, token):
        calls.append(token)
        return None if len(calls) == 1 else real(actor, token)  # the first look misses, as in a race

    monkeypatch.setattr(services, "_recorded_with", racing)
    again = record(world, setup, token=token, problems=["楼道灯坏了"])
    assert len(calls) == 2 and again == first
    assert Visit.objects.count() == 1 and Case.objects.count() == 1 and VisitProblem.objects.count() == 1


def phone_photo(name: str = "IMG_20261124_张家门口.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data if data is not None else images.jpeg(gps=True), content_type="image/jpeg"
    )


def test_photos_are_kept_with_the_visit_without_where_they_were_taken(world, setup, media):
    visit = record(world, setup, photos=[phone_photo(), phone_photo("楼道.png", images.png())])
    kept = list(visit.photos.order_by("id"))
    # Stored under names of our own (a phone's file name holds the day and whose door it was).
    assert [(p.name, p.content_type) for p in kept] == [
        ("photo-1.jpg", "image/jpeg"),
        ("photo-2.png", "image/png"),
    ]
    with kept[0].file.open("rb") as f:
        image = images.read_back(f.read())
    assert not image.getexif() and "comment" not in image.info  # no GPS position, no phone model
    assert kept[0].file.name.startswith(f"visits/2026/11/{visit.pk}/")


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([phone_photo("门.jpg", images.html_with_a_jpeg_head())], "门.jpg"),
        ([phone_photo("半张.jpg", images.truncated_jpeg())], "半张.jpg"),
        ([phone_photo(f"{n}.jpg", images.jpeg()) for n in range(7)], "7"),
    ],
)
def test_a_file_that_is_no_photo_or_one_photo_too_many_is_refused_and_nothing_is_written(
    world, setup, media, photos, message
):
    with translation.override("en"), pytest.raises(InvalidInput, match=message) as refused:
        record(world, setup, photos=photos, problems=["楼道灯坏了"])
    assert refused.value.field == "photos"
    assert nothing_written() and not VisitPhoto.objects.exists()


def test_a_photo_too_large_is_refused_before_it_is_read(world, setup, media, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_BYTES", 1000)
    with translation.override("en"), pytest.raises(InvalidInput, match="larger than") as refused:
        record(world, setup, photos=[phone_photo("大图.jpg", images.jpeg((400, 300), gps=True))])
    assert refused.value.field == "photos" and "大图.jpg" in refused.value.message and nothing_written()


def test_a_form_sent_twice_keeps_its_photos_once(world, setup, media):
    token = uuid.uuid4()
    first = record(world, setup, token=token, photos=[phone_photo()])
    again = record(world, setup, token=token, photos=[phone_photo()])
    assert again.pk == first.pk and again.replayed and VisitPhoto.objects.count() == 1
