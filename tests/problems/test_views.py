"""The register pages over HTTP: the unit's own register with filters and counts, entering and
changing problems and measures, and the refusals for readers and outsiders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings

from minyi.problems.models import Measure, Problem, ProblemCategory
from tests.console.helpers import client_for, text_of

URL = "/console/problems/"


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rows(response) -> list[str]:
    return re.findall(r'data-problem="([^"]+)"', response.content.decode())


def test_a_keeper_lands_on_the_own_register_with_counts(world, register):
    response = english(world.insurance_handler).get(URL)
    assert response.status_code == 200
    assert response.context["unit"] == world.insurance
    assert rows(response) == ["2026-004", "2026-003", "2026-002", "2026-001"]
    assert response.context["counts"].totals.total == 4
    text = text_of(response)
    assert "Problem register · 区医保局" in text and "Enter a problem" in text
    assert "顶层住户室温偏低" not in text  # the heating company's problem
    assert 'aria-current="page"' in response.content.decode()  # the menu entry is highlighted


def test_filters_over_http(world, register):
    client = english(world.insurance_handler)
    assert rows(client.get(URL, {"status": "rectifying"})) == ["2026-002"]
    assert rows(client.get(URL, {"category": register.enrolment.pk})) == ["2026-003"]
    assert rows(client.get(URL, {"source": "case", "q": "报销"})) == ["2026-001"]
    assert rows(client.get(URL, {"category": register.heating_problem.category_id})) == []  # not a choice


def test_an_outsider_sees_no_register_of_another_unit(world, register):
    client = english(world.heating_handler)
    assert client.get(URL, {"unit": world.insurance.pk}).status_code == 404
    assert client.get(f"{URL}{register.rude.pk}/").status_code == 404
    assert client.get(f"{URL}measures/{register.measure.pk}/").status_code == 404
    response = client.post(f"{URL}{register.rude.pk}/status/", {"status": "rectifying"})
    assert response.status_code == 404
    assert Problem.objects.get(pk=register.rude.pk).status == "open"
    assert english(world.operator).get(URL).status_code == 404  # keeps no register and reads none


def test_a_supervisor_reads_every_register_but_writes_none(world, register):
    client = english(world.supervisor)
    overview = client.get(URL)
    assert [s.name for s in overview.context["summaries"]] == ["区医保局", "热力公司"]
    page = client.get(URL, {"unit": world.insurance.pk})
    assert rows(page) == ["2026-004", "2026-003", "2026-002", "2026-001"]
    assert "Enter a problem" not in text_of(page)
    problem_page = client.get(f"{URL}{register.from_case.pk}/")
    assert problem_page.status_code == 200 and "status_form" not in problem_page.context
    assert client.post(f"{URL}{register.rude.pk}/status/", {"status": "rectifying"}).status_code == 403
    assert client.post(f"{URL}new/", {"title": "x"}).status_code == 403
    assert client.post(f"{URL}categories/?unit={world.insurance.pk}", {"name": "新分类"}).status_code == 403
    assert Problem.objects.get(pk=register.rude.pk).status == "open"
    assert not ProblemCategory.objects.filter(name="新分类").exists()


def test_entering_a_problem_from_a_case(world, register, clock):
    client = english(world.insurance_handler)
    form = client.get(f"{URL}new/", {"case": register.case.tracking_number})
    assert form.context["form"].initial["tracking_number"] == register.case.tracking_number
    response = client.post(
        f"{URL}new/",
        {
            "title": "报销进度无法查询",
            "category": register.settlement.pk,
            "source": "case",
            "tracking_number": register.case.tracking_number,
            "found_on": "2026-11-24",
            "description": "群众多次来电询问进度。",
        },
    )
    problem = Problem.objects.get(title="报销进度无法查询")
    assert response.status_code == 302 and response["Location"] == f"{URL}{problem.pk}/"
    assert (problem.number, problem.case, problem.unit) == ("2026-005", register.case, world.insurance)
    page = client.get(response["Location"])
    assert "Problem 2026-005 is entered." in text_of(page)
    assert page.context["case_visible"]


def test_a_refused_problem_shows_the_message_on_its_field(world, register):
    client = english(world.insurance_handler)
    response = client.post(
        f"{URL}new/",
        {
            "title": "别人的工单",
            "category": register.settlement.pk,
            "source": "case",
            "tracking_number": "209901-999999",
            "found_on": "2026-11-24",
        },
    )
    assert response.status_code == 400
    assert "outside your scope" in " ".join(response.context["form"].errors["tracking_number"])
    assert not Problem.objects.filter(title="别人的工单").exists()


def test_changing_the_status_on_the_problem_page(world, register):
    client = english(world.insurance_handler)
    url = f"{URL}{register.rude.pk}/status/"
    refused = client.post(url, {"status": "closed", "note": ""})
    assert refused.status_code == 400
    assert "Say why" in text_of(refused)
    done = client.post(url, {"status": "rectified", "on": "2026-11-24", "note": "已约谈"})
    assert done.status_code == 302
    problem = Problem.objects.get(pk=register.rude.pk)
    assert (problem.status, problem.rectified_on) == ("rectified", dt.date(2026, 11, 24))
    page = client.get(f"{URL}{problem.pk}/")
    assert [value for value, _label in page.context["status_form"].fields["status"].choices] == [
        "open",
        "rectifying",
    ]


def test_measures_are_recorded_linked_and_unlinked(world, register):
    client = english(world.insurance_handler)
    prefilled = client.get(f"{URL}measures/", {"problem": register.filing.pk})
    assert prefilled.context["form"].initial["problems"] == "2026-003"
    response = client.post(
        f"{URL}measures/",
        {
            "title": "出生一件事联办",
            "responsible": "王海",
            "due_on": "2026-12-20",
            "problems": "2026-003，2026-004",
        },
    )
    measure = Measure.objects.get(title="出生一件事联办")
    assert response.status_code == 302
    assert sorted(measure.problems.values_list("number", flat=True)) == ["2026-003", "2026-004"]
    bad = client.post(f"{URL}measures/", {"title": "x", "responsible": "y", "problems": "2026-404"})
    assert bad.status_code == 400 and "2026-404" in text_of(bad)
    client.post(f"{URL}{register.queue.pk}/measures/", {"measure": measure.pk, "action": "link"})
    client.post(f"{URL}{register.filing.pk}/measures/", {"measure": measure.pk, "action": "unlink"})
    assert sorted(measure.problems.values_list("number", flat=True)) == ["2026-002", "2026-004"]
    listing = client.get(f"{URL}measures/")
    assert "出生一件事联办" in text_of(listing) and "推行床旁结算" in text_of(listing)


def test_editing_a_measure_marks_it_done(world, register):
    client = english(world.insurance_handler)
    url = f"{URL}measures/{register.measure.pk}/"
    response = client.post(
        url, {"title": "推行床旁结算", "responsible": "赵静", "done_on": "2026-11-20", "problems": "2026-002"}
    )
    assert response.status_code == 302
    page = client.get(url)
    assert page.context["state"] == "done"
    assert [p.number for p in page.context["problems"]] == ["2026-002"]
    assert english(world.leader).post(url, {"title": "x", "responsible": "y"}).status_code == 403


def test_categories_page_adds_renames_and_retires(world, register):
    client = english(world.insurance_handler)
    assert client.post(f"{URL}categories/", {"name": "生育保险"}).status_code == 302
    duplicate = client.post(f"{URL}categories/", {"name": "生育保险"})
    assert duplicate.status_code == 400 and "already has" in text_of(duplicate)
    client.post(f"{URL}categories/", {"category": register.window.pk, "name": "窗口服务态度"})
    window = ProblemCategory.objects.get(pk=register.window.pk)
    assert (window.name, window.is_active) == ("窗口服务态度", False)  # the box was not ticked
    choices = dict(client.get(f"{URL}new/").context["form"].fields["category"].choices)
    assert "窗口服务态度" not in choices.values() and "生育保险" in choices.values()


def test_the_case_page_lists_the_register_entries_made_from_it(world, register):
    page = english(world.insurance_handler).get(f"/console/cases/{register.case.pk}/")
    assert page.status_code == 200
    related = page.context["related"]
    assert [(r.title, r.url) for r in related] == [
        ("2026-001 异地住院报销到账慢", f"{URL}{register.from_case.pk}/")
    ]
    assert "区医保局" in related[0].note and "To be rectified" in related[0].note


@pytest.mark.parametrize("persona", ["heating_handler", "housing_handler"])
def test_the_case_page_hides_entries_of_registers_the_reader_may_not_see(world, register, persona):
    from minyi.problems.links import case_links

    assert case_links(getattr(world, persona), register.case) == []
    assert len(case_links(world.leader, register.case)) == 1


def test_a_status_change_from_a_stale_page_shows_the_conflict_and_the_current_state(world, register):
    client = english(world.insurance_handler)
    page = client.get(f"{URL}{register.rude.pk}/")
    shown = page.context["status_form"].initial["version"]
    assert f'name="version" value="{shown}"' in page.content.decode()  # the form carries it
    url = f"{URL}{register.rude.pk}/status/"
    assert client.post(url, {"status": "rectified", "version": shown}).status_code == 302
    stale = client.post(url, {"status": "closed", "note": "误解", "version": shown})
    assert stale.status_code == 409
    assert "2026-004 was changed by someone else" in text_of(stale)
    problem = Problem.objects.get(pk=register.rude.pk)
    assert (problem.status, problem.status_note) == ("rectified", "")
    assert stale.context["problem"].status == "rectified"  # the page shows what is there now
    fresh = stale.context["status_form"]
    assert fresh.initial == {"version": problem.version, "note": "误解"}
    assert [v for v, _label in fresh.fields["status"].choices] == ["open", "rectifying"]


def test_editing_from_a_stale_form_shows_the_entry_as_it_is_now(world, register):
    client = english(world.insurance_handler)
    url = f"{URL}{register.rude.pk}/edit/"
    shown = client.get(url).context["form"].initial
    data = {k: v for k, v in shown.items() if v is not None}
    data.update(found_on="2026-11-20", title="窗口工作人员答复生硬")
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "旧的标题"})
    assert stale.status_code == 409 and "changed by someone else" in text_of(stale)
    assert stale.context["form"].initial["title"] == "窗口工作人员答复生硬"
    assert Problem.objects.get(pk=register.rude.pk).title == "窗口工作人员答复生硬"


def test_a_measure_form_shown_before_a_link_is_a_conflict(world, register):
    client = english(world.insurance_handler)
    url = f"{URL}measures/{register.measure.pk}/"
    form = client.get(url).context["form"]
    assert form.initial["problems"] == "2026-001, 2026-002"
    linked = client.post(
        f"{URL}{register.filing.pk}/measures/", {"measure": register.measure.pk, "action": "link"}
    )
    assert linked.status_code == 302
    stale = client.post(
        url,
        {
            "title": "推行床旁结算",
            "responsible": "赵静",
            "problems": "2026-001, 2026-002",
            "version": form.initial["version"],
        },
    )
    assert stale.status_code == 409 and "changed by someone else" in text_of(stale)
    assert stale.context["form"].initial["problems"] == "2026-001, 2026-002, 2026-003"
    assert sorted(register.measure.problems.values_list("number", flat=True)) == [
        "2026-001",
        "2026-002",
        "2026-003",
    ]


def test_linking_is_refused_to_readers_and_a_second_click_changes_nothing(world, register):
    reader = english(world.supervisor)
    url = f"{URL}{register.filing.pk}/measures/"
    assert reader.post(url, {"measure": register.measure.pk, "action": "link"}).status_code == 403
    assert register.filing not in register.measure.problems.all()
    client = english(world.insurance_handler)
    response = client.post(url, {"measure": register.measure.pk, "action": "unlink"}, follow=True)
    assert "“推行床旁结算” did not address this problem: nothing to unlink." in text_of(response)
    assert "no longer addresses" not in text_of(response)
    client.post(url, {"measure": register.measure.pk, "action": "link"})
    again = client.post(url, {"measure": register.measure.pk, "action": "link"}, follow=True)
    assert "already addresses this problem: nothing changed." in text_of(again)


def test_the_counts_say_what_their_measures_column_counts(world, register):
    keeper = world.insurance_handler
    from minyi.problems import services

    services.measure_create(actor=keeper, title="尚未关联问题的措施", responsible="刘敏")
    services.measure_create(
        actor=keeper, title="两类问题的措施", responsible="刘敏", problem_numbers=["2026-003", "2026-004"]
    )
    page = english(keeper).get(URL)
    assert "Measures on these problems" in text_of(page)
    # The totals row counts the measures on any problem (each once), like the rows; the stat above
    # counts every measure.
    assert re.search(r'data-testid="total-measures">2<', page.content.decode())
    assert re.search(r'data-testid="measures">0 / 3<', page.content.decode())


def test_the_case_page_lists_register_entries_in_number_order(world, register):
    from minyi.problems import services
    from minyi.problems.links import case_links

    later = services.problem_create(
        actor=world.insurance_handler,
        title="报销进度无法查询",
        category=register.settlement,
        source="case",
        tracking_number=register.case.tracking_number,
        found_on=dt.date(2026, 11, 24),
    )
    # As if the register had reached its thousandth and its ninth problem this year.
    Problem.objects.filter(pk=register.from_case.pk).update(sequence=1000, number="2026-1000")
    Problem.objects.filter(pk=later.pk).update(sequence=999, number="2026-999")
    titles = [r.title.split()[0] for r in case_links(world.insurance_handler, register.case)]
    assert titles == ["2026-999", "2026-1000"]  # not the string order, which puts 1000 first


def test_the_search_finds_a_case_number_typed_without_hyphen_or_in_full_width(world, register):
    client = english(world.insurance_handler)
    number = register.from_case.case.tracking_number
    period, sequence = number.split("-")
    wide = number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))

    for typed in (number, period + sequence, wide):
        assert rows(client.get(URL, {"q": typed})) == ["2026-001"], typed
