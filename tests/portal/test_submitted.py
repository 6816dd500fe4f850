"""The success page shows the tracking number and query code only to the browser that sent the demand."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from minyi.cases.models import Case
from minyi.portal import views
from tests.portal.helpers import submit


def test_the_sending_browser_sees_both_codes_and_a_qr_code(client, world):
    submit(client, world)
    case = Case.objects.get()

    response = client.get(reverse("portal:submitted"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="tracking-number">{case.tracking_number}<' in page
    assert f'data-testid="query-code">{case.query_code}<' in page
    assert "<svg" in page and 'class="segno"' in page
    assert "Keep the tracking number and the query code" in page
    assert "no-store" in response["Cache-Control"]  # not kept for the back button of a shared phone


def test_the_qr_code_holds_the_follow_address_with_the_number_and_never_the_query_code(
    client, world, monkeypatch
):
    encoded = []
    real_make = views.segno.make
    monkeypatch.setattr(views.segno, "make", lambda text, **kw: encoded.append(text) or real_make(text, **kw))
    submit(client, world)
    case = Case.objects.get()

    client.get(reverse("portal:submitted"))

    assert encoded == [f"http://testserver/follow/?number={case.tracking_number}"]
    assert case.query_code not in encoded[0]


def test_another_browser_gets_no_code_from_the_success_page(client, world):
    submit(client, world)
    case = Case.objects.get()

    response = Client().get(reverse("portal:submitted"))

    assert response.status_code == 404
    page = response.content.decode()
    assert case.query_code not in page and case.tracking_number not in page
    assert 'name="query_code"' in page  # the look-up form instead


def test_the_sending_browser_may_open_its_case_at_once(client, world):
    submit(client, world)
    case = Case.objects.get()

    response = client.get(reverse("portal:case", args=[case.tracking_number]))

    assert response.status_code == 200
    assert 'data-testid="case-status"' in response.content.decode()


def test_the_page_shows_the_latest_demand_of_the_browser(client, world):
    submit(client, world, title="第一件")
    submit(client, world, title="第二件")
    second = Case.objects.get(title="第二件")

    page = client.get(reverse("portal:submitted")).content.decode()

    assert f'data-testid="query-code">{second.query_code}<' in page


def test_the_codes_are_shown_for_half_an_hour_only(client, world, clock):
    submit(client, world)
    case = Case.objects.get()
    assert case.query_code in client.get(reverse("portal:submitted")).content.decode()
    clock.advance(minutes=31)  # the next person at a shared kiosk must not find them
    assert case.query_code not in client.get(reverse("portal:submitted"), follow=True).content.decode()
