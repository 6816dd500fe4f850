"""The pages over HTTP: the campaign list, the progress page, the visit form on a phone, a visit and
its case, a household's visits, "my visits" — and who is kept out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minyi.cases.models import Case
from minyi.visits.models import Assignment, Visit
from minyi.visits.services import visit_record
from tests import images


@pytest.fixture
def as_user(english):
    def login(user):
        english.force_login(user)
        return english

    return login


def form_data(world, **overrides) -> dict:
    data = {
        "area": str(world.east_grid.pk),
        "address": "幸福小区3号楼2单元501",
        "visited_on": "2026-11-24",
        "people_met": "户主张大爷",
        "phone": "",
        "notes": "",
        "problem_text": ["楼道灯坏了一个月"],
        "problem_type": ["help"],
        "problem_urgency": ["normal"],
    }
    data.update(overrides)
    return data


def a_visit(world, setup, **overrides) -> Visit:
    args = {
        "actor": world.visit_secretary,
        "campaign": setup.campaign,
        "area": world.east_grid,
        "address": "幸福小区3号楼2单元501",
        "visited_on": dt.date(2026, 11, 20),
        "people_met": "户主张大爷",
        "problems": ["楼道灯坏了一个月"],
    }
    args.update(overrides)
    return visit_record(**args)


def test_the_secretary_records_a_visit_and_is_shown_its_case(world, setup, as_user):
    client = as_user(world.visit_secretary)
    page = client.get(reverse("visits:record", args=[setup.campaign.pk]))
    assert page.status_code == 200
    html = page.text
    assert 'type="date"' in html and 'name="problem_text"' in html
    assert f'value="{world.east_grid.pk}"' in html and f'value="{world.east_grid2.pk}"' in html
    assert f'value="{world.west_grid.pk}"' not in html  # another team's grid is not offered
    answer = client.post(reverse("visits:record", args=[setup.campaign.pk]), form_data(world))
    visit = Visit.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("visits:visit", args=[visit.pk])
    case = visit.problems.get().case
    shown = client.get(answer.url)
    assert shown.status_code == 200
    assert case.tracking_number in shown.text
    assert reverse("console:case", args=[case.pk]) in shown.text
    assert "户主张大爷" in shown.text


def test_the_case_page_links_back_to_the_visit_for_those_who_may_see_it(world, setup, as_user):
    visit = a_visit(world, setup)
    case = visit.problems.get().case
    visit_url = reverse("visits:visit", args=[visit.pk])
    for user in (world.visit_secretary, world.dispatcher):
        page = as_user(user).get(reverse("console:case", args=[case.pk]))
        assert page.status_code == 200 and visit_url in page.text, user
    # The housing bureau, were it to handle the case, sees the case but not the visit record.
    case.lead_unit = world.housing
    case.save(update_fields=["lead_unit"])
    page = as_user(world.housing_handler).get(reverse("console:case", args=[case.pk]))
    assert page.status_code == 200 and visit_url not in page.text


def test_the_date_field_holds_an_iso_date_in_chinese_too(world, setup, client):
    client.force_login(world.visit_secretary)  # no language cookie: the Chinese interface
    page = client.get(reverse("visits:record", args=[setup.campaign.pk]))
    assert 'type="date"' in page.text and 'value="2026-11-25"' in page.text


def test_blank_problem_rows_are_ignored_and_an_untyped_one_is_reported(world, setup, as_user):
    client = as_user(world.visit_secretary)
    url = reverse("visits:record", args=[setup.campaign.pk])
    blank = form_data(world, problem_text=[""], problem_type=["help"], problem_urgency=["normal"])
    assert client.post(url, blank).status_code == 302
    assert Visit.objects.get().problems.count() == 0
    typed_only = form_data(world, problem_text=["", ""], problem_type=["help", "complaint"])
    answer = client.post(url, {**typed_only, "problem_urgency": ["normal", "normal"]})
    assert answer.status_code == 400 and "Problem 1 has no text" in answer.text
    assert Visit.objects.count() == 1


def test_errors_are_shown_at_their_field_and_nothing_is_saved(world, setup, as_user):
    client = as_user(world.visit_secretary)
    answer = client.post(
        reverse("visits:record", args=[setup.campaign.pk]), form_data(world, visited_on="2026-11-30")
    )
    assert answer.status_code == 400 and "lies in the future" in answer.text
    assert "幸福小区3号楼2单元501" in answer.text  # what was typed stays in the form
    assert "楼道灯坏了一个月" in answer.text
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_add_another_problem_without_javascript_keeps_what_was_typed(world, setup, as_user):
    client = as_user(world.visit_secretary)
    answer = client.post(
        reverse("visits:record", args=[setup.campaign.pk]), {**form_data(world), "add_problem": "1"}
    )
    assert answer.status_code == 200 and not Visit.objects.exists()
    assert answer.text.count('name="problem_text"') == 2 and "楼道灯坏了一个月" in answer.text
    row = client.get(reverse("visits:problem_row"), headers={"HX-Request": "true"})
    assert row.status_code == 200 and row.text.count('name="problem_text"') == 1


def test_the_address_lookup_shows_earlier_visits_of_the_household(world, setup, as_user):
    visit = a_visit(world, setup)
    client = as_user(world.visit_secretary)
    url = reverse("visits:household_lookup", args=[setup.campaign.pk])
    found = client.get(url, {"area": world.east_grid.pk, "address": "幸福小区３号楼２单元501"})
    assert "2026-11-20" in found.text and reverse("visits:household", args=[visit.household.pk]) in found.text
    assert visit.problems.get().case.tracking_number in found.text
    assert (
        "2026-11-20"
        not in client.get(url, {"area": world.east_grid2.pk, "address": "幸福小区3号楼2单元501"}).text
    )


def test_campaign_list_and_progress_page(world, setup, as_user):
    a_visit(world, setup)
    a_visit(world, setup, visited_on=dt.date(2026, 11, 24), problems=[])  # a repeat visit
    client = as_user(world.dispatcher)
    home = client.get(reverse("visits:home"))
    assert home.status_code == 200 and setup.campaign.name in home.text
    assert reverse("visits:record", args=[setup.campaign.pk]) not in home.text  # the centre does not visit
    page = client.get(reverse("visits:campaign", args=[setup.campaign.pk]))
    assert page.status_code == 200
    progress = page.context["progress"]
    assert (
        progress.total.assigned == 3200 + 350 and progress.total.visited == 1 and progress.total.visits == 2
    )
    assert [r.name for r in progress.teams] == ["东城走访组", "西城走访组"]
    assert "东城一网格" in page.text and "西城一网格" in page.text and "沈书记" in page.text


def test_a_secretary_sees_only_their_team_and_records_from_the_list(world, setup, as_user, west_secretary):
    a_visit(world, setup)
    client = as_user(west_secretary)
    page = client.get(reverse("visits:campaign", args=[setup.campaign.pk]))
    assert [r.name for r in page.context["progress"].teams] == ["西城走访组"]
    assert "东城一网格" not in page.text and "幸福小区" not in page.text
    home = client.get(reverse("visits:home"))
    assert reverse("visits:record", args=[setup.campaign.pk]) in home.text


def test_another_teams_visit_and_household_are_not_found(world, setup, as_user, west_secretary):
    visit = a_visit(world, setup)
    client = as_user(west_secretary)
    assert client.get(reverse("visits:visit", args=[visit.pk])).status_code == 404
    assert client.get(reverse("visits:household", args=[visit.household.pk])).status_code == 404
    answer = client.post(
        reverse("visits:record", args=[setup.campaign.pk]), form_data(world, area=str(world.east_grid.pk))
    )
    assert answer.status_code == 400  # the east grid is not among the west team's choices
    assert Visit.objects.count() == 1


def test_an_outsider_is_kept_out_of_every_page(world, setup, as_user):
    visit = a_visit(world, setup)
    client = as_user(world.heating_handler)
    assert client.get(reverse("visits:home")).status_code == 403
    for name, arg in (
        ("visits:campaign", setup.campaign.pk),
        ("visits:export", setup.campaign.pk),
        ("visits:record", setup.campaign.pk),
        ("visits:visit", visit.pk),
        ("visits:household", visit.household.pk),
    ):
        assert client.get(reverse(name, args=[arg])).status_code == 403, name
    client.logout()
    assert client.get(reverse("visits:campaign", args=[setup.campaign.pk])).status_code == 302  # to login


def test_the_centre_may_read_but_not_record(world, setup, as_user):
    client = as_user(world.dispatcher)
    assert client.get(reverse("visits:record", args=[setup.campaign.pk])).status_code == 403
    assert (
        client.post(reverse("visits:record", args=[setup.campaign.pk]), form_data(world)).status_code == 403
    )
    assert not Visit.objects.exists()


def test_unknown_ids_are_not_found(world, setup, as_user):
    client = as_user(world.leader)
    assert client.get(reverse("visits:campaign", args=[999999])).status_code == 404
    assert client.get(reverse("visits:visit", args=[999999])).status_code == 404


def test_household_page_lists_every_visit_and_my_visits_lists_mine(world, setup, as_user, west_secretary):
    first = a_visit(world, setup)
    a_visit(world, setup, visited_on=dt.date(2026, 11, 24), people_met="张大爷的女儿", problems=[])
    client = as_user(world.visit_secretary)
    page = client.get(reverse("visits:household", args=[first.household.pk]))
    assert page.status_code == 200 and "张大爷的女儿" in page.text and "户主张大爷" in page.text
    assert first.problems.get().case.tracking_number in page.text
    mine = client.get(reverse("visits:mine"))
    assert mine.text.count(reverse("visits:household", args=[first.household.pk])) == 0
    assert mine.text.count("幸福小区3号楼2单元501") == 2
    assert "幸福小区" not in as_user(west_secretary).get(reverse("visits:mine")).text


def test_the_street_office_head_reads_the_progress_of_the_street(world, setup, as_user):
    a_visit(world, setup)
    page = as_user(world.street_head).get(reverse("visits:campaign", args=[setup.campaign.pk]))
    assert page.status_code == 200
    assert [r.name for r in page.context["progress"].teams] == ["东城走访组"]
    assert page.context["progress"].total.visited == 1


def token_of(page) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', page.text)[1]


def test_a_form_sent_twice_records_one_visit_and_shows_it(world, setup, as_user):
    """A double tap, or a retry on a slow connection: the second sending of the same form (the
    same one-time token) leads to the visit of the first and registers no second case."""
    client = as_user(world.visit_secretary)
    url = reverse("visits:record", args=[setup.campaign.pk])
    token = token_of(client.get(url))
    first = client.post(url, {**form_data(world), "token": token})
    second = client.post(url, {**form_data(world), "token": token})
    visit = Visit.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("visits:visit", args=[visit.pk])
    assert Case.objects.count() == 1
    shown = client.get(second.url)
    assert "saved already" in shown.text
    assert token_of(client.get(url)) != token  # the next empty form has a token of its own
    # After an error the form is shown again with its token, so a retry still records once.
    refused = client.post(url, {**form_data(world, people_met=""), "token": "a" * 8 + token[8:]})
    assert refused.status_code == 400 and 'value="aaaaaaaa' in refused.text


def test_recording_is_offered_and_accepted_during_the_campaign_only(world, setup, as_user, clock):
    client = as_user(world.visit_secretary)
    record_url = reverse("visits:record", args=[setup.campaign.pk])
    form = client.get(record_url)
    assert 'min="2026-11-01"' in form.text and 'max="2026-11-25"' in form.text  # not ahead of today
    clock.set("2027-01-08 09:00")  # a week after the last day
    home = client.get(reverse("visits:home"))
    assert record_url not in home.text and "ended on 2026-12-31" in home.text
    page = client.get(reverse("visits:campaign", args=[setup.campaign.pk]))
    assert record_url not in page.text and "ended on 2026-12-31" in page.text
    assert client.get(record_url).status_code == 403
    assert client.post(record_url, form_data(world, visited_on="2026-12-30")).status_code == 403
    assert not Visit.objects.exists()
    clock.set("2026-10-25 09:00")
    assert "starts on 2026-11-01" in client.get(reverse("visits:campaign", args=[setup.campaign.pk])).text
    # The centre is not told why it cannot record: it never does.
    assert "ended on" not in as_user(world.dispatcher).get(reverse("visits:home")).text


def test_the_earlier_visits_are_looked_up_again_when_the_grid_changes(world, setup, as_user):
    page = as_user(world.visit_secretary).get(reverse("visits:record", args=[setup.campaign.pk]))
    address = re.search(r'<input type="text" name="address"[^>]*>', page.text)[0]
    assert 'hx-include="#id_area"' in address and "change from:#id_area" in address


def test_no_more_problem_rows_are_offered_at_the_limit(world, setup, as_user):
    client = as_user(world.visit_secretary)
    row_url = reverse("visits:problem_row")
    ninth = client.get(row_url, {"problem_row": ["1"] * 8}, headers={"HX-Request": "true"})
    assert ninth.text.count('name="problem_text"') == 1 and 'hx-swap-oob="true"' not in ninth.text
    tenth = client.get(row_url, {"problem_row": ["1"] * 9}, headers={"HX-Request": "true"})
    assert tenth.text.count('name="problem_text"') == 1
    assert 'id="add-problem"' in tenth.text and 'hx-swap-oob="true"' in tenth.text  # the button goes
    beyond = client.get(row_url, {"problem_row": ["1"] * 10}, headers={"HX-Request": "true"})
    assert 'name="problem_text"' not in beyond.text and "At most 10 problems" in beyond.text
    # Without JavaScript: at ten rows the form no longer offers the button.
    url = reverse("visits:record", args=[setup.campaign.pk])
    ten = form_data(world, problem_text=[""] * 9, problem_type=["help"] * 9, problem_urgency=["normal"] * 9)
    answer = client.post(url, {**ten, "add_problem": "1"})
    assert answer.text.count('name="problem_text"') == 10 and 'data-testid="add-problem"' not in answer.text
    assert "At most 10 problems" in answer.text


def test_a_problem_typed_beyond_the_limit_is_reported_not_dropped(world, setup, as_user):
    client = as_user(world.visit_secretary)
    texts = [f"问题{i}" for i in range(1, 11)] + ["", "第十二个问题"]
    data = form_data(world, problem_text=texts, problem_type=["help"] * 12, problem_urgency=["normal"] * 12)
    answer = client.post(reverse("visits:record", args=[setup.campaign.pk]), data)
    assert answer.status_code == 400 and "At most 10 problems" in answer.text
    assert "第十二个问题" in answer.text and not Visit.objects.exists()


def test_a_community_visited_by_two_teams_names_both(world, setup, as_user):
    setup.east_assignment.delete()
    Assignment.objects.create(team=setup.east_team, area=world.east_grid)
    Assignment.objects.create(team=setup.west_team, area=world.east_grid2)
    page = as_user(world.dispatcher).get(reverse("visits:campaign", args=[setup.campaign.pk]))
    row = re.search(r'<tr data-row="东城社区">.*?</tr>', page.text, re.S)[0]
    assert "东城走访组、西城走访组" in row


def test_an_earlier_campaigns_visit_is_shown_as_the_history_of_a_door(world, setup, as_user, clock):
    """A secretary of 2027 whose team covers the door reads its visit of 2026, whose campaign
    they took no part in: the visit is shown, its campaign named but not linked."""
    from minyi.org.roles import Role
    from minyi.visits.models import Campaign, Team
    from tests.world import person

    earlier = a_visit(world, setup)
    newcomer = person("visit-new", "新书记", world.east_office, Role.VISIT_SECRETARY, area=world.east)
    later = Campaign.objects.create(
        name="2027年走访", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 3, 31)
    )
    team = Team.objects.create(campaign=later, name="东城新组")
    team.members.set([newcomer])
    team.assignments.create(area=world.east_grid)
    clock.set("2027-01-10 09:00")
    client = as_user(newcomer)
    page = client.get(reverse("visits:visit", args=[earlier.pk]))
    assert page.status_code == 200 and setup.campaign.name in page.text
    assert reverse("visits:campaign", args=[setup.campaign.pk]) not in page.text
    assert client.get(reverse("visits:campaign", args=[setup.campaign.pk])).status_code == 404
    clock.set("2027-04-01 09:00")
    assert client.get(reverse("visits:visit", args=[earlier.pk])).status_code == 404


def test_the_address_lookup_ignores_an_area_that_is_no_id(world, setup, as_user):
    client = as_user(world.visit_secretary)
    url = reverse("visits:household_lookup", args=[setup.campaign.pk])
    for wrong in ("²", "9" * 5000):
        assert client.get(url, {"area": wrong, "address": "幸福小区3号楼2单元501"}).status_code == 200


def test_the_visit_form_takes_photos_and_the_visit_shows_them_to_its_readers_only(
    world, setup, as_user, west_secretary, media
):
    client = as_user(world.visit_secretary)
    record_url = reverse("visits:record", args=[setup.campaign.pk])
    form = client.get(record_url).text
    assert 'enctype="multipart/form-data"' in form
    assert re.search(r'<input type="file" name="photos"[^>]*accept="image/\*"[^>]*multiple', form)
    photo = SimpleUploadedFile("IMG_0001.jpg", images.jpeg(gps=True), content_type="image/jpeg")
    answer = client.post(record_url, {**form_data(world), "photos": [photo]})
    visit = Visit.objects.get()
    assert answer.status_code == 302
    kept = visit.photos.get()
    photo_url = reverse("visits:photo", args=[kept.pk])
    assert f'src="{photo_url}"' in client.get(answer.url).text
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "default-src 'none'" in shown["Content-Security-Policy"]
    assert as_user(world.dispatcher).get(photo_url).status_code == 200
    assert as_user(west_secretary).get(photo_url).status_code == 404  # another team's door


def test_a_refused_photo_is_said_at_its_field_and_the_photos_must_be_chosen_again(
    world, setup, as_user, media
):
    client = as_user(world.visit_secretary)
    fake = SimpleUploadedFile("门口.jpg", images.html_with_a_jpeg_head(), content_type="image/jpeg")
    answer = client.post(
        reverse("visits:record", args=[setup.campaign.pk]), {**form_data(world), "photos": [fake]}
    )
    assert answer.status_code == 400 and not Visit.objects.exists()
    assert "门口.jpg" in answer.text and 'data-testid="photos-dropped"' in answer.text


def test_a_visit_secretary_starts_at_the_visit_form_of_their_running_campaign(world, setup, as_user, clock):
    client = as_user(world.visit_secretary)
    home = client.get("/console/", follow=True)
    assert home.redirect_chain == [("/console/visits/", 302)]
    assert f'data-testid="record-now-{setup.campaign.pk}"' in home.text
    clock.set("2027-01-20 09:00")  # the campaign is over, and late entries too: nothing to record
    assert "record-now" not in client.get("/console/visits/").text
