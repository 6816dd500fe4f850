"""Export of the case list: the list's filters and scope, CSV (UTF-8 with BOM) and Excel read back,
personal data masked, formulas defused, and the refusal of too large an export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from minyi.cases.models import Case
from minyi.console import exports
from tests.cases.helpers import do, new_case
from tests.console.test_lists import build_cases
from tests.workbooks import open_checked

URL = "/console/cases/export/"


@pytest.fixture
def cases(world, clock):
    return build_cases(world, clock)


def download(client, user, query: str):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL + query)
    assert response.status_code == 200, response.headers.get("Location")
    return response, b"".join(response.streaming_content)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(body: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return list(book.active.iter_rows(values_only=True))


def test_csv_holds_the_filtered_cases_with_masked_requesters(client, world, cases):
    response, body = download(client, world.dispatcher, "?category=01&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="minyi-cases-20261125.csv"'
    header, *rows = read_csv(body)
    assert header[:3] == ["Tracking number", "Received at", "Channel"]
    assert header[-2:] == ["Requester name", "Requester phone"]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_number) == {cases.heat.tracking_number, cases.road.tracking_number}
    heat = by_number[cases.heat.tracking_number]
    assert heat["Received at"] == "2026-11-02 09:00"  # Beijing time
    assert heat["Category"] == "城乡建设 / 供热 / 供热不足"
    assert (heat["Street / town"], heat["Community / village"], heat["Grid"]) == (
        "东城街道",
        "东城社区",
        "东城一网格",
    )
    assert (heat["Lead unit"], heat["Status"]) == ("热力公司", "Handling")
    assert (heat["Requester name"], heat["Requester phone"]) == ("张*", "138****1234")
    road = by_number[cases.road.tracking_number]
    assert (road["Channel"], road["Demand type"]) == ("Web", "Suggestion")
    assert (road["Requester name"], road["Requester phone"]) == ("李*", "139****1111")
    text = body.decode("utf-8-sig")
    assert "张三" not in text and "13812341234" not in text and "13900001111" not in text


def test_xlsx_holds_the_same_rows(client, world, cases):
    response, body = download(client, world.dispatcher, "?format=xlsx&sort=oldest")
    assert response["Content-Disposition"] == 'attachment; filename="minyi-cases-20261125.xlsx"'
    header, *rows = read_xlsx(body)
    assert header[0] == "Tracking number" and len(header) == len(exports.COLUMNS)
    assert [row[0] for row in rows] == [
        c.tracking_number for c in (cases.heat, cases.road, cases.insurance, cases.fresh)
    ]
    first = dict(zip(header, rows[0], strict=True))
    assert first["Received at"] == dt.datetime(2026, 11, 2, 9, 0)  # a real date, in Beijing time
    assert (first["Requester name"], first["Requester phone"]) == ("张*", "138****1234")
    assert not any("张三" in str(v) or "13812341234" in str(v) for row in rows for v in row)


def test_the_export_keeps_to_the_users_scope(client, world, cases):
    _, body = download(client, world.insurance_handler, "?format=csv")
    assert [row[0] for row in read_csv(body)[1:]] == [cases.insurance.tracking_number]
    _, body = download(client, world.insurance_handler, f"?format=xlsx&unit={world.heating.pk}")
    assert read_xlsx(body)[1:] == []


def test_a_reporter_is_not_even_shown_masked_to_units(client, world, clock):
    case = new_case(world.operator, demand_type="report", category="0201", title="举报药店套取医保")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    _, body = download(client, world.insurance_handler, "?format=csv")
    header, row = read_csv(body)
    record = dict(zip(header, row, strict=True))
    assert (record["Requester name"], record["Requester phone"]) == ("", "")
    _, body = download(client, world.dispatcher, "?format=csv")
    record = dict(zip(*read_csv(body), strict=True))
    assert (record["Requester name"], record["Requester phone"]) == ("张*", "138****1234")


def test_text_that_looks_like_a_formula_is_defused(client, world, clock):
    new_case(world.operator, title='=HYPERLINK("http://evil.example","点我")', address="@SUM(1+1)\x07")
    _, body = download(client, world.dispatcher, "?format=csv")
    record = dict(zip(*read_csv(body), strict=True))
    assert record["Title"].startswith("'=HYPERLINK(")
    assert record["Address"] == "'@SUM(1+1)"  # and the control character is gone
    _, body = download(client, world.dispatcher, "?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(body))
    title = book.active.cell(row=2, column=5)
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK(")


def test_xlsx_cells_are_typed_and_columns_fit_their_content(client, world, clock):
    """Issue 17: a number typed as a title is no formula (no apostrophe), nothing is an empty cell
    (not "'"), and the columns are as wide as their content (a Chinese character counts two)."""
    long_title = "湖畔花园小区四号楼二单元暖气片整个冬天都不热家里只有十四度老人孩子都冻感冒了"
    new_case(world.operator, title="-4.9", address="")
    new_case(world.operator, title=long_title, address="湖畔花园4栋")
    _, body = download(client, world.dispatcher, "?format=xlsx&sort=oldest")
    book = open_checked(body, text_columns={"Case list": {"Title"}})
    header = [c.value for c in book.active[1]]
    first = dict(zip(header, next(book.active.iter_rows(min_row=2)), strict=True))
    assert first["Title"].value == "-4.9" and first["Address"].value is None
    assert first["Received at"].number_format == "yyyy-mm-dd hh:mm"
    title = first["Title"].column_letter
    assert book.active.column_dimensions[title].width >= min(2 * len(long_title), 60)


def test_too_many_rows_are_refused_with_a_way_out(client, world, cases, settings):
    settings.MINYI_EXPORT_MAX_ROWS = 3
    client.force_login(world.dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL + "?format=xlsx&page=2")
    assert response.status_code == 302 and response["Location"] == "/console/cases/"
    page = client.get(response["Location"]).content.decode()
    assert "4 cases match, more than the 3 an export may hold" in page and "narrow the filters" in page
    narrowed = client.get(URL + "?format=xlsx&received_from=2026-11-10")  # exactly the limit: allowed
    assert narrowed.status_code == 200 and len(read_xlsx(b"".join(narrowed.streaming_content))) == 1 + 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?format=pdf", "Choose the format of the export"),
        ("", "Choose the format of the export"),
        ("?format=csv&received_from=yesterday", "Some filters are not valid"),
    ],
)
def test_a_wrong_request_goes_back_to_the_list_with_a_message(client, world, cases, query, message):
    client.force_login(world.dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL + query, follow=True)
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    assert message in response.content.decode()


def test_headers_follow_the_language(world):
    with translation.override("zh-hans"):
        chinese = exports.headers()
    with translation.override("en"):
        english = exports.headers()
    assert chinese[0] == "工单编号" and english[0] == "Tracking number"
    assert len(chinese) == len(english) == len(exports.COLUMNS)


def test_the_export_is_not_one_query_per_case(client, world, cases, clock):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(URL + "?format=csv").streaming_content)
        return len(captured)

    client.force_login(world.dispatcher)
    before = queries()
    for _ in range(4):
        new_case(world.operator, category="0102", area=world.east_grid2)
    assert Case.objects.count() == 8
    assert queries() == before
