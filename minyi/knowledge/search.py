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


def search(query: str, *, limit: int = 10, category=None, on: dt.date | None = None) -> list[Hit]:
    """The best entries for `query`, valid on `on` (today by default), best first."""
    from minyi.knowledge.models import KnowledgeEntry

    query_words = words(query)[:MAX_QUERY_WORDS]
    if not query_words:
        return []
    day = on or clock.local(clock.now()).date()
    valid = KnowledgeEntry.objects.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )
    if category is not None:
        valid = valid.filter(category__path__startswith=category.path)
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
