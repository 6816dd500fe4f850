"""The import page /console/import/: dispatchers and administrators only, CSRF on, validation shows
the problems per row and column, a validated file is imported with one more click."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minyi.cases.models import Case
from tests.transfer.helpers import H, row, write_csv

URL = "/console/import/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads are kept in the default storage meanwhile


@pytest.fixture
def as_dispatcher(client, world):
    client.force_login(world.dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(tmp_path, rows, name="cases.csv"):
    path = write_csv(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


@pytest.mark.parametrize("persona", ["heating_handler", "operator", "leader"])
def test_only_dispatchers_and_administrators_may_import(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "validate"}).status_code == 403
    assert URL.encode() not in client.get("/console/cases/").content  # no menu entry either


def test_the_page_shows_the_form_to_dispatchers_and_administrators(client, world):
    for user in (world.dispatcher, world.admin):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert b'name="file"' in response.content and b'value="tipdm2020"' in response.content
        assert f'href="{URL}"'.encode() in client.get("/console/cases/").content  # in the menu


def test_validation_lists_the_problems_and_imports_nothing(as_dispatcher, world, clock, tmp_path):
    rows = [
        row(external_id="A"),
        row(external_id="B", category="无此分类"),
        row(external_id="C", received_at="x"),
    ]
    response = as_dispatcher.post(
        URL, {"file": upload(tmp_path, rows), "mapping": "default", "action": "validate"}
    )
    assert response.status_code == 200
    errors = response.context["errors"]
    assert [(p.row, p.column, p.value) for p in errors] == [
        (3, H["category"], "无此分类"),
        (4, H["received_at"], "x"),
    ]
    assert "There is no category" in response.content.decode()
    assert not Case.objects.exists()


def test_a_validated_file_is_imported_with_its_token(as_dispatcher, world, clock, tmp_path, settings):
    rows = [row(external_id="A"), row(external_id="B")]
    response = as_dispatcher.post(
        URL, {"file": upload(tmp_path, rows), "mapping": "default", "action": "validate"}
    )
    assert response.status_code == 200 and response.context["report"].valid == 2
    assert not Case.objects.exists()
    token = response.context["kept"]["token"]
    response = as_dispatcher.post(URL, {"token": token, "action": "import"})
    assert response.status_code == 200 and response.context["report"].imported == 2
    assert Case.objects.count() == 2
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())  # the kept upload is removed
    again = as_dispatcher.post(URL, {"token": token, "action": "import"})  # the upload is used up
    assert again.status_code == 400 and Case.objects.count() == 2


def test_import_with_skip_invalid_offers_the_invalid_rows(as_dispatcher, world, clock, tmp_path):
    rows = [row(external_id="A"), row(external_id="B", lead_unit="无此单位")]
    response = as_dispatcher.post(
        URL, {"file": upload(tmp_path, rows), "mapping": "default", "action": "import", "skip_invalid": "on"}
    )
    assert response.status_code == 200
    assert Case.objects.get().external_id == "A"
    download = as_dispatcher.get(response.context["error_file"])
    body = download.content.decode("utf-8-sig")
    assert "cases.errors.csv" in download["Content-Disposition"]
    assert "无此单位" in body and "There is no unit" in body
    assert as_dispatcher.get(response.context["error_file"]).status_code == 404  # offered once


def test_import_without_skip_imports_nothing_when_a_row_is_bad(as_dispatcher, world, clock, tmp_path):
    rows = [row(external_id="A"), row(external_id="B", status="handling")]
    response = as_dispatcher.post(
        URL, {"file": upload(tmp_path, rows), "mapping": "default", "action": "import"}
    )
    assert response.status_code == 400 and not Case.objects.exists()


def test_an_uploaded_mapping_is_used(as_dispatcher, world, clock, tmp_path):
    mapping = SimpleUploadedFile(
        "mine.toml",
        '[columns]\nexternal_id = "编号"\ntitle = "事项"\ndescription = "内容"\nreceived_at = "时间"\n'
        '[defaults]\nchannel = "letter"\nstatus = "received"\ndemand_type = "help"\n'.replace(
            "letter", "petition"
        ).encode(),
    )
    data = "编号,事项,内容,时间\n1,路灯不亮,路口路灯坏了,2026-01-05 08:00\n".encode()
    response = as_dispatcher.post(
        URL,
        {
            "file": SimpleUploadedFile("x.csv", data),
            "mapping_file": mapping,
            "mapping": "default",
            "action": "import",
        },
    )
    assert response.status_code == 200, response.context.get("problem")
    case = Case.objects.get()
    assert (case.channel, case.status, case.demand_type, case.title) == (
        "petition",
        "received",
        "help",
        "路灯不亮",
    )


def test_a_picture_is_refused_with_a_clear_message(as_dispatcher, world, clock):
    picture = SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100)
    response = as_dispatcher.post(URL, {"file": picture, "mapping": "default", "action": "import"})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.context["problem"]
    assert not Case.objects.exists()


def test_posting_without_the_csrf_token_is_refused(world, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    response = client.post(URL, {"file": upload(tmp_path, [row()]), "mapping": "default", "action": "import"})
    assert response.status_code == 403 and not Case.objects.exists()
