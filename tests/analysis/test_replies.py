"""Reply quality (minyi/analysis/replies.py): hand-written demand/reply pairs for every part and every
warning, timeliness on the working-day calendar across National Day 2025, and properties that must hold
on the 2,816 real TipDM 2020 replies (read from ../shared/data; skipped when the file is absent)."""

from __future__ import annotations

import csv
import random
import statistics
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from minyi.analysis.replies import (
    BOILERPLATE_SCORE_CAP,
    OFF_TOPIC_BELOW,
    TOO_SHORT_SCORE_CAP,
    WARNING_MESSAGES,
    WEIGHTS,
    assess_reply,
    document_frequencies,
)
from minyi.workcal.calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


DEMAND = (
    "幸福小区垃圾站垃圾无人清运\n"
    "幸福小区3栋旁的垃圾站已经一周没有清运，垃圾堆满，臭气熏天，蚊蝇滋生，请环卫部门尽快处理。"
)

GREETING = "网友您好！您的留言已收悉。现将有关情况回复如下："
FINDINGS = "经街道城管办现场核实，幸福小区3栋旁垃圾站因清运车辆故障，近一周未能按时清运。"
RESOLVED = "我办已协调区环卫所于5月12日将积存垃圾全部清运，并对垃圾站进行了消杀。"
BASIS = "根据《城市市容和环境卫生管理条例》第二十八条，生活垃圾应当日产日清。"
NEXT_STEP = "下一步，我办将督促环卫所每日清运两次，并安排专人每周巡查垃圾站。"
CONTACT = "如有疑问，请致电街道城管办，联系电话：0731-84123456。"
THANKS = "感谢您对我们工作的支持！"


def reply(*parts: str) -> str:
    return "".join(parts)


GOOD = reply(GREETING, FINDINGS, RESOLVED, BASIS, NEXT_STEP, CONTACT, THANKS)


def codes(text: str, demand: str = DEMAND, **times) -> tuple[str, ...]:
    return assess_reply(demand=demand, reply=text, **times).warning_codes


# -- a full reply ----------------------------------------------------------------------------------


def test_a_full_reply_has_every_part_and_no_warning():
    a = assess_reply(demand=DEMAND, reply=GOOD)
    assert a.warnings == ()
    assert not a.boilerplate
    c = a.completeness
    assert (c.addressed, c.answered, c.based, c.follows_up) == (True, True, True, True)
    assert c.score == 1.0
    assert c.greeting == "网友您好"
    assert c.contact is not None and "0731-84123456" in GOOD
    assert a.basis.score == 1.0
    assert a.basis.citations == ("《城市市容和环境卫生管理条例》", "第二十八条")
    assert a.relevance.score == 1.0
    assert {"垃圾站", "清运"} <= set(a.relevance.found)
    assert a.score >= 90


def test_the_overall_score_is_the_documented_weighted_mean():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    # Without the basis sentence: completeness 3/4 (no basis), basis 0, relevance still full.
    a = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, RESOLVED, NEXT_STEP, CONTACT))
    assert a.relevance.score == 1.0 and a.completeness.score == 0.75 and a.basis.score == 0.0
    # No times given: timeliness drops out and the other weights are re-weighted.
    known = WEIGHTS["relevance"] + WEIGHTS["completeness"] + WEIGHTS["basis"]
    expected = 100 * (WEIGHTS["relevance"] * 1.0 + WEIGHTS["completeness"] * 0.75) / known
    assert a.timeliness.score is None
    assert a.score == round(expected)


def test_every_warning_message_says_what_to_add_in_chinese():
    for code, message in WARNING_MESSAGES.items():
        assert "：请" in message, code


# -- boilerplate and substance ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "网友您好，您的留言已收悉，我们将尽快处理。",
        "已收悉",
        "已转交相关部门。",
        "您好，你所反映的问题已转交相关单位调查处置。",
        "此事正在调查处理中。2019年5月31日",
        "“UU008222”您好！您的帖文已收悉。我办已将您反映的情况转相关部门，处理情况会及时回复给您。感谢您的留言。",
        "网友：您反映的问题已转至市城管局调查核处。2018年4月17日",
    ],
)
def test_acknowledgements_and_forwarding_alone_are_boilerplate(text):
    a = assess_reply(demand=DEMAND, reply=text)
    assert a.boilerplate
    assert a.score <= BOILERPLATE_SCORE_CAP
    assert a.warning_codes[0] == "boilerplate"
    # "Write a real answer" already covers these two.
    assert "too_short" not in a.warning_codes and "off_topic" not in a.warning_codes


def test_a_formula_around_a_real_answer_is_not_boilerplate():
    a = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, RESOLVED, THANKS))
    assert not a.boilerplate
    assert a.completeness.answered
    assert a.completeness.answer is not None and a.completeness.answer.startswith("经街道城管办现场核实")


def test_a_thin_answer_is_too_short_but_not_boilerplate():
    a = assess_reply(demand=DEMAND, reply="您好，请您向区环卫所咨询。")
    assert not a.boilerplate
    assert "too_short" in a.warning_codes
    assert not a.completeness.answered


def test_a_short_relevant_reply_is_capped_below_a_full_one():
    # Relevant, addressed, even cited: but one sentence is not an answer.
    short = assess_reply(demand=DEMAND, reply="网友您好！根据《城市市容和环境卫生管理条例》，垃圾站已清运。")
    assert short.relevance.score == 1.0 and short.basis.score == 1.0
    assert "too_short" in short.warning_codes
    assert short.score <= TOO_SHORT_SCORE_CAP < assess_reply(demand=DEMAND, reply=GOOD).score


def test_the_signature_closing_a_reply_is_not_substance():
    signed = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, "J7县城市管理局2019年1月25日"))
    plain = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS))
    assert signed.substance_chars == plain.substance_chars


# -- relevance -------------------------------------------------------------------------------------


def test_a_reply_on_another_matter_is_off_topic():
    other = (
        "网友您好！经核实，本市公交线路调整方案已于本月公布，新增三条夜间线路，"
        "末班车延长至23时，方便市民夜间出行。"
    )
    a = assess_reply(demand=DEMAND, reply=other)
    assert not a.boilerplate
    assert a.relevance.coverage < OFF_TOPIC_BELOW
    assert "off_topic" in a.warning_codes
    assert "off_topic" not in assess_reply(demand=DEMAND, reply=GOOD).warning_codes


def test_quoting_the_demand_title_is_not_relevance():
    title = "幸福小区垃圾站垃圾无人清运"
    other = "网友您好！经核实，本市公交线路调整方案已于本月公布，新增三条夜间线路，方便市民夜间出行。"
    quoting = f"网友您好！关于您反映的“{title}”一事，" + other.removeprefix("网友您好！")
    a = assess_reply(demand=DEMAND, reply=quoting)
    assert a.relevance.found == ()
    assert "off_topic" in a.warning_codes
    # The quoted title alone, with formulae around it, is still a non-answer.
    assert assess_reply(
        demand=DEMAND, reply=f"您好！您反映的“{title}”问题已收悉，已转相关部门处理。"
    ).boilerplate


def test_relevance_finds_terms_segmented_differently_and_shared_heads():
    demand = "请求为毛田村修建排水沟\n毛田村田地每次下雨都被淹，请求修建排水沟。"
    a = assess_reply(
        demand=demand, reply="网友您好！经查，毛田村的排水沟已列入今年农田水利计划，预计9月完工。"
    )
    assert {"毛田村", "排水沟"} <= set(a.relevance.found)
    # "人工降雨" in the demand, "人工增雨" in the reply: half credit for the shared head.
    rain = assess_reply(
        demand="请求人工降雨\n连日干旱，请求实施人工降雨。",
        reply="您好！县气象局将根据天气条件适时组织人工增雨作业。",
    )
    assert "人工降雨" in rain.relevance.found
    assert 0 < rain.relevance.coverage < 1


def test_relevance_cannot_be_judged_without_demand_text():
    a = assess_reply(demand="", reply=GOOD)
    assert a.relevance.score is None
    assert "off_topic" not in a.warning_codes
    assert a.score > 0


def test_a_district_frequency_table_replaces_the_builtin_idf():
    district = document_frequencies([DEMAND, "幸福小区停车难", "幸福小区物业费上涨", "幸福小区电梯故障"])
    # jieba cuts 幸福小区 into 幸福 + 小区.
    builtin = assess_reply(demand=DEMAND, reply=GOOD)
    learnt = assess_reply(demand=DEMAND, reply=GOOD, frequencies=district)
    # 幸福 is in every text of this district: it says nothing about the topic there.
    assert district.idf("幸福") == pytest.approx(0.0, abs=0.25)
    assert district.idf("垃圾站") is None  # in one text only: unknown, not rare
    assert learnt.relevance.key_terms != builtin.relevance.key_terms
    assert learnt.relevance.score == 1.0


# -- basis -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "citation"),
    [
        ("依据《物业管理条例》，维修资金须经业主大会同意。", "《物业管理条例》"),
        ("按照《西地省常住户口登记管理办法(试行)》办理。", "《西地省常住户口登记管理办法(试行)》"),
        ("该收费符合郴价费〔2012〕2号文件的规定。", "郴价费〔2012〕2号"),
        ("依据湘政发[2019]12号文件执行。", "湘政发[2019]12号"),
        ("按照该法第十二条第二款的规定执行。", "第十二条第二款"),
    ],
)
def test_laws_policies_document_numbers_and_articles_are_cited(sentence, citation):
    a = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, sentence))
    assert citation in a.basis.citations
    assert a.basis.score == 1.0
    assert "no_basis" not in a.warning_codes


def test_a_title_that_is_no_normative_document_is_no_basis():
    a = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, "学校统一征订了《全效学习》。"))
    assert a.basis.citations == ()
    assert "no_basis" in a.warning_codes
    assert not a.completeness.based


def test_a_vague_basis_earns_half_and_asks_for_the_name():
    a = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, "根据有关规定，生活垃圾应当日产日清。"))
    assert a.basis.score == 0.5
    assert a.basis.vague == "根据有关规定"
    assert a.completeness.based
    assert "vague_basis" in a.warning_codes and "no_basis" not in a.warning_codes


# -- the other completeness parts ------------------------------------------------------------------


def test_a_reply_that_does_not_address_the_requester():
    a = assess_reply(demand=DEMAND, reply=GOOD.removeprefix("网友您好！"))
    assert not a.completeness.addressed
    assert "no_greeting" in a.warning_codes
    assert "no_greeting" not in codes("“UU0081234”：" + FINDINGS + NEXT_STEP)


def test_no_next_step_unless_planned_or_resolved():
    assert "no_next_step" in codes(reply(GREETING, FINDINGS, BASIS, CONTACT))
    planned = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, NEXT_STEP))
    assert planned.completeness.next_step is not None and "no_next_step" not in planned.warning_codes
    resolved = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, RESOLVED))
    assert resolved.completeness.resolved is not None and "no_next_step" not in resolved.warning_codes
    assert resolved.completeness.follows_up


def test_the_promise_of_a_formula_is_no_next_step():
    a = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, "我们将尽快处理。"))
    assert a.completeness.next_step is None
    assert "no_next_step" in a.warning_codes


def test_a_contact_is_a_phone_number_or_whom_to_call():
    assert "no_contact" in codes(reply(GREETING, FINDINGS, NEXT_STEP))
    assert "no_contact" not in codes(reply(GREETING, FINDINGS, "请拨打0000-00000000咨询。"))
    assert "no_contact" not in codes(reply(GREETING, FINDINGS, "联系人：王科长，13812345678。"))
    # An anonymised user id is not a phone number.
    assert "no_contact" in codes("“UU0081855”您好！" + FINDINGS + NEXT_STEP)
    only_contact = assess_reply(demand=DEMAND, reply=reply(GREETING, FINDINGS, CONTACT))
    assert only_contact.completeness.follows_up and only_contact.completeness.next_step is None


# -- timeliness on the working-day calendar --------------------------------------------------------

# 2025: 1–8 October off (National Day with Mid-Autumn), Saturday 11 October a make-up working day.
RECEIVED = at("2025-09-30 09:00")
DUE = WorkCalendar().due_after(RECEIVED, 3, "working_days")


def test_the_deadline_runs_over_national_day_to_the_make_up_saturday():
    assert at("2025-10-11 18:00") == DUE  # 9, 10 and (Saturday) 11 October


def test_a_reply_on_the_make_up_saturday_is_on_time():
    a = assess_reply(
        demand=DEMAND, reply=GOOD, received_at=RECEIVED, replied_at=at("2025-10-11 10:00"), due_at=DUE
    )
    t = a.timeliness
    # 30 Sep 7.5 h + 9 and 10 Oct 8 h each + 11 Oct 1.5 h = 25 h = 3.125 working days of 8 h.
    assert t.working_days == pytest.approx(3.125, abs=0.01)
    assert t.allowed_working_days == pytest.approx(31.5 / 8, abs=0.01)
    assert t.within_deadline is True
    assert t.score == 1.0
    assert "late" not in a.warning_codes


def test_the_holiday_week_does_not_count():
    # Eight calendar days, of which only 17:00–18:00 on 30 September is working time.
    a = assess_reply(
        demand=DEMAND, reply=GOOD, received_at=at("2025-09-30 17:00"), replied_at=at("2025-10-08 17:00")
    )
    assert a.timeliness.working_days == pytest.approx(1 / 8, abs=0.01)
    assert a.timeliness.within_deadline is True


def test_a_reply_after_the_deadline_is_late_and_says_by_how_much():
    a = assess_reply(
        demand=DEMAND, reply=GOOD, received_at=RECEIVED, replied_at=at("2025-10-14 18:00"), due_at=DUE
    )
    t = a.timeliness
    assert t.within_deadline is False
    # 25.5 h to the end of 11 October (due) + 13 and 14 October: 47.5 h, two working days late.
    assert t.working_days == pytest.approx(47.5 / 8, abs=0.01)
    assert t.score == 0.3
    late = dict(a.warnings)["late"]
    assert late.startswith("答复超过办理时限2个工作日")
    on_time = assess_reply(
        demand=DEMAND, reply=GOOD, received_at=RECEIVED, replied_at=at("2025-10-11 10:00"), due_at=DUE
    )
    assert a.score < on_time.score


def test_the_calendar_passed_in_decides_the_working_days():
    # An administrator override makes the make-up Saturday a day off: the default deadline moves.
    no_make_up = WorkCalendar(overrides={date(2025, 10, 11): False})
    kw = {"demand": DEMAND, "reply": GOOD, "received_at": RECEIVED, "replied_at": at("2025-10-11 17:00")}
    with_make_up = assess_reply(**kw).timeliness
    without = assess_reply(**kw, calendar=no_make_up).timeliness
    # 30 Sep 7.5 h, 9 and 10 Oct 8 h each, and 11 Oct until 17:00 (7 h) only if it is a working day.
    assert with_make_up.working_days == pytest.approx(30.5 / 8, abs=0.01)
    assert without.working_days == pytest.approx(23.5 / 8, abs=0.01)
    assert without.due_at != with_make_up.due_at


def test_without_a_deadline_the_default_limit_applies():
    a = assess_reply(demand=DEMAND, reply=GOOD, received_at=RECEIVED, replied_at=at("2025-10-13 10:00"))
    assert a.timeliness.due_at == WorkCalendar().due_after(RECEIVED, 15, "working_days")
    assert a.timeliness.within_deadline is True


def test_timeliness_needs_both_times():
    a = assess_reply(demand=DEMAND, reply=GOOD, received_at=RECEIVED)
    assert a.timeliness.score is None and a.timeliness.working_days is None
    assert "late" not in a.warning_codes


# -- the real replies ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a plain method on a whole file: measured once, in the SQLite run")
    if not DATA.is_file():
        pytest.skip(f"the TipDM 2020 data set is not at {DATA}")
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assessed = [assess_reply(demand=_demand(row), reply=row["reply"]) for row in rows]
    return rows, assessed


def _demand(row: dict[str, str]) -> str:
    return f"{row['title']}\n{row['detail']}"


def test_the_real_file_has_its_2816_replies(real):
    rows, _ = real
    assert len(rows) == 2816


def test_boilerplate_fires_on_short_acknowledgements_and_on_few_real_replies(real):
    rows, assessed = real
    acknowledgements = [
        a for row, a in zip(rows, assessed, strict=True) if len(row["reply"]) <= 15 and "收悉" in row["reply"]
    ]
    assert len(acknowledgements) >= 30  # "网友：您好！留言已收悉" is common in the file
    assert all(a.boilerplate for a in acknowledgements)
    rate = sum(a.boilerplate for a in assessed) / len(assessed)
    assert 0.03 < rate < 0.15, rate


def test_long_real_replies_are_not_boilerplate(real):
    rows, assessed = real
    long = [a for row, a in zip(rows, assessed, strict=True) if len(row["reply"]) >= 300]
    assert len(long) > 1000
    assert sum(a.boilerplate for a in long) / len(long) < 0.01


def test_real_replies_citing_regulations_get_basis(real):
    rows, assessed = real
    citing = [
        a
        for row, a in zip(rows, assessed, strict=True)
        if any(f"{kind}》" in row["reply"] for kind in ("条例", "办法", "法"))
    ]
    assert len(citing) > 150
    assert sum(a.basis.score == 1.0 for a in citing) / len(citing) > 0.95
    assert sum(bool(a.basis.citations) for a in assessed) / len(assessed) > 0.15


def test_shuffled_pairs_score_much_lower_relevance_than_true_pairs(real):
    rows, assessed = real
    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    shuffled = [assess_reply(demand=_demand(rows[i]), reply=rows[j]["reply"]) for i, j in enumerate(order)]
    true_mean = statistics.mean(a.relevance.coverage for a in assessed)
    shuffled_mean = statistics.mean(a.relevance.coverage for a in shuffled)
    assert true_mean > 0.25 and shuffled_mean < 0.05
    assert true_mean > 8 * shuffled_mean
    # Most real answers are on topic; most shuffled ones are not.
    substantive = [i for i, a in enumerate(assessed) if not a.boilerplate]
    assert sum("off_topic" in assessed[i].warning_codes for i in substantive) / len(substantive) < 0.2
    assert sum("off_topic" in shuffled[i].warning_codes for i in substantive) / len(substantive) > 0.8


def test_shuffled_pairs_are_also_apart_with_a_table_learnt_from_the_district(real):
    rows, _ = real
    district = document_frequencies(_demand(row) for row in rows)
    sample = rows[:400]
    true = [assess_reply(demand=_demand(r), reply=r["reply"], frequencies=district) for r in sample]
    shuffled = [
        assess_reply(demand=_demand(r), reply=sample[(i + 200) % len(sample)]["reply"], frequencies=district)
        for i, r in enumerate(sample)
    ]
    assert statistics.mean(a.relevance.coverage for a in true) > 8 * statistics.mean(
        a.relevance.coverage for a in shuffled
    )


def test_full_real_replies_score_above_boilerplate_ones(real):
    _, assessed = real
    full = [
        a for a in assessed if a.basis.citations and a.completeness.follows_up and a.completeness.addressed
    ]
    boilerplate = [a for a in assessed if a.boilerplate]
    assert len(full) > 200
    assert statistics.median(a.score for a in full) >= 70
    assert max(a.score for a in boilerplate) <= BOILERPLATE_SCORE_CAP
    assert 40 <= statistics.median(a.score for a in assessed) <= 80


def test_real_working_days_never_exceed_calendar_days(real):
    rows, _ = real
    calendar = WorkCalendar()
    for row in rows[:300]:
        if not (row["created_at"] and row["replied_at"]):
            continue
        received, replied = at(row["created_at"]), at(row["replied_at"])
        t = assess_reply(
            demand="", reply=row["reply"], received_at=received, replied_at=replied, calendar=calendar
        )
        assert 0 <= t.timeliness.working_days <= (replied - received).total_seconds() / 86400 + 1


def test_assessing_a_real_reply_takes_well_under_10_ms(real):
    rows, _ = real
    sample = rows[:500]
    began = time.perf_counter()
    for row in sample:
        assess_reply(demand=_demand(row), reply=row["reply"])
    assert (time.perf_counter() - began) / len(sample) < 0.010
