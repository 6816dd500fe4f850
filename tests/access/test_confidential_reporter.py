"""A confidential case (every 举报) reaches the handling units without anything that identifies who
raised it: timeline, API events, file names, notifications, exports, the visit it came from
(access/personal_data.py: hides_reporter, event_actor, attachment_name; access/visits.py)."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from minyi.notifications.models import Notification
from minyi.visits.services import RaisedProblem, visit_record
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for, text_of
from tests.visits.helpers import build_campaign
from tests.world import person

FILE_NAME = "蒋网格举报材料.pdf"


def grid_workers_own_report(world):
    """The grid worker reports wrongdoing with themselves as the requester, with a file."""
    case = new_case(
        world.grid_worker,
        channel="grid",
        demand_type="report",
        title="热力公司收费不开发票",
        description="热力公司收取暖气费不开发票，我是本网格网格员，亲眼所见。",
        requester_name=world.grid_worker.full_name,
        requester_phone="13700001111",
        area=world.east_grid,
        category="010101",
        attachments=[SimpleUploadedFile(FILE_NAME, b"%PDF-1.4 evidence", "application/pdf")],
    )
    do(case, "accept", world.dispatcher)
    return do(case, "assign", world.dispatcher)


def test_the_units_timeline_does_not_name_who_registered_a_report(world, clock):
    case = grid_workers_own_report(world)
    assert case.is_confidential and case.lead_unit == world.heating
    unit_page = text_of(client_for(world.heating_handler).get(f"/console/cases/{case.pk}/"))
    assert world.grid_worker.full_name not in unit_page
    assert world.east_committee.name not in unit_page  # the reporter's unit, shown beside a name
    assert FILE_NAME not in unit_page
    centre_page = text_of(client_for(world.dispatcher).get(f"/console/cases/{case.pk}/"))
    assert world.grid_worker.full_name in centre_page and FILE_NAME in centre_page


def test_the_api_events_and_attachments_do_not_name_the_reporter(world, clock):
    case = grid_workers_own_report(world)
    unit = client_for(world.heating_handler)
    events = unit.get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    created = next(e for e in events if e["operation"] == "create")
    assert world.grid_worker.full_name not in json.dumps(events, ensure_ascii=False)
    assert created["actor"] and created["unit"] == ""
    detail = unit.get(f"/api/v1/cases/{case.pk}/").json()
    assert FILE_NAME not in json.dumps(detail, ensure_ascii=False)
    item = detail["attachments"][0]
    download = unit.get(f"/api/v1/attachments/{item['id']}/")
    assert download.status_code == 200 and "举报" not in download["Content-Disposition"]
    console_download = unit.get(f"/console/attachments/{item['id']}/")
    assert "%E4%B8%BE%E6%8A%A5" not in console_download["Content-Disposition"]  # 举报, url-encoded
    assert item["name"].endswith(".pdf")
    centre = client_for(world.dispatcher).get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    assert world.grid_worker.full_name in json.dumps(centre, ensure_ascii=False)


def test_the_units_notifications_and_export_do_not_name_the_reporter(world, clock):
    grid_workers_own_report(world)
    told = Notification.objects.filter(user__unit=world.heating)
    assert told.exists()
    assert not any(world.grid_worker.full_name in n.message for n in told)
    export = client_for(world.heating_handler).get("/console/cases/export/", {"format": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert (
        "热力公司收费不开发票" in body
        and world.grid_worker.full_name not in body
        and "13700001111" not in body
    )


def test_a_report_raised_at_a_door_does_not_lead_the_area_office_to_the_household(world, clock):
    setup = build_campaign(world, person("visit-west", "韩书记", None, "visit_secretary", area=world.west))
    visit = visit_record(
        actor=world.visit_secretary,
        campaign=setup.campaign,
        area=world.east_grid,
        address="幸福小区3号楼2单元501",
        visited_on=dt.date(2026, 11, 24),
        people_met="户主张大爷",
        problems=[RaisedProblem("举报社区主任挪用慰问金", demand_type="report"), RaisedProblem("楼道灯坏了")],
    )
    report, plain = (p.case for p in visit.problems.order_by("position"))
    assert report.is_confidential and report.address == ""
    assert str(visit.pk) not in report.description.split("\n")[0]  # the first line names no visit
    head = client_for(world.street_head)  # reads the visits of the street, and sees its cases
    case_page = head.get(f"/console/cases/{report.pk}/")
    assert case_page.status_code == 200 and "幸福小区3号楼" not in text_of(case_page)
    assert f"/console/visits/visit/{visit.pk}/" not in case_page.content.decode()
    # the visit itself is not the office's to read: its day and minute match the report's case
    assert head.get(f"/console/visits/visit/{visit.pk}/").status_code == 404
    page = text_of(head.get(f"/console/visits/household/{visit.household_id}/"))
    assert report.tracking_number not in page and "挪用慰问金" not in page
    assert plain.tracking_number in text_of(head.get(f"/console/cases/{plain.pk}/"))  # still its case
    centre = text_of(client_for(world.dispatcher).get(f"/console/visits/visit/{visit.pk}/"))
    assert report.tracking_number in centre and plain.tracking_number in centre
    export = head.get(f"/console/visits/{setup.campaign.pk}/export/")
    book = load_workbook(io.BytesIO(export.content))
    cells = [str(c) for row in book[book.sheetnames[-1]].iter_rows(values_only=True) for c in row]
    assert report.tracking_number not in cells


def test_the_channel_of_a_report_is_withheld_from_the_units_not_from_its_registrant(world, clock):
    """ "A grid worker's report" and the grid's name point at the grid's one worker."""
    case = grid_workers_own_report(world)
    unit = client_for(world.heating_handler)
    page = unit.get(f"/console/cases/{case.pk}/")
    assert page.context["channel_shown"] == "" and "网格员上报" not in text_of(page)
    assert unit.get(f"/api/v1/cases/{case.pk}/").json()["channel"] is None
    for client, listed in ((unit, False), (client_for(world.dispatcher), True)):
        found = client.get("/api/v1/cases/", {"channel": "grid"}).json()["results"]
        assert (case.tracking_number in [c["tracking_number"] for c in found]) is listed
        page = client.get("/console/cases/", {"channel": "grid"})
        assert (case.tracking_number in page.content.decode()) is listed
    export = unit.get("/console/cases/export/", {"format": "csv"})
    assert "网格员上报" not in b"".join(export.streaming_content).decode("utf-8-sig")
    # the one who registered it knows who they are
    own = client_for(world.grid_worker).get(f"/console/cases/{case.pk}/")
    assert world.grid_worker.full_name in text_of(own) and FILE_NAME in text_of(own)
    assert own.context["channel_shown"] == "grid"


def test_a_reports_text_reaches_the_units_without_its_reporters_name_and_number(world, clock):
    case = new_case(
        world.grid_worker,
        channel="grid",
        demand_type="report",
        title="网格员蒋网格举报热力站私收开栓费",
        description="我是网格员蒋网格（电话137 0000 1111），举报热力站工作人员私收开栓费。",
        requester_name=world.grid_worker.full_name,
        requester_phone="13700001111",
        area=world.east_grid,
        category="010101",
    )
    assert case.title == "网格员***举报热力站私收开栓费"  # the title goes everywhere: kept so
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    do(case, "attach", world.grid_worker, note="补充：蒋网格，手机13700001111，可联系")
    unit = client_for(world.heating_handler)
    page = text_of(unit.get(f"/console/cases/{case.pk}/"))
    api = json.dumps(
        [unit.get(f"/api/v1/cases/{case.pk}/").json(), unit.get(f"/api/v1/cases/{case.pk}/events/").json()],
        ensure_ascii=False,
    )
    for text in (page, api):
        assert "蒋网格" not in text and "1111" not in text and "私收开栓费" in text
    centre = text_of(client_for(world.dispatcher).get(f"/console/cases/{case.pk}/"))
    assert "蒋网格（电话137 0000 1111）" in centre  # the centre reads it as it was told


def test_the_area_office_does_not_see_the_visit_a_report_was_raised_at(world, clock):
    setup = build_campaign(world, person("visit-west", "韩书记", None, "visit_secretary", area=world.west))
    visit = visit_record(
        actor=world.visit_secretary,
        campaign=setup.campaign,
        area=world.east_grid,
        address="幸福小区3号楼2单元502",
        visited_on=dt.date(2026, 11, 24),
        people_met="户主李大妈",
        problems=[RaisedProblem("举报物业私自收费", demand_type="report")],
    )
    head = client_for(world.street_head)
    assert head.get(f"/console/visits/visit/{visit.pk}/").status_code == 404
    assert "幸福小区3号楼2单元502" not in text_of(head.get(f"/console/visits/{setup.campaign.pk}/"))
    assert client_for(world.visit_secretary).get(f"/console/visits/visit/{visit.pk}/").status_code == 200


def test_a_units_search_by_words_does_not_confirm_a_guessed_reporter(world, clock):
    """The texts are stored whole; a search in them would answer "yes, 蒋网格" to a guess."""
    case = grid_workers_own_report(world)
    do(case, "attach", world.grid_worker, note="补充：蒋网格 13700001111")
    unit, centre = client_for(world.heating_handler), client_for(world.dispatcher)
    for guess in ("蒋网格", "13700001111", "网格员", "开发票"):
        assert case.tracking_number not in unit.get("/console/cases/", {"q": guess}).content.decode(), guess
        assert unit.get("/api/v1/cases/", {"q": guess}).json()["count"] == 0, guess
    assert case.tracking_number in centre.get("/console/cases/", {"q": "开发票"}).content.decode()
    assert case.tracking_number in unit.get("/console/cases/", {"q": case.tracking_number}).content.decode()
