"""The projects pages over HTTP: each persona reaches what access/projects.py allows, a unit files its
monthly report, the summary downloads, the supervision board and the case page show the ledger."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from minyi.projects.models import Batch, ProgressReport, ProjectCase
from minyi.projects.services import refresh_all, report_file
from tests.projects.test_services import PNG, heating_case


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_leader_opens_the_ledger_the_wall_chart_and_the_summary(as_user, world, ledger):
    c = as_user(world.leader)
    page = c.get("/console/projects/")
    assert page.status_code == 200 and "老旧小区供热管网改造" in page.content.decode()
    assert "医保服务就近办" not in page.content.decode()  # led by another leader
    wall = c.get("/console/projects/wall/")
    assert wall.status_code == 200 and 'id="wall"' in wall.content.decode()
    assert "一次管网更换" in wall.content.decode()
    screen = c.get("/console/projects/wall/?screen=1")
    assert screen.status_code == 200 and 'class="wall"' in screen.content.decode()
    summary = c.get("/console/projects/summary/?month=2026-11")
    assert summary.status_code == 200 and 'id="summary-figures"' in summary.content.decode()
    assert c.get(f"/console/projects/{ledger.insurance_project.pk}/").status_code == 404


def test_the_summary_downloads_as_excel_and_pdf(as_user, world, ledger):
    c = as_user(world.supervisor)
    xlsx = c.get(f"/console/projects/summary/?batch={ledger.batch.pk}&month=2026-11&format=xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "汇总"
    pdf = c.get(f"/console/projects/summary/?batch={ledger.batch.pk}&month=2026-11&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_unit_files_its_monthly_report_with_a_photo(as_user, world, ledger):
    c = as_user(world.heating_handler)
    listing = c.get("/console/projects/dispatch/")
    assert listing.status_code == 200 and 'data-item="1-1"' in listing.content.decode()
    assert 'data-item="1-2"' not in listing.content.decode()  # the risers are the housing bureau's
    form = c.get(f"/console/projects/items/{ledger.mains.pk}/report/")
    assert form.status_code == 200
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    done = c.post(
        f"/console/projects/items/{ledger.mains.pk}/report/",
        {
            "month": "2026-11",
            "percent": "88",
            "done": "更换管网14公里",
            "problems": "",
            "next_steps": "",
            "photos": [photo],
        },
    )
    assert done.status_code == 302 and done["Location"].endswith("?month=2026-11")
    report = ProgressReport.objects.get(item=ledger.mains, month=dt.date(2026, 11, 1))
    assert (report.percent, report.reported_by, report.photos.count()) == (88, world.heating_handler, 1)
    project_page = c.get(f"/console/projects/{ledger.heating_project.pk}/").content.decode()
    assert "更换管网14公里" in project_page
    assert c.get(f"/console/projects/photos/{report.photos.get().pk}/").status_code == 200
    assert (
        as_user(world.insurance_handler)
        .get(f"/console/projects/photos/{report.photos.get().pk}/")
        .status_code
        == 404
    )


def test_a_bad_report_shows_what_to_fix_and_stores_nothing(as_user, world, ledger):
    c = as_user(world.heating_handler)
    page = c.post(
        f"/console/projects/items/{ledger.mains.pk}/report/",
        {"month": "2026-11", "percent": "100", "done": "完工"},
    )
    assert page.status_code == 400 and not ProgressReport.objects.exists()
    assert "field-error" in page.content.decode()


def test_another_units_sub_item_cannot_be_reported(as_user, world, ledger):
    c = as_user(world.housing_handler)
    assert c.get(f"/console/projects/items/{ledger.mains.pk}/report/").status_code == 403
    assert (
        c.post(f"/console/projects/items/{ledger.stations.pk}/report/", {"month": "2026-11"}).status_code
        == 404
    )
    assert not ProgressReport.objects.exists()


def test_the_ledger_exports_and_the_centre_imports_it(as_user, world, ledger):
    c = as_user(world.dispatcher)
    exported = c.get(f"/console/projects/export/?batch={ledger.batch.pk}")
    assert exported.status_code == 200
    Batch.objects.all().delete()
    upload = SimpleUploadedFile("台账.xlsx", exported.content)
    done = c.post("/console/projects/import/", {"file": upload})
    assert done.status_code == 302 and Batch.objects.count() == 1
    again = c.post("/console/projects/import/", {"file": SimpleUploadedFile("台账.xlsx", exported.content)})
    assert again.status_code == 400 and 'data-testid="problems"' in again.content.decode()
    wrong = c.post("/console/projects/import/", {"file": SimpleUploadedFile("台账.csv", b"a,b")})
    assert wrong.status_code == 400 and Batch.objects.count() == 1
    assert as_user(world.leader).get("/console/projects/import/").status_code == 403


def test_the_supervision_board_lists_overdue_reports(as_user, world, ledger, clock):
    clock.set("2026-11-26 09:00")
    page = as_user(world.supervisor).get("/console/supervision/").content.decode()
    assert 'id="overdue-reports"' in page and "热力公司" in page and "区医保局" in page


def test_a_linked_case_shows_on_its_case_page_and_the_project_page(as_user, world, ledger):
    case = heating_case(world)
    c = as_user(world.dispatcher)  # the case is not assigned yet: the heating company does not see it
    linked = c.post(
        f"/console/projects/{ledger.heating_project.pk}/cases/link/",
        {"tracking_number": case.tracking_number},
    )
    assert linked.status_code == 302 and ProjectCase.objects.filter(case=case).exists()
    page = c.get(f"/console/projects/{ledger.heating_project.pk}/").content.decode()
    assert case.tracking_number in page and 'id="trend-option"' in page
    case_page = c.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'id="related"' in case_page and "老旧小区供热管网改造" in case_page
    unlink = c.post(f"/console/projects/{ledger.heating_project.pk}/cases/{case.pk}/unlink/")
    assert unlink.status_code == 302 and not ProjectCase.objects.exists()


def test_people_without_a_ledger_role_do_not_get_in(as_user, world, ledger):
    assert as_user(world.operator).get("/console/projects/").status_code == 403
    page = as_user(world.committee_handler).get("/console/projects/")
    assert page.status_code == 200 and 'data-project="1"' not in page.content.decode()


def test_the_dispatcher_links_a_case_from_its_case_page(as_user, world, ledger):
    case = heating_case(world)
    c = as_user(world.dispatcher)
    page = c.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'id="link-project"' in page and "老旧小区供热管网改造" in page
    done = c.post(
        "/console/projects/cases/link/",
        {"project": ledger.heating_project.pk, "tracking_number": case.tracking_number},
    )
    assert done.status_code == 302 and done["Location"] == f"/console/cases/{case.pk}/"
    assert ProjectCase.objects.filter(project=ledger.heating_project, case=case).exists()
    again = c.post(
        "/console/projects/cases/link/",
        {"project": ledger.heating_project.pk, "tracking_number": case.tracking_number},
    )
    assert again.status_code == 302 and ProjectCase.objects.count() == 1
    # the unit's staff do not get the form on the case page
    assert (
        'id="link-project"'
        not in as_user(world.heating_handler).get(f"/console/cases/{case.pk}/").content.decode()
    )


def test_the_summary_narrows_to_a_leader_or_a_unit(as_user, world, ledger):
    c = as_user(world.dispatcher)
    everything = c.get(f"/console/projects/summary/?batch={ledger.batch.pk}").content.decode()
    assert "老旧小区供热管网改造" in everything and "医保服务就近办" in everything
    led = c.get(
        f"/console/projects/summary/?batch={ledger.batch.pk}&leader={ledger.leader2.pk}"
    ).content.decode()
    assert "医保服务就近办" in led and "老旧小区供热管网改造" not in led
    unit = c.get(
        f"/console/projects/summary/?batch={ledger.batch.pk}&unit={world.housing.pk}"
    ).content.decode()
    assert "老旧小区供热管网改造" in unit and "医保服务就近办" not in unit


def test_the_ledger_shows_the_latest_batch_selected(as_user, world, ledger):
    import datetime as dt

    from minyi.projects.models import Batch

    newer = Batch.objects.create(name="2026年第二批", year=2026, first_month=dt.date(2026, 9, 1))
    page = as_user(world.dispatcher).get("/console/projects/").content.decode()
    assert f'<option value="{newer.pk}" selected>' in page
    older = as_user(world.dispatcher).get(f"/console/projects/?batch={ledger.batch.pk}").content.decode()
    assert f'<option value="{ledger.batch.pk}" selected>' in older and "老旧小区供热管网改造" in older


def test_the_dispatch_list_names_earlier_reports_still_missing(as_user, world, ledger, clock):
    clock.set("2026-11-10 09:00")  # October's reports were due on 26 October and never filed
    page = as_user(world.heating_handler).get("/console/projects/dispatch/").content.decode()
    assert 'id="earlier-overdue"' in page and "一次管网更换" in page and "2026-10" in page
    assert "楼内立管更新" not in page  # the housing bureau's


def test_the_leader_home_counts_the_projects_the_leader_leads(as_user, world, ledger):
    from minyi.projects.services import report_file

    report_file(
        actor=world.heating_handler,
        item=ledger.mains,
        month=dt.date(2026, 11, 1),
        percent=100,
        done="完工",
        completion="substantive",
    )
    c = as_user(world.leader)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get("/console/leader/").content.decode()
    assert 'id="led-projects"' in page
    assert "Projects: 1; sub-items: 2, of which 1 done and 1 lagging." in page
    other = as_user(ledger.leader2).get("/console/leader/").content.decode()
    assert "Projects: 1; sub-items: 1, of which 0 done and 1 lagging." in other


def test_an_export_of_a_batch_that_is_no_id_is_empty(as_user, world, ledger):
    for wrong in ("²", "9" * 5000):
        assert as_user(world.dispatcher).get("/console/projects/export/", {"batch": wrong}).status_code == 200


def _badges(page: str) -> dict[str, str]:
    """{project number: the class of its status badge} of a ledger or summary table."""
    rows = re.findall(r'<tr data-project="([^"]+)">(.*?)</tr>', page, re.S)
    return {number: re.search(r"badge (progress-\w+)", row).group(1) for number, row in rows}


def test_the_ledger_and_the_summary_show_a_project_the_same_status(as_user, world, ledger, clock):
    for actor, item in (
        (world.heating_handler, ledger.mains),
        (world.housing_handler, ledger.risers),
        (world.insurance_handler, ledger.stations),
    ):
        report_file(actor=actor, item=item, month=dt.date(2026, 10, 1), percent=75, done="推进中")
    clock.set("2026-11-10 09:00")  # November's 90 % is due on the 25th; October's 70 % holds till then
    refresh_all()
    c = as_user(world.dispatcher)

    ledger_page = c.get("/console/projects/").content.decode()
    summary_page = c.get("/console/projects/summary/?month=2026-11").content.decode()

    assert (
        _badges(ledger_page) == _badges(summary_page) == {"1": "progress-on_track", "2": "progress-on_track"}
    )


def test_a_case_is_linked_by_its_number_typed_without_hyphen_or_in_full_width(as_user, world, ledger):
    first, second = heating_case(world), heating_case(world)
    period, sequence = first.tracking_number.split("-")
    wide = second.tracking_number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    c = as_user(world.dispatcher)

    for typed in (period + sequence, wide):
        linked = c.post(
            f"/console/projects/{ledger.heating_project.pk}/cases/link/", {"tracking_number": typed}
        )
        assert linked.status_code == 302, typed

    assert set(ProjectCase.objects.values_list("case", flat=True)) == {first.pk, second.pk}
