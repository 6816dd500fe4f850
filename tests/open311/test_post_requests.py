"""POST requests: a service request becomes a case through case_create, or a spec error says why not."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.api.keys import create_key, revoke
from minyi.cases.models import Case
from tests.open311.helpers import FORMATS, JPEG, PHP, POSTED_FIELDS, call, demand, expect_error, rows


def post(client, fmt, data, *, status=200):
    return rows(
        call(client, "POST", "requests", fmt, data, status=status),
        fmt,
        root="service_requests",
        item="request",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_becomes_a_case_and_answers_its_tracking_number(client, world, wechat_key, clock, fmt):
    (row,) = post(client, fmt, demand(wechat_key, account_id="fms-77"))
    assert set(row) <= POSTED_FIELDS
    case = Case.objects.get()
    assert row["service_request_id"] == case.tracking_number == "202611-000001"
    assert case.tracking_number in row["service_notice"]
    assert row["account_id"] == "fms-77"
    assert case.channel == "wechat"  # the key's channel
    assert case.category.code == "0101"
    assert case.demand_type == "complaint" and case.urgency == "normal"  # the attributes' defaults
    assert case.title == "幸福小区3号楼暖气不热"  # the first sentence
    assert case.description.startswith("幸福小区3号楼暖气不热。室温")
    assert case.requester_name == "张三"  # family name first
    assert case.requester_phone == "13812341234"
    assert not case.is_anonymous
    assert str(case.latitude) == "39.912345" and str(case.longitude) == "116.401234"
    assert case.created_by.api_key.name == "wechat-front"
    create = case.events.get()
    assert create.data["email"] == "zhang@example.com"
    assert create.data["account_id"] == "fms-77"
    assert create.data["channel"] == "wechat"


def test_the_open311_channel_when_the_key_has_none(client, world):
    _row, key = create_key("hotline-bridge", roles=["operator"])
    post(client, "json", demand(key))
    assert Case.objects.get().channel == "open311"


@pytest.mark.parametrize("fmt", FORMATS)
def test_attributes_set_type_urgency_and_area(client, world, wechat_key, fmt):
    data = demand(
        wechat_key,
        lat=None,
        long=None,
        **{
            "attribute[demand_type]": "help",
            "attribute[urgency]": "urgent",
            "attribute[area_code]": world.east_grid.code,
        },
    )
    post(client, fmt, data)
    case = Case.objects.get()
    assert (case.demand_type, case.urgency, case.area) == ("help", "urgent", world.east_grid)


def test_address_id_is_an_area_code_and_address_string_the_address(client, world, wechat_key):
    post(client, "json", demand(wechat_key, lat=None, long=None, address_id=world.east_community.code))
    assert Case.objects.get().area == world.east_community
    post(client, "json", demand(wechat_key, lat=None, long=None, address_string="幸福小区3号楼"))
    assert Case.objects.latest("id").address == "幸福小区3号楼"


def test_without_name_and_phone_the_case_is_anonymous(client, world, wechat_key):
    post(client, "json", demand(wechat_key, first_name=None, last_name=None, phone=None))
    case = Case.objects.get()
    assert case.is_anonymous and case.requester_name == "" and case.requester_phone == ""


def test_latin_names_keep_their_order(client, world, wechat_key):
    post(client, "json", demand(wechat_key, first_name="Anna", last_name="Schmidt"))
    assert Case.objects.get().requester_name == "Anna Schmidt"


def test_a_short_description_takes_the_service_name_as_title(client, world, wechat_key):
    post(client, "json", demand(wechat_key, description="太冷"))
    assert Case.objects.get().title == "供热"


def test_a_long_first_sentence_is_cut_to_thirty_characters(client, world, wechat_key):
    post(client, "json", demand(wechat_key, description="暖" * 50))
    title = Case.objects.get().title
    assert len(title) == 30 and title.endswith("…")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_attached_photo_becomes_an_attachment(client, world, wechat_key, fmt):
    photo = SimpleUploadedFile("IMG_0001.jpg", JPEG, content_type="image/jpeg")
    post(client, fmt, {**demand(wechat_key, media_url="https://img.example.com/1.jpg"), "media": photo})
    case = Case.objects.get()
    (attachment,) = case.attachments.all()
    assert attachment.content_type == "image/jpeg"
    assert attachment.name == "open311-1.jpg"
    assert attachment.event.operation == "create"
    assert case.events.get().data["media_url"] == "https://img.example.com/1.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_that_is_no_photo_is_refused(client, world, wechat_key, fmt):
    script = SimpleUploadedFile("photo.jpg", PHP, content_type="image/jpeg")
    description = expect_error(
        client, "POST", "requests", fmt, {**demand(wechat_key), "media": script}, status=400
    )
    assert "photo.jpg" in description and "cannot be opened as a JPEG/PNG/WebP photo" in description
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_or_wrong_key_is_403(client, world, wechat_key, fmt):
    assert "api_key is required" in expect_error(client, "POST", "requests", fmt, demand(None), status=403)
    assert "api_key is required" in expect_error(client, "POST", "requests", fmt, demand(""), status=403)
    wrong = wechat_key[:-4] + "AAAA"
    assert "unknown or revoked" in expect_error(client, "POST", "requests", fmt, demand(wrong), status=403)
    expect_error(client, "POST", "requests", fmt, demand("not-a-key"), status=403)
    assert not Case.objects.exists()


def test_a_revoked_key_is_403(client, world, wechat_key):
    revoke("wechat-front")
    expect_error(client, "POST", "requests", "json", demand(wechat_key), status=403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_whose_account_may_not_register_is_403(client, world, heating_key, fmt):
    description = expect_error(client, "POST", "requests", fmt, demand(heating_key), status=403)
    assert "may not register" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_location_is_400(client, world, wechat_key, fmt):
    data = demand(wechat_key, lat="", long="", address_string="", address_id="")  # empty: missing
    description = expect_error(client, "POST", "requests", fmt, data, status=400)
    assert "lat and long, address_string or address_id" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_lat_without_long_is_400(client, world, wechat_key, fmt):
    assert "together" in expect_error(
        client, "POST", "requests", fmt, demand(wechat_key, long=""), status=400
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_attribute_is_400_naming_the_known_ones(client, world, wechat_key, fmt):
    data = demand(wechat_key, **{"attribute[colour]": "red"})
    description = expect_error(client, "POST", "requests", fmt, data, status=400)
    assert "colour" in description and "demand_type, urgency, area_code" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_invalid_attribute_value_is_400_naming_the_allowed_values(client, world, wechat_key, fmt):
    data = demand(wechat_key, **{"attribute[urgency]": "asap"})
    description = expect_error(client, "POST", "requests", fmt, data, status=400)
    assert "attribute[urgency]" in description and "normal, urgent, major" in description
    data = demand(wechat_key, **{"attribute[area_code]": "nowhere"})
    assert "nowhere" in expect_error(client, "POST", "requests", fmt, data, status=400)


def test_an_empty_attribute_takes_its_default(client, world, wechat_key):
    post(client, "json", demand(wechat_key, **{"attribute[urgency]": "", "attribute[demand_type]": ""}))
    case = Case.objects.get()
    assert (case.demand_type, case.urgency) == ("complaint", "normal")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_code_must_name_a_public_service(client, world, wechat_key, fmt):
    assert "service_code is required" in expect_error(
        client, "POST", "requests", fmt, demand(wechat_key, service_code=""), status=400
    )
    assert "9999" in expect_error(
        client, "POST", "requests", fmt, demand(wechat_key, service_code="9999"), status=400
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_description_is_required(client, world, wechat_key, fmt):
    description = expect_error(
        client, "POST", "requests", fmt, demand(wechat_key, description=" "), status=400
    )
    assert "description is required" in description


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("lat", "north", "must be a number"),
        ("lat", "123", "between"),
        ("phone", "call me", "phone number"),
        ("email", "not-an-address", "not an e-mail address"),
        ("media_url", "javascript:alert(1)", "http or https"),
        ("address_string", "路" * 201, "too long"),
        ("first_name", "名" * 30, "too long"),
    ],
)
def test_bad_values_are_400_with_the_services_message(client, world, wechat_key, field, value, words):
    description = expect_error(
        client, "POST", "requests", "json", demand(wechat_key, **{field: value}), status=400
    )
    assert words in description
    assert not Case.objects.exists()


NOT_A_PLACE = ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-inf", "inf", "1e999999", "1_0", "３４.７", "1e1"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("field", ["lat", "long"])
def test_nan_or_infinite_coordinates_are_400_in_the_spec_format(client, world, wechat_key, fmt, field):
    for value in NOT_A_PLACE:
        description = expect_error(
            client, "POST", "requests", fmt, demand(wechat_key, **{field: value}), status=400
        )
        assert "must be a number" in description or "between" in description, value
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_when_configured(client, world, wechat_key, settings, fmt):
    settings.MINYI_OPEN311_JURISDICTION = "shifanqu.gov.cn"
    expect_error(client, "POST", "requests", fmt, demand(wechat_key, jurisdiction_id="x.gov"), status=404)
    assert not Case.objects.exists()
    post(client, fmt, demand(wechat_key, jurisdiction_id="shifanqu.gov.cn"))
    assert Case.objects.count() == 1


def test_posts_need_no_csrf_token(world, wechat_key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/open311/v2/requests.json", demand(wechat_key))
    assert response.status_code == 200, response.content


def test_a_description_longer_than_any_channel_takes_is_refused(client, world, wechat_key):
    """Open311 once stored 40,000 characters; the limit is the services', the same for every edge."""
    description = expect_error(
        client, "POST", "requests", "json", demand(wechat_key, description="暖气不热。" * 8000), status=400
    )
    assert "too long" in description and "20000" in description
    assert not Case.objects.exists()
