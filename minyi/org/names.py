"""How the names of places sort, and how people find them by pinyin: plain functions without Django.

`natural_key(name)` orders names the way people read them. The numbers in a name compare by their
value, written in digits (2, 10, full-width ２) or in Chinese numerals (二, 十, 十一), so 第2网格
comes before 第10网格 and 第二网格 before 第十网格 (by code point 十 would come before 二, 三
before 二). The words around the numbers compare by their pinyin, the order of a Chinese index
(滨河 before 东湖 before 柳园), then by the characters themselves.

A run of Chinese numerals is a number only where it counts something: after 第 (第十网格) or before
a counter word (一组, 东城二网格, 3号楼 is digits anyway). Elsewhere it is part of a word: 百花社区,
十里铺 and 三里屯 are names, and sort by their pinyin with the other names.

`initials(name)` is the name's pinyin initials (拼音首字母), "湖畔社区" → "hpsq": what people type
to find a place. Polyphonic characters are read in context (pypinyin's phrase dictionary: 长乐 is
changle). Both are cached per name: a district has a few hundred places, read on every form.
"""

from __future__ import annotations

import re
from functools import lru_cache

CHINESE_DIGITS = {
    ch: value
    for value, chars in enumerate(("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九"))
    for ch in chars
}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
# What follows a number that counts: 网格, 组 (村民小组), 号, 期, 栋/幢/楼, 单元, 区 (小区的一区),
# 队 (生产队), 巷, 弄, 条 (胡同的二条), 段, 社 (村民小组), 片 (片区).
COUNTER_WORDS = "网组号期栋幢楼单区队巷弄条段社片"
ORDINAL_MARK = "第"

_CHUNKS = re.compile(r"(\d+)|([零〇一二两三四五六七八九十百千]+)")
NUMBER, WORDS = 0, 1


def chinese_number(text: str) -> int:
    """The value of a run of Chinese numerals: 十一 → 11, 二十 → 20, 一百零五 → 105, and digit by
    digit when it has no unit: 二〇二六 → 2026."""
    if not any(ch in CHINESE_UNITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + CHINESE_DIGITS[ch]
        return value
    total = digit = 0
    for ch in text:
        if ch in CHINESE_UNITS:
            total += (digit or 1) * CHINESE_UNITS[ch]
            digit = 0
        else:
            digit = CHINESE_DIGITS[ch]
    return total + digit


def _counts(name: str, start: int, end: int) -> bool:
    """Whether the Chinese numerals at name[start:end] count something (see the module's docstring)."""
    before = name[start - 1] if start > 0 else ""
    after = name[end] if end < len(name) else ""
    return before == ORDINAL_MARK or (after != "" and after in COUNTER_WORDS)


@lru_cache(maxsize=8192)
def natural_key(name: str) -> tuple:
    """A sort key for `name`: numbers by value, words by pinyin (see the module's docstring)."""
    parts: list[tuple] = []
    words = ""
    at = 0
    for match in _CHUNKS.finditer(name):
        digits, chinese = match.group(1), match.group(2)
        if chinese and not _counts(name, match.start(), match.end()):
            continue  # part of a word: stays in the words around it
        words += name[at : match.start()]
        if words:
            parts.append(_words(words))
            words = ""
        parts.append((NUMBER, int(digits) if digits else chinese_number(chinese)))
        at = match.end()
    words += name[at:]
    if words:
        parts.append(_words(words))
    return (*parts, (WORDS, (), name))


def _words(text: str) -> tuple:
    from pypinyin import lazy_pinyin  # its dictionaries are loaded on first use, not at start-up

    return (WORDS, tuple(syllable.lower() for syllable in lazy_pinyin(text)), text)


@lru_cache(maxsize=8192)
def initials(name: str) -> str:
    """The pinyin initials of `name`, lower case: 湖畔社区第一网格 → hpsqdywg; letters and digits in
    the name are kept as they are (A区3号楼 → aq3hl); spaces and punctuation are dropped."""
    from pypinyin import Style, lazy_pinyin

    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return "".join(ch for ch in letters.lower() if ch.isalnum())


def warm_up() -> None:
    """Load pypinyin's dictionaries (a tenth of a second, some 50 MB) before gunicorn forks its workers
    (minyi/wsgi.py): they share those pages instead of each loading them on its first form."""
    initials("湖畔")
