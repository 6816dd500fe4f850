"""Following a demand (进度查询): a right tracking number + query code proves the case to this browser;
without that proof the case page is a 404 with the look-up form, whether the case exists or not."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.cases.helpers import new_case
from tests.portal.helpers import case_page, prove


def test_the_right_pair_opens_the_case_page(client, world):
    case = new_case(world.operator)

    response = prove(client, case)

    assert response["Location"] == reverse("portal:case", args=[case.tracking_number])
    page = case_page(client, case)
    assert page.status_code == 200
    assert '<dd data-testid="case-status"><span class="badge received">Received</span></dd>' in (
        page.content.decode()
    )
    assert case.title in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_the_code_may_be_typed_in_lower_case_and_with_spaces(client, world):
    case = new_case(world.operator)

    response = client.post(
        reverse("portal:follow"),
        {"tracking_number": f" {case.tracking_number} ", "query_code": f" {case.query_code.lower()} "},
    )

    assert response.status_code == 302
    assert case_page(client, case).status_code == 200


def test_a_code_typed_in_full_width_or_with_spaces_inside_opens_the_case(client, world):
    case = new_case(world.operator)
    wide = str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ０１２３４５６７８９",
    )

    for code in (case.query_code.translate(wide), " ".join(case.query_code)):
        other = Client()
        response = other.post(
            reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": code}
        )
        assert response.status_code == 302, code
        assert case_page(other, case).status_code == 200


def test_a_code_in_other_characters_is_a_wrong_code_whether_the_case_exists_or_not(client, world):
    case = new_case(world.operator)
    answers = []
    for number in (case.tracking_number, "209901-000001"):
        for code in ("Ｋ７Ｅ８３Ｍ中", "查询码", "\u00e9t\u00e9"):
            response = client.post(reverse("portal:follow"), {"tracking_number": number, "query_code": code})
            assert response.status_code == 200, (number, code)
            answers.append(tuple(response.context["form"].non_field_errors()))
    assert len(set(answers)) == 1 and answers[0]
    assert case_page(client, case).status_code == 404


def test_a_wrong_code_is_refused_and_proves_nothing(client, world):
    case = new_case(world.operator)
    wrong = "ZZZZZZ" if case.query_code != "ZZZZZZ" else "YYYYYY"

    response = client.post(
        reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": wrong}
    )

    assert response.status_code == 200
    assert "No case matches this tracking number and query code: check both and try again." in (
        response.content.decode()
    )
    assert case_page(client, case).status_code == 404


def test_an_unknown_number_gets_the_same_answer_as_a_wrong_code(client, world):
    case = new_case(world.operator)

    wrong_code = client.post(
        reverse("portal:follow"), {"tracking_number": case.tracking_number, "query_code": "X"}
    )
    no_case = client.post(reverse("portal:follow"), {"tracking_number": "209901-000001", "query_code": "X"})

    assert wrong_code.context["form"].non_field_errors() == no_case.context["form"].non_field_errors()


def test_both_fields_are_required(client, world):
    response = client.post(reverse("portal:follow"), {"tracking_number": "", "query_code": ""})

    errors = response.context["form"].errors
    assert set(errors) == {"tracking_number", "query_code"}


def test_an_unproven_browser_gets_a_404_with_the_look_up_form(client, world):
    case = new_case(world.operator)
    prove(client, case)  # proven in one browser …

    response = case_page(Client(), case)  # … not in another

    page = response.content.decode()
    assert response.status_code == 404
    assert "enter its tracking number and query code" in page
    assert f'name="tracking_number" value="{case.tracking_number}"' in page
    assert case.title not in page and case.description not in page


def test_a_number_that_does_not_exist_looks_the_same_as_an_unproven_one(client, world):
    case = new_case(world.operator)

    unproven = case_page(client, case)
    missing = client.get(reverse("portal:case", args=["209901-000009"]))

    assert unproven.status_code == missing.status_code == 404
    assert unproven.context["refused"] == missing.context["refused"]


def test_proving_one_case_does_not_open_another(client, world):
    mine, other = new_case(world.operator), new_case(world.operator, title="别人的诉求")
    prove(client, mine)

    assert case_page(client, mine).status_code == 200
    assert case_page(client, other).status_code == 404


def test_proving_a_case_gives_the_browser_a_new_session_key(client, world):
    case = new_case(world.operator)
    client.get(reverse("portal:follow"))
    client.session.save()
    before = client.session.session_key

    prove(client, case)

    assert client.session.session_key != before


def test_the_number_can_be_filled_in_from_the_address(client, world):
    page = client.get(reverse("portal:follow"), {"number": "202611-000007"}).content.decode()

    assert 'name="tracking_number" value="202611-000007"' in page
    assert "autofocus" in page.split('name="query_code"')[1].split(">")[0]


def test_without_a_number_nothing_is_focused_for_the_visitor(client, world):
    page = client.get(reverse("portal:follow")).content.decode()

    assert "autofocus" not in page


def spellings(number: str) -> list[str]:
    """The number as people type it: no hyphen (a phone's numeric keypad has none), spaces, the
    full-width digits and dash of a Chinese input method, an em dash."""
    period, sequence = number.split("-")
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")
    return [
        period + sequence,
        f"{period[:4]} {period[4:]} {sequence[:3]} {sequence[3:]}",
        number.translate(wide),
        f"{period} {sequence}".translate(wide).replace(" ", "\u3000"),
        f"{period}—{sequence}",
    ]


def test_the_number_may_be_typed_without_its_hyphen_in_full_width_digits_or_with_spaces(world):
    case = new_case(world.operator)

    for typed in spellings(case.tracking_number):
        browser = Client()
        response = browser.post(
            reverse("portal:follow"), {"tracking_number": typed, "query_code": case.query_code}
        )

        assert response.status_code == 302, typed
        assert response["Location"] == reverse("portal:case", args=[case.tracking_number])
        assert case_page(browser, case).status_code == 200


def test_a_number_in_another_spelling_with_a_wrong_code_gets_the_same_answer(client, world):
    case = new_case(world.operator)
    typed = spellings(case.tracking_number)[0]

    wrong_code = client.post(reverse("portal:follow"), {"tracking_number": typed, "query_code": "X"})
    no_case = client.post(reverse("portal:follow"), {"tracking_number": "209901000001", "query_code": "X"})

    assert wrong_code.status_code == no_case.status_code == 200
    assert wrong_code.context["form"].errors == no_case.context["form"].errors
    assert list(wrong_code.context["form"].errors) == ["__all__"]


def test_what_is_no_tracking_number_says_what_to_fix(client, world):
    response = client.post(
        reverse("portal:follow"), {"tracking_number": "20261100012", "query_code": "ABCDEF"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["tracking_number"] == [
        "A tracking number has twelve digits, like 202611-000123: check it and type it again."
    ]


def test_the_number_field_opens_the_numeric_keypad_and_says_the_hyphen_is_optional(client, world):
    page = client.get(reverse("portal:follow")).content.decode()

    field = page.split('name="tracking_number"')[1].split(">")[0]
    assert 'inputmode="numeric"' in field
    assert "the hyphen may be left out" in page
