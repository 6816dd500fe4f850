"""The intake desk: register a call, read back tracking number and query code, see the caller's
earlier cases, answer from the knowledge base after reading the answer."""

from __future__ import annotations

import re

from django.urls import reverse

from minyi.cases.models import Case
from minyi.cases.workflow import Status
from minyi.console.views import intake
from minyi.knowledge.models import KnowledgeEntry
from tests.cases.helpers import new_case
from tests.console.helpers import client_for, text_of
from tests.org.helpers import build_lakeside

CALL = {
    "requester_phone": "13912345678",
    "requester_name": "李四",
    "channel": "hotline",
    "demand_type": "complaint",
    "urgency": "normal",
    "title": "楼道灯坏了",
    "description": "东城社区5号楼二单元楼道灯坏了一个月，晚上看不见路。",
    "category": "0102",
}
# A question the knowledge base may answer on the spot (a complaint it may not).
QUESTION = {
    **CALL,
    "demand_type": "inquiry",
    "title": "楼道灯坏了找谁修",
    "description": "楼道灯坏了，问一下找谁修。",
}


def test_registering_a_call_shows_the_numbers_to_read_back(world, clock):
    client = client_for(world.operator)
    response = client.post("/console/intake/", {**CALL, "area": world.east_grid.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/intake/?done={case.pk}"
    page = client.get(response["Location"])
    text = text_of(page)
    assert case.tracking_number in text and case.query_code in text
    assert case.created_by == world.operator and case.area == world.east_grid
    assert case.status == Status.RECEIVED


def test_a_bad_form_says_what_to_fix_and_stores_nothing(world, clock):
    response = client_for(world.operator).post("/console/intake/", {**CALL, "requester_phone": "call-me"})
    assert response.status_code == 200 and Case.objects.count() == 0
    assert response.context["form"].errors["requester_phone"]
    nameless = client_for(world.operator).post(
        "/console/intake/", {**CALL, "requester_phone": "", "requester_name": ""}
    )
    assert nameless.context["form"].errors and Case.objects.count() == 0


def test_the_callers_earlier_cases_appear_as_the_phone_is_typed(world, clock):
    earlier = new_case(world.operator, requester_phone="13912345678", title="去年的供暖投诉")
    response = client_for(world.operator).get("/console/intake/history/", {"requester_phone": "13912345678"})
    assert earlier.tracking_number in text_of(response)
    none = client_for(world.operator).get("/console/intake/history/", {"requester_phone": "13900000000"})
    assert earlier.tracking_number not in text_of(none)


def test_answering_directly_from_the_knowledge_base_shows_the_answer_to_confirm_first(world, clock):
    entry = KnowledgeEntry.objects.create(
        question="楼道灯坏了找谁修", answer="楼道灯由物业公司负责维修，可拨打物业服务电话报修。"
    )
    operator = client_for(world.operator)
    hits = operator.post("/console/intake/knowledge/", {"q": "楼道灯坏了", "demand_type": "inquiry"})
    assert entry.question in text_of(hits) and f'"preview": "{entry.pk}"' in hits.content.decode()
    preview = operator.post("/console/intake/knowledge/", {**QUESTION, "preview": entry.pk})
    html = preview.content.decode()
    assert entry.answer in text_of(preview) and 'name="answer_text"' in html
    assert f'name="confirm_answer" value="{entry.pk}"' in html
    digest = intake.demand_digest(QUESTION["title"], QUESTION["description"])
    assert f'name="demand_digest" form="intake-form" value="{digest}"' in html
    # the old one-click button registered and closed the case at once: now it only shows the answer
    one_click = operator.post("/console/intake/", {**QUESTION, "answer_with": entry.pk})
    assert one_click.status_code == 200 and Case.objects.count() == 0
    assert f'name="confirm_answer" value="{entry.pk}"' in one_click.content.decode()
    assert one_click.context["form"]["title"].value() == QUESTION["title"]  # nothing typed is lost
    edited = "楼道灯由物业公司负责维修，物业电话：0371-66001234。"
    confirmed = {**QUESTION, "confirm_answer": entry.pk, "answer_text": edited, "demand_digest": digest}
    response = operator.post("/console/intake/", confirmed)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == Status.REPLIED and case.reply_text == edited
    assert case.events.last().data["knowledge_entry"] == entry.pk


def test_an_empty_confirmed_answer_closes_nothing(world, clock):
    entry = KnowledgeEntry.objects.create(question="楼道灯坏了找谁修", answer="物业公司负责维修。")
    digest = intake.demand_digest(QUESTION["title"], QUESTION["description"])
    response = client_for(world.operator).post(
        "/console/intake/",
        {**QUESTION, "confirm_answer": entry.pk, "answer_text": "  ", "demand_digest": digest},
    )
    assert response.status_code == 200 and Case.objects.count() == 0
    assert response.context["form"].non_field_errors()


def test_the_plain_register_button_ignores_an_answer_left_in_the_preview(world, clock):
    KnowledgeEntry.objects.create(question="楼道灯坏了找谁修", answer="物业公司负责维修。")
    response = client_for(world.operator).post(
        "/console/intake/", {**CALL, "answer_text": "物业公司负责维修。"}
    )
    assert response.status_code == 302 and Case.objects.get().status == Status.RECEIVED


def test_the_demand_typed_shows_only_an_entry_that_answers_it(world, clock):
    KnowledgeEntry.objects.create(
        question="城乡居民医保什么时候缴费？",
        answer="每年9月1日至12月31日为下一年度集中缴费期，可通过税务APP、微信或社区代收点缴纳。",
        tags="居民医保,缴费,缴费期",
    )
    loan = KnowledgeEntry.objects.create(
        question="公积金贷款最高额度是多少？",
        answer="住房公积金贷款最高额度为单方缴存60万元、双方缴存70万元。",
    )
    operator = client_for(world.operator)
    fumes = operator.get(
        "/console/intake/knowledge/",
        {
            "title": "小区门口饭店油烟太大",
            "description": "烧烤店的油烟进窗户，什么时候才能有人管？每年夏天都这样。",
        },
    )
    assert "医保" not in text_of(fumes) and 'data-testid="knowledge-entry"' not in fumes.content.decode()
    asked = operator.get(
        "/console/intake/knowledge/",
        {"title": "公积金贷款额度怎么算", "description": "想用住房公积金贷款买房，请问最高额度能贷多少？"},
    )
    assert loan.question in text_of(asked) and "医保" not in text_of(asked)
    # the title counts even when a description is typed: the old desk searched the description alone
    titled = operator.get(
        "/console/intake/knowledge/", {"title": "公积金贷款最高额度是多少", "description": "想买房，问一下。"}
    )
    assert loan.question in text_of(titled)


def test_a_late_knowledge_answer_cannot_overwrite_a_newer_one(world, clock):
    # every field that asks for knowledge answers shares one queue: a new request aborts the older
    page = client_for(world.operator).get("/console/intake/").content.decode()
    assert page.count('hx-target="#knowledge"') == page.count('hx-sync="#knowledge:replace"') == 4


def test_a_grid_worker_registers_in_their_own_grid_only(world, clock):
    client = client_for(world.grid_worker)
    assert client.get("/console/intake/").context["form"].initial["channel"] == "grid"
    outside = client.post("/console/intake/", {**CALL, "channel": "grid", "area": world.west_grid.pk})
    assert outside.status_code == 200 and Case.objects.count() == 0
    assert outside.context["form"].non_field_errors()
    inside = client.post("/console/intake/", {**CALL, "channel": "grid", "area": world.east_grid.pk})
    assert inside.status_code == 302 and Case.objects.get().channel == "grid"


def test_the_form_speaks_to_whoever_fills_it_in(world, clock):
    grid = text_of(client_for(world.grid_worker).get("/console/intake/"))
    assert "诉求人电话" in grid and "来电号码" not in grid and "Alt+N" not in grid
    operator = text_of(client_for(world.operator).get("/console/intake/"))
    assert "来电号码" in operator and "Alt+N" in operator


def test_the_query_code_is_shown_only_for_the_users_own_fresh_registration(world, clock):
    others = new_case(world.dispatcher, area=world.east_grid)
    client = client_for(world.operator)
    assert client.get(f"/console/intake/?done={others.pk}").context["done"] is None
    client.post("/console/intake/", CALL)
    mine = Case.objects.get(created_by=world.operator)
    assert client.get(f"/console/intake/?done={mine.pk}").context["done"] == mine
    clock.advance(hours=2)
    assert client.get(f"/console/intake/?done={mine.pk}").context["done"] is None


def test_caller_history_hides_confidential_reports_outside_the_centre(world, clock):
    report = new_case(
        world.operator, demand_type="report", requester_phone="13912345678", area=world.east_grid
    )
    grid = client_for(world.grid_worker).get("/console/intake/history/", {"requester_phone": "13912345678"})
    assert report.tracking_number not in text_of(grid)
    centre = client_for(world.operator).get("/console/intake/history/", {"requester_phone": "13912345678"})
    assert report.tracking_number in text_of(centre)


def test_a_phone_number_that_is_not_whole_is_shown_with_the_other_mistakes(world, clock):
    """A cut-off or mistyped number is no way to call back, and no caller history finds it."""
    client = client_for(world.operator)
    for typed in ("1888654", "abc-12", "139123456789"):
        response = client.post("/console/intake/", {**CALL, "requester_phone": typed, "title": ""})
        errors = response.context["form"].errors
        assert errors["requester_phone"] and errors["title"], typed  # both at once, not one by one
    assert Case.objects.count() == 0
    client.post("/console/intake/", {**CALL, "requester_phone": "+86 139-1234-5678"})
    assert Case.objects.get().requester_phone == "13912345678"


def test_ids_in_the_address_that_are_no_ids_are_ignored(world, clock):
    client = client_for(world.operator)
    for wrong in ("²", "٣", "9" * 5000):
        assert client.get("/console/intake/", {"done": wrong}).status_code == 200
        suggested = client.get("/console/intake/suggest/", {"title": "暖气不热", "area": wrong})
        assert suggested.status_code == 200


def test_an_answer_opened_for_one_demand_never_closes_another(world, clock):
    # The outside check opened the answer of a 医保 question, rewrote the demand as a noise
    # complaint, confirmed — and closed the complaint with the insurance dates.
    entry = KnowledgeEntry.objects.create(question="城乡居民医保什么时候缴费？", answer="每年9月至12月缴费。")
    operator = client_for(world.operator)
    asked = {**QUESTION, "title": "城乡居民医保什么时候缴费", "description": "想问今年医保什么时候缴费。"}
    html = operator.post("/console/intake/knowledge/", {**asked, "preview": entry.pk}).content.decode()
    digest = intake.demand_digest(asked["title"], asked["description"])
    assert digest in html
    rewritten = {**asked, "title": "楼上邻居半夜噪音", "description": "楼上每天半夜拖椅子，吵得睡不着。"}
    stale = operator.post(
        "/console/intake/",
        {**rewritten, "confirm_answer": entry.pk, "answer_text": entry.answer, "demand_digest": digest},
    )
    assert stale.status_code == 200 and Case.objects.count() == 0
    assert (
        "changed" in " ".join(stale.context["form"].non_field_errors())
        or stale.context["form"].non_field_errors()
    )
    # a new knowledge panel for the rewritten demand also empties the preview (out of band)
    panel = operator.post("/console/intake/knowledge/", rewritten).content.decode()
    assert 'id="knowledge-preview"' in panel and 'hx-swap-oob="true"' in panel


def test_a_complaint_is_not_closed_with_a_knowledge_answer(world, clock):
    entry = KnowledgeEntry.objects.create(question="楼道灯坏了找谁修", answer="物业公司负责维修。")
    operator = client_for(world.operator)
    panel = operator.post("/console/intake/knowledge/", {**CALL, "q": "楼道灯坏了"})
    assert entry.question in text_of(panel) and 'data-testid="answer-directly"' not in panel.content.decode()
    digest = intake.demand_digest(CALL["title"], CALL["description"])
    refused = operator.post(
        "/console/intake/",
        {**CALL, "confirm_answer": entry.pk, "answer_text": entry.answer, "demand_digest": digest},
    )
    assert refused.status_code == 200 and Case.objects.count() == 0


def test_a_long_pasted_letter_reaches_every_panel(world, clock):
    # Sent in the address, about 450 characters of Chinese were answered 414 and the panels kept
    # showing what they had found for the text before.
    letter = {
        "title": "反映小区暖气不热的问题",
        "description": "暖气不热，" * 700,
        "demand_type": "complaint",
    }
    operator = client_for(world.operator)
    for name in ("console:knowledge", "console:category_suggestion", "console:similar"):
        assert operator.post(reverse(name), letter).status_code == 200, name
    page = operator.get("/console/intake/").content.decode()
    assert 'hx-get="/console/intake/similar/"' not in page and 'hx-post="/console/intake/similar/"' in page


def place_select(html: str) -> str:
    return re.search(r'<select name="area".*?</select>', html, re.S).group(0)


def test_the_place_picker_groups_street_and_community_and_lists_grids_in_order(world, clock):
    _community, grids, _garden = build_lakeside(world)  # grids made out of order
    select = place_select(client_for(world.operator).get("/console/intake/").content.decode())
    assert "data-place-picker" in select
    names = re.findall(r">(湖畔社区第.{1,3}网格)</option>", select)
    assert names == [g.name for g in grids]  # 第二网格 before 第十网格, whatever the ids
    assert '<optgroup label="东城街道 · 湖畔社区">' in select
    # the words the filter looks in, pinyin initials included: "hp" finds 湖畔 without a dictionary
    assert (
        f'value="{grids[1].pk}" data-place="东城街道 湖畔社区 湖畔社区第二网格 dcjd hpsq hpsqdewg"' in select
    )


def test_the_case_list_offers_places_no_longer_in_use_for_past_cases(world, clock):
    build_lakeside(world)
    world.west_grid.is_active = False
    world.west_grid.save()
    intake = place_select(client_for(world.operator).get("/console/intake/").content.decode())
    search = place_select(client_for(world.operator).get("/console/cases/").content.decode())
    assert f'value="{world.west_grid.pk}"' not in intake and f'value="{world.west_grid.pk}"' in search
    assert re.findall(r">(湖畔社区第.{1,3}网格)</option>", search)[:3] == [
        "湖畔社区第一网格",
        "湖畔社区第二网格",
        "湖畔社区第三网格",
    ]
