"""Chinese search over the knowledge base.

Text is segmented with jieba (search mode, so 供暖费 also yields 供暖 and 暖费); each entry keeps its
words in `search_text`. A query is segmented the same way; entries containing any query word are
fetched with the database's substring match and ranked by how many query words they contain,
weighted by rarity (words in fewer entries count more) and by where they occur (question and tags
more than answer). The knowledge base holds thousands of entries, not millions: this needs no
search engine.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from django.db.models import Q

from minyi.core import clock
from minyi.knowledge.relevance import Relevance, key_words, relevance

STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "你",
        "他",
        "她",
        "在",
        "和",
        "与",
        "及",
        "或",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "怎么",
        "如何",
        "什么",
        "哪里",
        "请问",
        "可以",
        "能",
        "要",
        "有",
        "没有",
        "一个",
        "这个",
        "那个",
    ]
)
QUESTION_WEIGHT = 3.0
MAX_QUERY_WORDS = 12
# A demand's title and description give more words than a typed query: every one may find the entry.
MAX_DEMAND_WORDS = 40
CANDIDATES = 30


@functools.cache
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def words(text: str) -> list[str]:
    """Distinct search words of a text, in order: jieba search-mode tokens without stop words and
    punctuation. Pre-segmented text (space separated) gives the same words."""
    seen: dict[str, None] = {}
    for token in _jieba().cut_for_search(text or ""):
        token = token.strip().lower()
        if not token or token in STOP_WORDS or not any(ch.isalnum() for ch in token):
            continue
        if len(token) == 1 and not token.isascii():
            # a single Chinese character matches nearly every entry
            continue
        seen.setdefault(token, None)
    return list(seen)


def index_text(entry) -> str:
    head = " ".join(words(f"{entry.question} {entry.tags.replace(',', ' ').replace('，', ' ')}"))
    body = " ".join(words(entry.answer))
    # Question words first, marked so ranking can weigh them; answer words after the separator.
    return f" {head} | {body} "


@dataclass(frozen=True)
class Hit:
    entry: object
    score: float
    matched: tuple[str, ...]


def _valid_entries(*, category=None, on: dt.date | None = None):
    from minyi.knowledge.models import KnowledgeEntry

    day = on or clock.local(clock.now()).date()
    valid = KnowledgeEntry.objects.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )
    if category is not None:
        valid = valid.filter(category__path__startswith=category.path)
    return valid


def _ranked(query_words: list[str], valid, *, limit: int) -> list[Hit]:
    any_word = Q()
    for word in query_words:
        any_word |= Q(search_text__contains=f" {word} ")
    candidates = list(valid.filter(any_word).select_related("category")[:500])
    total = max(valid.count(), 1)
    frequency = {w: sum(1 for c in candidates if f" {w} " in c.search_text) for w in query_words}
    hits = []
    for entry in candidates:
        head, _, body = entry.search_text.partition("|")
        score, matched = 0.0, []
        for word in query_words:
            idf = math.log(1 + total / (1 + frequency[word]))
            if f" {word} " in head:
                score += QUESTION_WEIGHT * idf
                matched.append(word)
            elif f" {word} " in body:
                score += idf
                matched.append(word)
        if matched:
            hits.append(Hit(entry, round(score, 4), tuple(matched)))
    hits.sort(key=lambda h: (-h.score, h.entry.question))
    return hits[:limit]


def search(query: str, *, limit: int = 10, category=None, on: dt.date | None = None) -> list[Hit]:
    """The best entries for `query`, valid on `on` (today by default), best first: what the operator
    searches for by hand. It ranks; it does not judge whether an entry answers a demand (see
    `answers_for`)."""
    query_words = words(query)[:MAX_QUERY_WORDS]
    if not query_words:
        return []
    return _ranked(query_words, _valid_entries(category=category, on=on), limit=limit)


@dataclass(frozen=True)
class Answer:
    entry: object
    relevance: Relevance


def answers_for(
    *, title: str, description: str, limit: int = 3, category=None, on: dt.date | None = None
) -> list[Answer]:
    """The entries that answer the demand typed so far (title and description together), best first;
    none rather than a wrong one (knowledge/relevance.py says when an entry answers)."""
    title, description = (title or "").strip(), (description or "").strip()
    query_words = list(dict.fromkeys(words(title) + key_words(description)))[:MAX_DEMAND_WORDS]
    if not query_words:
        return []
    found = []
    for hit in _ranked(query_words, _valid_entries(category=category, on=on), limit=CANDIDATES):
        entry = hit.entry
        judged = relevance(
            title=title,
            description=description,
            question=entry.question,
            tags=entry.tags,
            answer=entry.answer,
        )
        if judged.answers:
            found.append(Answer(entry, judged))
    found.sort(key=lambda a: (-a.relevance.strength, a.entry.question))
    return found[:limit]
