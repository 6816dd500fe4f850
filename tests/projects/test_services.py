"""Filing monthly reports (月调度) and linking cases, through projects/services.py."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.cases.services import case_create
from minyi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from minyi.projects import progress
from minyi.projects.models import ProgressReport, ProjectCase, ReportPhoto
from minyi.projects.services import case_link, report_due, report_file
from tests import images

NOV = dt.date(2026, 11, 1)
PNG = images.png()


def file_report(actor, item, month=NOV, **kwargs):
    values = {"percent": 80, "done": "完成管网更换12公里"} | kwargs
    return report_file(actor=actor, item=item, month=month, **values)


def test_a_report_keeps_the_figures_of_the_sub_item_and_its_project(world, ledger):
    report = file_report(world.heating_handler, ledger.mains, percent=85, problems="冬季施工受影响")
    assert report.on_time and report.unit == world.heating and report.reported_by == world.heating_handler
    ledger.mains.refresh_from_db()
    assert (ledger.mains.percent, ledger.mains.status) == (85, progress.ON_TRACK)
    project = ledger.heating_project
    project.refresh_from_db()
    # the risers have not reported: 0 % against 90 % planned in November
    assert (project.percent, project.status) == (42, progress.LAGGING)


def test_filing_again_replaces_the_month_but_keeps_its_first_time(world, ledger, clock):
    first = file_report(world.heating_handler, ledger.mains, percent=80)
    clock.advance(days=3)  # past the 25th
    again = file_report(world.heating_handler, ledger.mains, percent=88, done="又完成2公里")
    assert again.pk == first.pk and again.on_time and again.reported_at == first.reported_at
    assert (again.percent, again.done) == (88, "又完成2公里")
    assert ProgressReport.objects.filter(item=ledger.mains).count() == 1


def test_a_report_after_the_due_day_is_late(world, ledger, clock):
    clock.set("2026-11-26 09:00")
    assert not file_report(world.heating_handler, ledger.mains).on_time


def test_the_due_day_moves_to_the_next_working_day(world, ledger):
    ledger.batch.report_day = 3
    assert report_due(ledger.batch, dt.date(2026, 10, 1)) == dt.date(
        2026, 10, 8
    )  # after the National Day holidays
    assert report_due(ledger.batch, NOV) == dt.date(2026, 11, 3)  # a Tuesday


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": 101}, "percent"),
        ({"percent": "eighty"}, "percent"),
        ({"done": "  "}, "done"),
        ({"percent": 100}, "completion"),  # at 100 % say how it was completed
        ({"percent": 90, "completion": "substantive"}, "percent"),
        ({"completion": "finished"}, "completion"),
        ({"month": dt.date(2026, 12, 1)}, "month"),  # the future
        ({"month": dt.date(2026, 5, 1)}, "month"),  # before the batch's first month
        ({"done": "长" * 4001}, "done"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix_and_changes_nothing(world, ledger, changes, field):
    with pytest.raises(InvalidInput) as refused:
        file_report(world.heating_handler, ledger.mains, **changes)
    assert refused.value.field == field and refused.value.message
    assert not ProgressReport.objects.exists()
    ledger.mains.refresh_from_db()
    assert ledger.mains.percent == 0


def test_only_the_responsible_unit_reports(world, ledger):
    with pytest.raises(NotPermitted):
        file_report(world.housing_handler, ledger.mains)
    with pytest.raises(NotPermitted):
        file_report(world.dispatcher, ledger.mains)
    assert not ProgressReport.objects.exists()


def test_a_completed_sub_item_has_nothing_more_to_report(world, ledger, clock):
    file_report(
        world.heating_handler, ledger.mains, month=dt.date(2026, 10, 1), percent=100, completion="substantive"
    )
    ledger.mains.refresh_from_db()
    assert ledger.mains.status == progress.DONE and ledger.mains.completed_on == dt.date(2026, 11, 25)
    with pytest.raises(InvalidInput, match="2026-10"):
        file_report(world.heating_handler, ledger.mains)


def test_a_suspended_sub_item_counts_as_finished_at_any_percent(world, ledger):
    file_report(world.insurance_handler, ledger.stations, percent=30, completion="suspended")
    ledger.insurance_project.refresh_from_db()
    assert (ledger.insurance_project.status, ledger.insurance_project.completion) == (
        progress.DONE,
        "suspended",
    )


def test_photos_must_be_images_and_are_kept_with_the_report(world, ledger):
    fake = SimpleUploadedFile("site.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(InvalidInput, match="site.jpg"):
        file_report(world.heating_handler, ledger.mains, photos=[fake])
    assert not ProgressReport.objects.exists() and not ReportPhoto.objects.exists()
    report = file_report(world.heating_handler, ledger.mains, photos=[SimpleUploadedFile("site.png", PNG)])
    assert [(p.name, p.content_type) for p in report.photos.all()] == [("site.png", "image/png")]


def test_too_many_photos_are_refused(world, ledger):
    photos = [SimpleUploadedFile(f"p{i}.png", PNG) for i in range(7)]
    with pytest.raises(InvalidInput, match="6"):
        file_report(world.heating_handler, ledger.mains, photos=photos)


def heating_case(world):
    return case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title="暖气不热",
        description="家里暖气不热，室温只有15度",
        requester_name="张先生",
        requester_phone="13900000000",
        category=world.heating_cat.code,
    )


def test_the_centre_and_the_lead_unit_link_cases_once(world, ledger):
    case = heating_case(world)
    link = case_link(
        actor=world.dispatcher, project=ledger.heating_project, tracking_number=case.tracking_number
    )
    assert link.case == case
    with pytest.raises(Conflict):
        case_link(
            actor=world.dispatcher, project=ledger.heating_project, tracking_number=case.tracking_number
        )
    with pytest.raises(NotPermitted):  # a co-unit does not link
        case_link(
            actor=world.housing_handler, project=ledger.heating_project, tracking_number=case.tracking_number
        )
    assert ProjectCase.objects.count() == 1


def test_a_case_outside_ones_scope_cannot_be_linked(world, ledger):
    case = heating_case(world)
    with pytest.raises(NotFound):  # the insurance bureau leads its project but does not see the case
        case_link(
            actor=world.insurance_handler,
            project=ledger.insurance_project,
            tracking_number=case.tracking_number,
        )
    with pytest.raises(InvalidInput):
        case_link(actor=world.dispatcher, project=ledger.heating_project, tracking_number=" ")
    assert not ProjectCase.objects.exists()


def test_a_completion_cannot_be_slipped_in_before_a_later_report(world, ledger):
    file_report(world.heating_handler, ledger.mains, month=dt.date(2026, 9, 1), percent=40)
    file_report(world.heating_handler, ledger.mains, month=dt.date(2026, 10, 1), percent=60)
    with pytest.raises(InvalidInput, match="2026-10") as refused:
        file_report(
            world.heating_handler,
            ledger.mains,
            month=dt.date(2026, 8, 1),
            percent=30,
            completion="procedural",
        )
    assert refused.value.field == "completion"
    assert not ProgressReport.objects.filter(month=dt.date(2026, 8, 1)).exists()
    # correcting an earlier month without a completion is fine
    file_report(world.heating_handler, ledger.mains, month=dt.date(2026, 8, 1), percent=30)


def test_a_report_holds_six_photos_however_often_it_is_filed(world, ledger):
    file_report(
        world.heating_handler, ledger.mains, photos=[SimpleUploadedFile(f"a{i}.png", PNG) for i in range(4)]
    )
    with pytest.raises(InvalidInput, match="4"):
        file_report(
            world.heating_handler,
            ledger.mains,
            photos=[SimpleUploadedFile(f"b{i}.png", PNG) for i in range(3)],
        )
    assert ReportPhoto.objects.count() == 4


def test_on_the_first_of_a_month_a_sub_item_is_judged_by_the_month_before(world, ledger, clock):
    file_report(world.heating_handler, ledger.mains, month=dt.date(2026, 10, 1), percent=75)
    ledger.mains.refresh_from_db()
    assert ledger.mains.status == progress.ON_TRACK
    clock.set("2026-11-02 09:00")  # November's 90 % is not due before the 25th
    from minyi.projects.services import refresh_all

    refresh_all()
    ledger.mains.refresh_from_db()
    assert ledger.mains.status == progress.ON_TRACK
    clock.set("2026-11-26 09:00")  # due and not filed: judged by November's plan
    refresh_all()
    ledger.mains.refresh_from_db()
    assert ledger.mains.status == progress.LAGGING
