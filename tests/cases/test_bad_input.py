"""Bad input gets a clear error that says what to fix, and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from minyi.cases.models import Case, CaseEvent
from minyi.cases.services import case_apply
from minyi.catalog.models import DeadlineRule
from minyi.core.errors import IllegalTransition, InvalidInput
from minyi.notifications.models import Notification
from tests.cases.helpers import do, new_case


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.version, fresh.lead_unit_id, fresh.handle_due_at, fresh.events.count(),
            Notification.objects.count())  # fmt: skip


def handling_case(world):
    case = new_case(world.operator, category="010101")
    do(case, "accept", world.dispatcher)
    do(case, "assign", world.dispatcher)
    return do(case, "sign_for", world.heating_handler)


def test_unknown_category_on_registration(world, clock):
    with pytest.raises(InvalidInput, match="999999") as caught:
        new_case(world.operator, category="999999")
    assert caught.value.field == "category"
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_unknown_category_on_classification(world, clock):
    case = new_case(world.operator)
    before = snapshot(case)
    with pytest.raises(InvalidInput, match="999999"):
        do(case, "accept", world.dispatcher, category="999999")
    assert snapshot(case) == before


def test_assign_to_a_unit_that_does_not_exist(world, clock):
    case = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    before = snapshot(case)
    with pytest.raises(InvalidInput, match="987654") as caught:
        do(case, "assign", world.dispatcher, lead_unit=987654)
    assert caught.value.field == "lead_unit"
    with pytest.raises(InvalidInput):
        do(case, "assign", world.dispatcher, lead_unit=world.heating.pk, co_units=[987654])
    assert snapshot(case) == before


def test_assign_without_a_routing_rule_asks_for_a_unit(world, clock):
    case = do(new_case(world.operator, area=world.west_grid), "accept", world.dispatcher)
    with pytest.raises(InvalidInput, match="lead unit|主办") as caught:
        do(case, "assign", world.dispatcher)
    assert caught.value.field == "lead_unit"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_a_reply_with_no_text(world, clock, text):
    case = handling_case(world)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as caught:
        do(case, "reply", world.heating_handler, note=text)
    assert caught.value.field == "note"
    assert snapshot(case) == before


def test_a_deadline_rule_of_negative_length(world):
    rule = DeadlineRule(sign_limit=1, sign_unit="working_days", handle_limit=-3, handle_unit="working_days")
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "handle_limit" in caught.value.message_dict
    count = DeadlineRule.objects.count()
    # and the database refuses it too, whoever bypasses the form
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineRule.objects.create(sign_limit=0, sign_unit="working_days", handle_limit=5,
                                    handle_unit="working_days")  # fmt: skip
    assert DeadlineRule.objects.count() == count


def test_a_callback_on_an_open_case(world, clock):
    case = handling_case(world)
    before = snapshot(case)
    with pytest.raises(IllegalTransition, match="办理中|Handling") as caught:
        do(case, "callback", world.callback_agent, satisfaction="satisfied")
    assert caught.value.details["status"] == "handling"
    assert snapshot(case) == before


def test_a_callback_with_an_unknown_satisfaction(world, clock):
    case = handling_case(world)
    do(case, "reply", world.heating_handler, note="已处理")
    before = snapshot(case)
    with pytest.raises(InvalidInput, match="happy"):
        do(case, "callback", world.callback_agent, satisfaction="happy")
    assert snapshot(case) == before


def test_unknown_operation_and_unknown_parameters(world, clock):
    case = handling_case(world)
    with pytest.raises(InvalidInput, match="fly"):
        case_apply(case_id=case.pk, operation="fly", actor=world.dispatcher)
    with pytest.raises(InvalidInput, match="days"):
        do(case, "reply", world.heating_handler, note="好", days=3)


@pytest.mark.parametrize("days", [0, -2, 31, "many"])
def test_extension_days_out_of_range(world, clock, days):
    case = handling_case(world)
    before = snapshot(case)
    with pytest.raises(InvalidInput, match="30"):
        do(case, "request_extension", world.heating_handler, days=days, note="等配件")
    assert snapshot(case) == before


def test_extension_after_the_deadline_is_refused(world, clock):
    case = handling_case(world)
    clock.set(case.handle_due_at)
    clock.advance(minutes=1)
    with pytest.raises(IllegalTransition, match="deadline|时限"):
        do(case, "request_extension", world.heating_handler, days=2, note="等配件")


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", ""), ("description", " "), ("channel", "pigeon"), ("demand_type", "rant"), ("urgency", "asap"),
     ("area", "no-such-area"), ("latitude", "north"), ("longitude", 200), ("requester_phone", "call me")],
)  # fmt: skip
def test_registration_refuses_bad_fields(world, clock, field, value):
    with pytest.raises(InvalidInput) as caught:
        new_case(world.operator, **{field: value})
    assert caught.value.field == field
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["latitude", "longitude"])
@pytest.mark.parametrize("value", ["NaN", "-nan", "sNaN", "Infinity", "-inf", float("nan"), float("inf")])
def test_registration_refuses_coordinates_that_are_no_place(world, clock, field, value):
    """case_create is where every edge's coordinates are checked: NaN and Infinity too."""
    with pytest.raises(InvalidInput, match="must be a number|必须是数字|数字") as caught:
        new_case(world.operator, **{field: value})
    assert caught.value.field == field
    assert not Case.objects.exists()


# Text Python's Decimal reads as a number, but no plain decimal number: underscores, full-width and
# other scripts' digits, exponents, hexadecimal, a comma, spaces, a bare point.
NOT_PLAIN = ["1_0", "３４.７", "٣٤", "1e1", "0x1A", "34,7", " 34.7", "34.7\n", "34.", ".5", "+-1", "1 0"]


@pytest.mark.parametrize("field", ["latitude", "longitude"])
@pytest.mark.parametrize("value", NOT_PLAIN)
def test_registration_takes_coordinates_only_as_plain_decimal_numbers(world, clock, field, value):
    with pytest.raises(InvalidInput, match="must be a number|必须是数字|数字") as caught:
        new_case(world.operator, **{field: value})
    assert caught.value.field == field
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("value", "stored"),
    [("+34.7", "34.700000"), ("-34.7", "-34.700000"), ("34", "34.000000"), ("34.12345678", "34.123457"),
     (Decimal("34.7"), "34.700000"), (34.7, "34.700000"), (1e-05, "0.000010"), (34, "34.000000")],
)  # fmt: skip
def test_plain_coordinates_and_numbers_are_taken(world, clock, value, stored):
    case = new_case(world.operator, latitude=value, longitude=value)
    assert str(case.latitude) == str(case.longitude) == stored


@pytest.mark.parametrize("area", ["²", "٣", "9" * 5000])
def test_an_area_given_by_id_is_ascii_digits(world, clock, area):
    """ "²" and "٣" are digits to str.isdigit(): int() refused the first (a 500) and read the second as
    area 3; int() refuses 5000 digits."""
    with pytest.raises(InvalidInput) as caught:
        new_case(world.operator, area=area)
    assert caught.value.field == "area"
    assert not Case.objects.exists()


def test_registration_needs_a_name_a_phone_or_anonymity(world, clock):
    with pytest.raises(InvalidInput):
        new_case(world.operator, requester_name="", requester_phone="")
    assert new_case(world.operator, requester_name="", requester_phone="", is_anonymous=True).is_anonymous


def test_merge_into_itself_or_a_missing_case(world, clock):
    case = new_case(world.operator)
    before = snapshot(case)
    with pytest.raises(InvalidInput, match="itself|自身|本身"):
        do(case, "merge", world.dispatcher, master=case.pk)
    with pytest.raises(InvalidInput):
        do(case, "merge", world.dispatcher, master=424242)
    assert snapshot(case) == before


def test_reopen_needs_a_dissatisfied_callback(world, clock):
    case = handling_case(world)
    do(case, "reply", world.heating_handler, note="已处理")
    do(case, "callback", world.callback_agent, satisfaction="satisfied")
    with pytest.raises(IllegalTransition):
        do(case, "reopen", world.callback_agent, note="再办一次")


@pytest.mark.parametrize("version", ["abc", 0, -1])
def test_a_malformed_expected_version(world, clock, version):
    case = handling_case(world)
    with pytest.raises(InvalidInput) as caught:
        case_apply(case_id=case.pk, operation="remind", actor=world.supervisor, expected_version=version)
    assert caught.value.field == "expected_version"


def test_a_stale_expected_version_is_a_conflict(world, clock):
    from minyi.core.errors import Conflict

    case = handling_case(world)
    with pytest.raises(Conflict, match=case.tracking_number):
        case_apply(case_id=case.pk, operation="reply", actor=world.heating_handler, note="好",
                   expected_version=case.version - 1)  # fmt: skip
    assert Case.objects.get(pk=case.pk).status == "handling"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "题" * 201),
        ("description", "述" * 20_001),
        ("address", "路" * 201),
        ("requester_name", "名" * 51),
        ("requester_phone", "1" * 33),
        ("requester_id_number", "1" * 33),
        ("requester_ref", "r" * 65),
        ("external_id", "e" * 65),
    ],
)
def test_every_text_of_a_case_is_held_to_its_limit_whatever_the_channel(world, clock, field, value):
    """The limits live in case_create, so no edge (Open311, a webhook, an import) can skip them; on
    PostgreSQL a value wider than its column would otherwise be a 500."""
    with translation.override("en"), pytest.raises(InvalidInput, match="too long") as caught:
        new_case(world.operator, **{field: value})
    assert caught.value.field == field
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["title", "description", "address", "requester_name"])
def test_a_nul_character_is_refused_with_a_clear_error(world, clock, field):
    with translation.override("en"), pytest.raises(InvalidInput, match="NUL") as caught:
        new_case(world.operator, **{field: "暖气\x00不热"})
    assert caught.value.field == field and not Case.objects.exists()


def test_a_note_longer_than_the_limit_is_refused_and_changes_nothing(world, clock):
    case = handling_case(world)
    before = snapshot(case)
    with translation.override("en"), pytest.raises(InvalidInput, match="too long") as caught:
        case_apply(case_id=case.pk, operation="reply", actor=world.heating_handler, note="答" * 20_001)
    assert caught.value.field == "note" and snapshot(case) == before
