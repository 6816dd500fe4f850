"""Does a knowledge entry answer the demand being typed? (知识库答复的相关性判断)

Ranking alone is not enough at the intake desk: the best-ranked entry for a complaint about a noisy
barbecue may share only "时候" or "小区" with it, and an operator who trusts the first answer reads a
wrong one to the caller. So an entry is shown only when both sides agree:

- the demand covers the entry's question: of the content words of the entry's question (without
  place codes, numbers and question frames such as 怎么办 / 哪个部门 / 咨询…事宜), the demand's text
  contains at least `MIN_QUESTION_COVERAGE` of the weight, and no word heavier than
  `MAX_MISSING_WEIGHT` is missing ("改姓" in 户口小孩改姓: a demand about 户口 alone asks something else);
- the entry covers the demand's key words: of the content words of the demand's title (or, without a
  title, of the description's top keywords), the entry's question, tags and answer contain at least
  `MIN_DEMAND_COVERAGE` of the weight; tags are the editors' way to add the words callers use;
- the covered question weight is at least `MIN_COVERED_WEIGHT` (two topic words, not one).

Words are weighted by the inverse document frequency jieba ships (a large general corpus), so common
words (时候, 需要, 小区) weigh little and topic words (公积金, 居住证, 油烟) much, without statistics
of our own knowledge base, which is far too small to estimate rarity. The thresholds were chosen on
the tune half of a gold set of real messages (bench/knowledge.py, docs/analysis/knowledge.md).

No Django here: plain functions over plain strings (tests/knowledge/test_relevance.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from minyi.analysis import text

MIN_QUESTION_COVERAGE = 0.7
MIN_DEMAND_COVERAGE = 0.7
MIN_COVERED_WEIGHT = 20.0
# A specific word of the question the demand does not say ("改姓" in 户口小孩改姓) means another question.
MAX_MISSING_WEIGHT = 8.0
# Keywords taken from a description when the demand has no title yet.
DESCRIPTION_KEYWORDS = 8
# Words jieba's corpus never saw are mostly names (estates, villages) or its guesses at a new word:
# they weigh little, so that one odd name cannot make or break a match; known words are capped.
MAX_WEIGHT = 10.0
UNKNOWN_WEIGHT = 4.0

# How people frame a question, not what it is about.
_FRAME_TEXT = """
怎么办 怎样 怎么样 哪个 哪些 哪儿 多少 多久 多长 几点 需要 什么样 如何 能否 是否 可否 可不可以 能不能
部门 事宜 事项 问题 咨询 相关 有关 关于 办理 手续 流程 规定 政策 情况 一下 一事 请问 求助 反映
标准 条件 材料 资料 哪里 地方 时间 找 吗 呢
"""
FRAME_WORDS = frozenset(_FRAME_TEXT.split()) | text.GENERIC_WORDS
_NOISE = re.compile(r"^(?:[a-z]+\d*|\d+(?:\.\d+)?)$")  # place codes (a市 → "a"), numbers
# Anonymised or coded places ("A7县", "K11县县"): taken out before segmenting, else jieba glues their
# last character to the next word ("A市买" → "市买").
_PLACE_CODE = re.compile(r"[a-z]+\d*\s*[省市区县镇乡村]+")
# One name for words citizens and answers use for the same thing, so that "驾照" finds "驾驶证".
SYNONYMS = {
    "驾驶证": "驾照",
    "户籍": "户口",
    "医疗保险": "医保",
    "社会保险": "社保",
    "身份证件": "身份证",
    "就读": "入学",
    "就学": "入学",
    "上学": "入学",
    "读书": "入学",
    "小孩": "子女",
    "孩子": "子女",
    "儿童": "子女",
    "婴儿": "新生儿",
}
_SYNONYM = re.compile("|".join(sorted(SYNONYMS, key=len, reverse=True)))


def prepare(value: str) -> str:
    """The normal form (analysis/text.py) without place codes and with one name per synonym."""
    value = _PLACE_CODE.sub("，", text.normalise(value))
    return _SYNONYM.sub(lambda m: SYNONYMS[m.group(0)], value)


def weight(word: str) -> float:
    idf, _ = text.idf_table()
    return min(idf.get(word, UNKNOWN_WEIGHT), MAX_WEIGHT)


def key_words(value: str) -> list[str]:
    """Distinct content words of a text that can say what it is about."""
    seen: dict[str, None] = {}
    for word in text.content_words(prepare(value)):
        if word in FRAME_WORDS or _NOISE.match(word):
            continue
        seen.setdefault(word, None)
    return list(seen)


def demand_key_words(title: str, description: str) -> list[str]:
    """The words of the demand an answer must speak to: its title's, else the description's top
    keywords (a description also tells the story around the question)."""
    found = key_words(title)
    if found:
        return found
    found = text.keywords(prepare(description), k=DESCRIPTION_KEYWORDS)
    return [w for w, _ in found if not _NOISE.match(w) and w not in FRAME_WORDS]


@functools.lru_cache(maxsize=4096)
def _parts(word: str) -> tuple[str, ...]:
    """The shorter words inside a word (贷款额度 → 贷款, 额度), as jieba's search mode finds them."""
    return tuple(p for p in text._jieba().cut_for_search(word) if p != word and len(p) > 1)


def _found(word: str, haystack: str) -> bool:
    # One side may write a compound the other splits ("贷款额度" against "贷款最高额度").
    if word in haystack:
        return True
    covered = [False] * len(word)
    for part in _parts(word):
        if part in haystack:
            start = word.find(part)
            covered[start : start + len(part)] = [True] * len(part)
    return all(covered)


def _coverage(words: list[str], haystack: str) -> tuple[float, float, float]:
    """Share of the words' weight found in the haystack, that weight, and the heaviest word missing."""
    total = sum(weight(w) for w in words)
    if not total:
        return 0.0, 0.0, 0.0
    covered = sum(weight(w) for w in words if _found(w, haystack))
    missing = max((weight(w) for w in words if not _found(w, haystack)), default=0.0)
    return covered / total, covered, missing


@dataclass(frozen=True)
class Relevance:
    question_coverage: float  # share of the entry's question weight found in the demand
    demand_coverage: float  # share of the demand's key-word weight found in the entry
    covered_weight: float  # the question weight found in the demand
    missing_weight: float  # the heaviest word of the entry's question the demand does not say

    @property
    def answers(self) -> bool:
        return (
            self.question_coverage >= MIN_QUESTION_COVERAGE
            and self.demand_coverage >= MIN_DEMAND_COVERAGE
            and self.covered_weight >= MIN_COVERED_WEIGHT
            and self.missing_weight < MAX_MISSING_WEIGHT
        )

    @property
    def strength(self) -> float:
        """Orders entries that all answer: the one whose question the demand asks most fully."""
        return self.question_coverage * self.demand_coverage * self.covered_weight


def relevance(*, title: str, description: str, question: str, tags: str, answer: str) -> Relevance:
    demand = prepare(f"{title} {description}")
    head = prepare(f"{question} {tags.replace(',', ' ').replace('，', ' ')}")
    question_words = key_words(question)
    question_coverage, covered, missing = _coverage(question_words, demand)
    demand_coverage, _, _ = _coverage(demand_key_words(title, description), f"{head} {prepare(answer)}")
    return Relevance(
        round(question_coverage, 4), round(demand_coverage, 4), round(covered, 4), round(missing, 4)
    )
