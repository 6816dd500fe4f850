"""Knowledge-base search in Chinese."""

from __future__ import annotations

import datetime as dt

from minyi.knowledge.models import KnowledgeEntry
from minyi.knowledge.search import search, words


def entry(question, answer, tags="", **kw):
    return KnowledgeEntry.objects.create(question=question, answer=answer, tags=tags, **kw)


def test_words_segment_chinese_and_drop_stop_words():
    tokens = words("请问供暖费怎么缴纳？")
    assert "供暖" in tokens and "缴纳" in tokens
    assert "请问" not in tokens and "？" not in tokens
    assert words("供暖 费 缴纳") == ["供暖", "缴纳"]  # pre-segmented text


def test_search_ranks_the_question_match_first(db):
    fee = entry("供暖费如何缴纳", "可通过热力公司营业厅或手机银行缴纳供暖费。", tags="供暖,缴费")
    entry("供暖期是哪天开始", "本市供暖期为11月15日至次年3月15日，缴纳费用后按时供暖。", tags="供暖")
    entry("医保报销需要什么材料", "携带身份证、医保卡和发票到政务大厅办理。", tags="医保")
    hits = search("暖气费在哪里交 供暖费缴纳")
    assert hits[0].entry == fee
    assert "缴纳" in hits[0].matched
    assert all("医保" not in h.entry.question for h in hits)


def test_search_respects_validity_and_activity(db):
    entry("2025年供暖补贴标准", "每户补贴300元。", valid_until=dt.date(2025, 12, 31))
    current = entry("2026年供暖补贴标准", "每户补贴320元。", valid_from=dt.date(2026, 1, 1))
    entry("供暖补贴旧规定", "已废止。", is_active=False)
    hits = search("供暖补贴标准", on=dt.date(2026, 11, 25))
    assert [h.entry for h in hits] == [current]


def test_an_empty_or_stop_word_query_finds_nothing(db):
    entry("供暖费如何缴纳", "营业厅缴纳。")
    assert search("") == [] and search("请问 怎么") == []
