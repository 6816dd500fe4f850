"""Chinese text as the analysis sees it: one normal form and one tokeniser for every method.

Citizens write raw text ("D12市砖厂协会…"); some data sets come pre-segmented ("市 西湖 建筑 集团");
both must give the same features. So `normalise` removes all whitespace (a pre-segmented text becomes
its raw form again, minus the stop words its segmenter dropped), folds full-width forms and case
(NFKC), and `words` segments the normal form with jieba. Place codes of anonymised data ("A3", "D12")
and numbers are kept as written by `normalise`; `features_text` replaces them with placeholders for
methods that should not learn them.

No Django here: plain functions, plainly tested (tests/analysis/test_text.py).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata

WHITESPACE = re.compile(r"\s+")
CODE = re.compile(r"[A-Za-z]+\d+")  # anonymised places: A3区, D12市
NUMBER = re.compile(r"\d+(?:\.\d+)?")
HAN = re.compile(r"[\u4e00-\u9fff]")

# Function words that carry no topic. Segmented data sets drop them already; raw text keeps them.
_STOP_WORDS_TEXT = """
的 了 是 我 我们 你 你们 您 他 她 它 他们 在 和 与 及 或 吗 呢 吧 啊 么 呀 哦 就 都 也 还 又
而 但 但是 因为 所以 如果 这 那 这个 那个 这些 那些 这样 那样 一个 一些 什么 怎么 怎么办 如何 为什么
哪里 请问 可以 能 能够 要 有 没有 被 把 让 给 对 对于 从 向 到 于 以 为 之 其 该 此 等 等等 已
已经 将 会 很 非常 十分 不 没 无 上 下 中 里 后 前 时 时候 现在 目前 今年 去年 您好 你好 尊敬
领导 谢谢 感谢
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def normalise(text: str | None) -> str:
    """The one normal form: NFKC (full-width letters and digits to ASCII), lower case, no whitespace."""
    joined = WHITESPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    # Taking out the whitespace can put a combining mark next to a letter it composes with ("r ̧"
    # becomes "ŗ"): NFKC once more, so that spacing never makes two normal forms of one text.
    return unicodedata.normalize("NFKC", joined).lower()


def features_text(text: str | None) -> str:
    """The normal form with place codes and numbers replaced (a→ "#", 0→"0"), for learned models."""
    return NUMBER.sub("0", CODE.sub("#", normalise(text)))


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first text."""
    _jieba()


def words(text: str | None, *, drop_stop_words: bool = True, hmm: bool = True) -> list[str]:
    """The words of a text in order (jieba's precise mode) without punctuation and, by default,
    without stop words. Pre-segmented and raw text give the same words. `hmm=False` skips jieba's
    guessing of words its dictionary lacks (names of estates, new terms): three times faster, for
    long texts whose rare names matter less."""
    out = []
    for token in _jieba().lcut(normalise(text), HMM=hmm):
        if not any(ch.isalnum() for ch in token):
            continue
        if drop_stop_words and token in STOP_WORDS:
            continue
        out.append(token)
    return out


def content_words(text: str | None, *, hmm: bool = True) -> list[str]:
    """Words that can name a topic: two characters or more (or a Latin/number token), no stop words."""
    return [w for w in words(text, hmm=hmm) if len(w) > 1 or not HAN.match(w)]


@functools.cache
def _tags() -> dict[str, str]:
    import jieba.posseg

    _jieba()
    return jieba.posseg.dt.word_tag_tab


def word_tag(word: str) -> str | None:
    """The part of speech jieba's dictionary gives a word ("v" verb, "n" noun, "ns" place name, …),
    None for a word it does not know (new words of its HMM, such as most place names)."""
    return _tags().get(word)


# Words every demand uses ("please solve the problem soon"): they say nothing about which problem.
_GENERIC_TEXT = """
反映 问题 情况 希望 解决 要求 处理 相关 部门 政府 市民 居民 群众 网友 请问 尽快 一直 多次 进行 工作
有关 关于 严重 强烈 给予 请求 恳请 投诉 举报 咨询 建议 帮助 帮忙 答复 回复 落实 重视 关注 反应 存在
导致 造成 影响 出现 发生 表示 认为 知道 告知 说明 不能 不会 不是 还是 就是 只是 只有 而且 并且 以及
目前 现在 今天 昨天 最近 近期 每天 天天 时间 地方 事情 东西 方面 单位 领导 同志 您好 你好 谢谢 感谢
"""
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split()) | STOP_WORDS
# Words jieba's corpus never saw (a place code like "a2", an estate's name) get a very high IDF; capped,
# so that one such word cannot outweigh everything else a text says.
MAX_KEYWORD_WEIGHT = 1.0


@functools.cache
def _tfidf():
    from jieba.analyse import TFIDF

    _jieba()
    return TFIDF()


def idf_table() -> tuple[dict[str, float], float]:
    """jieba's inverse document frequencies (a large general corpus) and their median: how rare a
    word is in Chinese at large, for weighing words without statistics of our own."""
    table = _tfidf()
    return table.idf_freq, table.median_idf


def keywords(text: str | None, k: int = 12) -> list[tuple[str, float]]:
    """The k words that best name what a text is about, with weights (TF-IDF; the IDF is the one jieba
    ships, made from a large general corpus, so it needs no statistics of our own), generic demand
    words and numbers left out."""
    found = []
    for word, weight in _tfidf().extract_tags(normalise(text), topK=k * 3, withWeight=True):
        if word in GENERIC_WORDS or len(word) < 2 or NUMBER.fullmatch(word) or len(word) > 24:
            continue
        found.append((word, min(float(weight), MAX_KEYWORD_WEIGHT)))
        if len(found) == k:
            break
    return found


# A lead-in before the matter itself: "网格员巡查发现：", "市民来电反映：", "尊敬的领导：" — a few words
# and a colon at the very start.
LEAD_IN = re.compile(r"^[^：:。！？\n]{1,16}[：:]\s*")


def after_header(title: str, detail: str) -> str:
    """The detail without what every such record starts with: from where it repeats the title's
    start when a header comes first (a problem raised at a visit: "12月3日民情走访（冬季大走访）第285号
    走访记录中反映：<the problem>"), else without a short lead-in ending in a colon (`LEAD_IN`). Those
    words are the same in every such case and would make them all alike."""
    detail = detail or ""
    head = (title or "").strip()[:8]
    if len(head) == 8 and (start := detail.find(head)) > 0:
        return detail[start:]
    return LEAD_IN.sub("", detail, count=1)
