"""Hot issues (热点问题): clusters of messages about one concrete problem in one place, ranked by heat.

How it works (docs/analysis/hotspots.md has the reasons and the figures):

1. Each message becomes features: the topic words of its title and of the first characters of its
   detail (jieba through `text.content_words`, minus words of how people ask), and the places its
   title and detail name, by the rules in `PLACE_RULES` / `CODE_RULES` and by the caller's gazetteer.
   Words get TF-IDF weights whose document frequency counts people, not messages.
2. Messages are clustered in time order by a leader/centroid method: a message joins the most similar
   cluster (cosine to its centroid ≥ `Tuning.similarity`, of which `topic_similarity` from words of
   the problem rather than of the place) unless their own places conflict (`_conflict`); otherwise it
   starts a cluster. The few clusters compared come from an inverted index over the message's specific
   places and rarest words with capped posting lists, so the cost is linear in the number of
   messages: there is no all-pairs scan.
3. A second pass merges clusters about one site or community (an estate, a school, a village) whose
   words of the problem are similar (cosine ≥ `Tuning.merge_similarity`, lower than `similarity`):
   one problem worded differently ("暖气不热", "暖气片冰凉", "供暖温度不达标") starts several clusters in
   the first pass, and a cluster, holding all its members' words, is a better witness than one
   message (`_merge_at_places`). Linear too: each cluster is compared with the capped lists of its
   own sites and communities.
4. A cluster is an issue when it has `min_people` distinct requesters and most of its messages name a
   place finer than a city; its heat is `people + peak_people + support_weight · ln(1 + net support)`
   (see `heat`).

No Django here: the command (management/commands/hotspots.py) and, later, the database side call
`mine(messages, ...)`. Output is deterministic: no randomness, ties broken by time and id.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

from minyi.analysis import text

HAN_START = re.compile(r"[\u4e00-\u9fff]")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# --- Places ------------------------------------------------------------------------------------------

# The kinds of place, from broad to specific. A district-level city (县级市, "C5市") is a district.
CITY, DISTRICT, STREET, COMMUNITY, ROAD, SITE = "city", "district", "street", "community", "road", "site"
KIND_ORDER = (CITY, DISTRICT, STREET, COMMUNITY, ROAD, SITE)

# Kinds whose names identify "one place": two messages whose own places (see `_own_places`) of such a
# kind have none in common are about different places. Roads are left out: a message about one estate
# names the roads around it, another names others. Cities are in because one board serves several
# (A市, B市); a city alone is too broad to make two messages one issue (see BLOCKING_KINDS).
# AREA is the area the centre recorded (`Message.area`): it is never a feature, only a conflict.
AREA = "area"
CONFLICT_KINDS = (CITY, DISTRICT, STREET, COMMUNITY, SITE, AREA)
BLOCKING_KINDS = frozenset({STREET, COMMUNITY, ROAD, SITE})

# Characters that never belong to a place name of free text: function words, pronouns, measure words,
# verbs that introduce a place ("住在", "位于"). Punctuation, digits and Latin letters end a name too.
_NOT_IN_NAME = frozenset(
    "的了在于是和与及或对向从到把被让给将我你他她们该本此这那个每各其为位住近旁距离由至往去来号栋条套所几"
)

# Anonymised place codes, matched as written: "A2区", "A7县", "C5市" (a county-level city), "A市".
CODE_RULES: tuple[tuple[str, str], ...] = ((DISTRICT, r"[A-Z]\d+[区县市]"), (CITY, r"[A-Z]市"))

# Names of free text, one rule a line: (kind, suffixes, most characters before the suffix, characters
# that must not follow it). A name is read backwards from its suffix, then trimmed (`_trim`).
PLACE_RULES: tuple[tuple[str, str, int, str], ...] = (
    (
        SITE,
        "小区 花园 家园 公寓 华庭 华府 豪庭 名邸 公馆 新居 宿舍 大院 山庄 新城 新村 广场 大厦 苑 湾 "
        "公园 市场",
        7,
        "",
    ),
    (SITE, "学校 学院 大学 中学 小学 幼儿园 医院 卫生院 火车站 汽车站 机场", 7, ""),
    (STREET, "街道 镇 乡", 5, ""),
    (COMMUNITY, "社区 村", 5, "民"),  # 村民 are villagers
    (ROAD, "大道 路 街 大桥 桥", 5, "口费况灯面线由人演"),  # 路口, 路费, 路况, 路灯, 路面, 路线 …
    (DISTRICT, "高新区 开发区 新区", 5, ""),
)
_RULE_OF_SUFFIX = {suffix: rule for rule in PLACE_RULES for suffix in rule[1].split()}
# Longest suffixes first, so "街道" is not read as "街" and "新村" (an estate) not as "村".
_SUFFIXES = re.compile("|".join(sorted(_RULE_OF_SUFFIX, key=lambda x: (-len(x), x))))
_CODES = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in CODE_RULES))
_SUFFIX = re.compile(f"(?:{_SUFFIXES.pattern})$")


def _is_name_char(char: str) -> bool:
    return char.isalpha() and not char.isascii() and char not in _NOT_IN_NAME


# A greedy match also takes the words in front of a name ("反映景蓉华苑", "拆除五一桥"). Reading the
# words backwards from the suffix, the name stops at a word of one of these parts of speech (jieba's
# dictionary tags): verbs, pronouns, prepositions, conjunctions, adverbs, particles, numbers, measure
# words, time and direction words, idioms. Single characters stop it only when they are function
# words, because unknown names fall apart into single characters with arbitrary tags ("丽" nr, "发" v).
_STOP_TAGS = _words("v vd vi r rr rz p c d u uj ul uz ug ud uv m mq q t tg f l i y e o z ")
_SINGLE_STOP_TAGS = _words("p c uj ul uz ug ud uv r d m q y e o ")

# Names that are common nouns, not places.
_GENERIC_NAMES = _words(
    "老旧小区 安置小区 商品房小区 周边小区 附近小区 私立学校 公办学校 民办学校 中小学 "
    "职业学校 培训学校 公立医院 私立医院 民营医院 农贸市场 房地产市场 人才市场 "
    "劳动力市场 二手房市场 农民新村 城中村 行政村 自然村 贫困村 美丽乡村 小城镇 "
    "特色小镇 人行天桥 过街天桥 高架桥 立交桥 高速公路 "
)
_GENERIC_ENDINGS = (
    "城乡",
    "城镇",
    "乡镇",
    "农村",
    "乡村",
    "城中村",
    "道路",
    "马路",
    "公路",
    "铁路",
    "线路",
    "小区路",
    "校区",
)


@dataclass(frozen=True)
class Place:
    name: str  # as written (NFKC), e.g. "A2区", "景蓉华苑"
    kind: str

    @property
    def key(self) -> str:
        return text.normalise(self.name)


def fold(value: str | None) -> str:
    """NFKC without whitespace, case kept: the form places are shown in ("A2区", not "a2区")."""
    joined = text.WHITESPACE.sub("", unicodedata.normalize("NFKC", value or ""))
    return unicodedata.normalize("NFKC", joined)  # a mark may compose once the spaces are gone


@functools.lru_cache(maxsize=200_000)
def _trim(match: str) -> str:
    """The place name inside a greedy match, or "" when what is left is no name."""
    suffix = _SUFFIX.search(match)
    if not suffix or not HAN_START.match(match):
        return match  # an anonymised code, kept as written
    spans, position = [], 0
    for token in text.words(match, drop_stop_words=False):
        spans.append((position, token))
        position += len(token)
    # The word that holds the suffix: jieba often glues it to the name ("白关镇"), sometimes to a verb.
    at = next(i for i, (begin, token) in enumerate(spans) if begin + len(token) > suffix.start())
    begin, token = spans[at]
    if begin < suffix.start() and text.word_tag(token) in _STOP_TAGS:
        return ""  # the suffix is part of a verb or idiom: "跑路", "一路"
    start = begin
    for begin, token in reversed(spans[:at]):
        if text.word_tag(token) in (_STOP_TAGS if len(token) > 1 else _SINGLE_STOP_TAGS):
            break
        start = begin
    name = match[start:]
    if len(name) - len(suffix.group()) < 2 or name in _GENERIC_NAMES or name.endswith(_GENERIC_ENDINGS):
        return ""
    return name


def places_in(value: str, gazetteer: Gazetteer | None = None) -> list[Place]:
    """The places a text names, in order of first mention, each once (by the rules and the gazetteer)."""
    folded = fold(value)
    found: dict[str, Place] = {}
    for match in _CODES.finditer(folded):
        found.setdefault(match.group(), Place(match.group(), match.lastgroup))
    for name, kind in _named_places(folded):
        found.setdefault(name, Place(name, kind))
    if gazetteer:
        for place in gazetteer.find(folded):
            found.setdefault(place.name, place)
    return list(found.values())


def _named_places(folded: str) -> list[tuple[str, str]]:
    """Names of free text: each suffix with the name characters before it, back to the previous
    place at most. A suffix right after a place extends it: "教师村小区" is an estate, not 教师村."""
    folded = _CODES.sub(lambda m: "\0" * len(m.group()), folded)  # a code ends a name: "A2区|大托街道"
    out: list[list] = []  # [name, kind, start, end]
    previous_end = 0
    for match in _SUFFIXES.finditer(folded):
        kind, _, longest, not_followed_by = _RULE_OF_SUFFIX[match.group()]
        if match.end() < len(folded) and folded[match.end()] in not_followed_by:
            continue
        if out and out[-1][3] == match.start():
            out[-1][1], out[-1][3] = kind, match.end()
        else:
            start = match.start()
            while start > max(previous_end, match.start() - longest) and _is_name_char(folded[start - 1]):
                start -= 1
            if match.start() - start >= 2:
                out.append([None, kind, start, match.end()])
        previous_end = match.end()
    return [(name, kind) for _, kind, start, end in out if (name := _trim(folded[start:end]))]


def place_kind(name: str) -> str:
    """The kind of a known area name by its suffix (a grid or community without a suffix: community)."""
    folded = fold(name)
    if code := _CODES.fullmatch(folded):
        return code.lastgroup
    suffix = _SUFFIX.search(folded)
    return _RULE_OF_SUFFIX[suffix.group()][0] if suffix else COMMUNITY


class Gazetteer:
    """Known area names (streets, communities, grids) found in text by exact substring.

    Indexed by the first two characters of each name so finding them costs one dictionary look-up per
    character of text, whatever the number of names.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._by_prefix: dict[str, list[Place]] = defaultdict(list)
        for raw in sorted({fold(n) for n in names if len(fold(n)) >= 2}, key=lambda n: (-len(n), n)):
            self._by_prefix[raw[:2]].append(Place(raw, place_kind(raw)))

    def __bool__(self) -> bool:
        return bool(self._by_prefix)

    def find(self, folded: str) -> list[Place]:
        out = []
        for i in range(len(folded) - 1):
            for place in self._by_prefix.get(folded[i : i + 2], ()):
                if folded.startswith(place.name, i):
                    out.append(place)
                    break  # longest first: "桂花坪街道" rather than a shorter name at the same spot
        return out


# --- Input and output --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One public demand as the analysis sees it. `user` None means unknown: the message is its own voice."""

    id: str | int
    title: str
    detail: str
    created_at: dt.datetime
    user: str | None = None
    supports: int = 0
    opposes: int = 0
    # Where the case is, as the centre recorded it: the name of its community or village (of its
    # street when it has no finer place) — two messages of different areas are about different
    # places — and its address ("湖畔花园7栋2单元"), whose leading name is the site when the title
    # names none. None / "": only the text says where.
    area: str | None = None
    address: str = ""


@dataclass
class HotIssue:
    """One concrete problem in one place, with the figures its heat is made of."""

    title: str
    keywords: list[str]
    places: list[str]
    count: int
    people: int
    peak_people: int
    supports: int
    start: dt.datetime
    end: dt.datetime
    heat: float
    message_ids: list[str | int]

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "keywords": self.keywords,
            "places": self.places,
            "count": self.count,
            "people": self.people,
            "peak_people": self.peak_people,
            "supports": self.supports,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "heat": self.heat,
            "message_ids": self.message_ids,
        }


@dataclass(frozen=True)
class Tuning:
    """The knobs, with the values measured on real messages (docs/analysis/hotspots.md)."""

    # Characters of the detail that are segmented: the first sentences name the place and the problem;
    # jieba costs ~5 µs a character, the whole detail would cost several times the title.
    detail_prefix: int = 40
    # Characters of the detail searched for places (regular expressions are cheap).
    place_prefix: int = 300
    # Cosine between a message and a cluster's centroid to join it.
    similarity: float = 0.38
    # The cosine of the words of the problem alone (no places), between the message and the cluster:
    # a shared place name must never be enough (an estate's heating and its barking dog).
    topic_similarity: float = 0.3
    # The same between two reports of the same estate, community or street: the place is shared
    # already, so less of the problem's wording need be ("搅拌站夜间施工噪音" and "搅拌站噪音扰民").
    topic_similarity_same_place: float = 0.15
    # Weight of a title word against a detail word: the title is the citizen's own summary.
    title_weight: float = 2.0
    # Weight of a specific place (street, community, road, site) as a feature.
    place_weight: float = 2.5
    # Rarest words of a message used to find candidate clusters, and clusters kept per key.
    blocking_words: int = 4
    postings: int = 12
    # Clusters compared with each message: those sharing most of its keys.
    candidates: int = 4
    # Second pass: the cosine of the problem words (`_topic_profile`) for two clusters about one estate,
    # site or community to be one issue (`_merge_at_places`).
    merge_similarity: float = 0.2
    # Weight of the two-character pieces of a longer title word (地铁站点 → 地铁, 铁站, 站点) against
    # the word: "地铁口" and "地铁站点", "暖气片" and "暖气" are one problem told in other words.
    piece_weight: float = 0.0
    # A report joins no cluster whose last report is older than this (nor are two clusters merged
    # that lie further apart): a problem raised again after a year is a new episode.
    gap_days: float = 365.0
    # Heat: the window of the peak, and the weight of ln(1 + net support).
    window_days: float = 7.0
    support_weight: float = 2.0
    # Fewest distinct requesters for a cluster to be an issue.
    min_people: int = 2


DEFAULT_TUNING = Tuning()


def heat(people: int, peak_people: int, net_support: int, tuning: Tuning = DEFAULT_TUNING) -> float:
    """The heat index: distinct people, plus those of the busiest window again, plus damped support.

    A person counts once however often they write; the peak rewards a problem that many raise at once;
    support (likes, +1s) is cheap to give, so it grows by its logarithm (1,000 supports give about 14
    with the default weight) and never adds more than the people themselves: two messages with
    thousands of likes do not outrank twenty people who wrote (heat ≤ 3 × people).
    """
    support = min(tuning.support_weight * math.log1p(max(net_support, 0)), people)
    return round(people + peak_people + support, 2)


# --- Features ----------------------------------------------------------------------------------------


@dataclass
class _Features:
    title_words: list[str]
    detail_words: list[str]
    title_pieces: frozenset[str]  # the title's pairs of adjacent Han characters
    places: list[Place]
    own: dict[str, frozenset[str]]  # kind → keys of the places the message is about
    topic: frozenset[str] = frozenset()  # the terms of the vector that are no place or part of one
    vector: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0


# Words of how people ask, not of what about: every other title has one, and they would make a
# "咨询…补贴" cluster out of unrelated questions.
REQUEST_WORDS = _words(
    "咨询 问题 反映 关于 希望 建议 投诉 举报 请求 要求 强烈 呼吁 相关 有关 情况 "
    "一下 事宜 是否 能否 何时 为何 进行 存在 解决 处理 部门 相关部门 政府 领导 "
    "市民 居民 群众 百姓 老百姓 网友 严重 尽快 早日 一直 多次 希望能 恳请 "
    "请求解决 请问 询问 质疑 咨询一下 怎么样 怎样 不能 没人 无人 "
)


# Anonymised place codes ("A7县星沙") become a comma before segmenting: jieba would glue their last
# character to the next word ("县星沙"). The codes are features as places already.
_CODE_PLACE = re.compile(r"[A-Za-z]\d*[市区县]")


def _topic_words(value: str, *, hmm: bool = True) -> list[str]:
    value = _CODE_PLACE.sub("，", unicodedata.normalize("NFKC", value))
    return [w for w in text.content_words(value, hmm=hmm) if w not in REQUEST_WORDS]


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _pieces(title: str) -> frozenset[str]:
    """Pairs of adjacent Han characters of the title, codes and words of how people ask left out.
    jieba cuts an unknown name differently in each sentence ("东六线下穿" → 东六 / 线下 / 穿长); the
    pairs of two wordings of one thing overlap whatever the cut ("地铁口", "地铁站点": 地铁)."""
    value = _CODE_PLACE.sub("，", unicodedata.normalize("NFKC", title))
    for word in sorted(REQUEST_WORDS, key=len, reverse=True):
        value = value.replace(word, "，")
    return frozenset(run[k : k + 2] for run in _HAN_RUN.findall(value) for k in range(len(run) - 1))


def _read(items: Sequence[tuple[str, str]], gazetteer: Gazetteer | None, tuning: Tuning) -> list[_Features]:
    """Words and places of (title, detail) pairs: the costly, independent part of the method."""
    out = []
    for title, raw_detail in items:
        detail = text.after_header(title, raw_detail)
        title_places = places_in(title, gazetteer)
        detail_places = places_in(detail[: tuning.place_prefix], gazetteer)
        seen = {p.name for p in title_places}
        places = title_places + [p for p in detail_places if p.name not in seen]
        out.append(
            _Features(
                title_words=_topic_words(title),
                # The title names the problem and its place (new words matter); the detail only adds
                # to it, so it is segmented without jieba's slow guessing of unknown words.
                detail_words=_topic_words(detail[: tuning.detail_prefix], hmm=False),
                title_pieces=_pieces(title),
                places=places,
                own=_own_places(title_places, detail_places),
            )
        )
    return out


def _read_all(messages: Sequence[Message], gazetteer: Gazetteer | None, tuning: Tuning, workers: int):
    """jieba is the cost of the method: on large inputs the reading runs in worker processes, in
    order, so the result is the same as in one process."""
    items = [(m.title or "", m.detail or "") for m in messages]
    if workers <= 1 or len(items) < PARALLEL_FROM:
        return _read(items, gazetteer, tuning)
    text.words("")  # load the dictionary and the tags once, before forking: the workers inherit them
    text.word_tag("")
    size = math.ceil(len(items) / (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    read = functools.partial(_read, gazetteer=gazetteer, tuning=tuning)
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return [f for chunk in pool.map(read, chunks) for f in chunk]


# Below this many messages, starting worker processes costs more than it saves.
PARALLEL_FROM = 3000


def _default_workers() -> int:
    return min(os.cpu_count() or 1, 4) if hasattr(os, "fork") else 1


def _featurise(messages: Sequence[Message], gazetteer: Gazetteer | None, tuning: Tuning, workers: int):
    features = _read_all(messages, gazetteer, tuning, workers)
    for message, f in zip(messages, features, strict=True):
        recorded = []
        if message.area:
            area = Place(fold(message.area), place_kind(message.area))
            f.own = {**f.own, AREA: frozenset({area.key})}
            recorded.append(area)
        if site := address_site(message.address):
            if SITE not in f.own:
                f.own = {**f.own, SITE: frozenset({site.key})}
            recorded.append(site)
        # Recorded places are places: their names are no words of the problem ("福寿" of 福寿里).
        f.places = [*f.places, *(p for p in recorded if p.name not in {q.name for q in f.places})]
    _canonical_sites(features)
    _weigh(features, [_person(m) for m in messages], tuning)
    return features


_ADDRESS_NAME = re.compile(r"[\u4e00-\u9fff]{2,12}")
_ADMINISTRATIVE = re.compile(r"^(?:[\u4e00-\u9fff]{1,8}?(?:省|市|区|县|街道|镇|乡))+")
_BUILDING = re.compile(r"(?:[\d一二三四五六七八九十]+(?:期|号楼|号|栋|幢|组|单元|楼|区)).*$")


def address_site(address: str | None) -> Place | None:
    """The site an address starts with: "湖畔花园9号楼4单元1401室" → 湖畔花园, "石桥村二组77号" → 石桥村,
    "东湖花园一期2号楼" → 东湖花园. None when it starts with no name of two characters or more."""
    folded = _CODES.sub("", fold(address))
    match = _ADDRESS_NAME.match(folded)
    if not match:
        return None
    name = _ADMINISTRATIVE.sub("", _BUILDING.sub("", match.group()))
    return Place(name, SITE) if len(name) >= 2 else None


def _canonical_sites(features: list[_Features]) -> None:
    """One estate or community written several ways is one place: "伊景园滨河苑" and "滨河苑",
    "丽发新城社区" and "丽发新城小区" and "丽发新城". Each own site or community key becomes the shortest
    key of the same kind found in the input that it contains (its suffix 小区/社区 aside), so the
    second pass, which meets clusters through these keys, finds them together."""
    keys = {k for f in features for kind in MERGE_KINDS for k in f.own.get(kind, ())}
    stems = {_stem(k) for k in keys}
    canonical = {}
    for key in keys:
        stem = _stem(key)
        inside = [
            stem[i:j] for i in range(len(stem)) for j in range(i + 3, len(stem) + 1) if stem[i:j] in stems
        ]
        canonical[key] = min(inside, key=lambda k: (len(k), k)) if inside else stem
    for f in features:
        for kind in MERGE_KINDS:
            if kind in f.own:
                f.own[kind] = frozenset(canonical[k] for k in f.own[kind])


def _stem(key: str) -> str:
    """A site or community without the word saying what kind it is ("湖畔花园小区" → 湖畔花园)."""
    for suffix in ("小区", "社区"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            return key[: -len(suffix)]
    return key


def _own_places(title_places: list[Place], detail_places: list[Place]) -> dict[str, frozenset[str]]:
    """The places a message is about, per kind: those its title names (the citizen's own summary), or
    else the first one of that kind in its detail. Places named in passing do not count."""
    own: dict[str, frozenset[str]] = {}
    for kind in KIND_ORDER:
        keys = frozenset(p.key for p in title_places if p.kind == kind)
        if not keys:
            keys = frozenset(next(([p.key] for p in detail_places if p.kind == kind), []))
        if keys:
            own[kind] = keys
    return own


def _place_feature(key: str) -> str:
    return "@" + key  # a place is its own feature, apart from the word it may also be


def _own_specific(f: _Features) -> list[str]:
    """The keys of the specific places the message is about (no city or district: too broad), and of
    the roads its title names. Places its detail names in passing are left to the words."""
    keys = {key for kind in BLOCKING_KINDS & f.own.keys() for key in f.own[kind]}
    return sorted(keys)


def _weigh(features: list[_Features], people: list[str], tuning: Tuning) -> None:
    """TF-IDF, unit length. Document frequency counts people, not messages: one person posting the same
    text ten times must not make its words common (and so weak) against another person's wording.
    Terms of one message only are dropped: they cannot match anything, and in a long message they
    would drown what it shares with another wording of the same problem (`_topic_similarity` keeps
    two reports that share only a street apart)."""
    raw: list[Counter[str]] = []
    messages_with: Counter[str] = Counter()
    terms_of: dict[str, set[str]] = defaultdict(set)
    for f, person in zip(features, people, strict=True):
        counts: Counter[str] = Counter()
        for w in f.title_words:
            counts[w] += tuning.title_weight
        for piece in f.title_pieces if tuning.piece_weight else ():
            counts["~" + piece] += tuning.title_weight * tuning.piece_weight
        for w in f.detail_words:
            counts[w] += 1.0
        for key in _own_specific(f):
            counts[_place_feature(key)] += tuning.place_weight
        raw.append(counts)
        messages_with.update(counts.keys())
        terms_of[person].update(counts)
    df: Counter[str] = Counter(t for terms in terms_of.values() for t in terms)
    n = len(terms_of)
    for f, counts in zip(features, raw, strict=True):
        vector = {
            t: (1 + math.log(c)) * math.log(n / df[t])
            for t, c in counts.items()
            if messages_with[t] > 1 and df[t] < n
        }
        if not vector:
            continue  # nothing shared with any other message, or only words everyone uses
        norm = math.sqrt(sum(v * v for v in vector.values()))
        f.vector = {t: v / norm for t, v in vector.items()}
        f.norm = 1.0
        f.topic = frozenset(t for t in f.vector if _is_topic(t, f.places))


# jieba's tags of proper names (places, people, organisations, other names): "中南" of 中南汽车世界,
# "绕城" of 绕城高速, "恒基" of an estate. A name says where or who, not what the problem is.
_NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz"})

# Parts of a place rather than words of a problem: "二期", "3栋", "五组", "东区".
_PLACE_PART = re.compile(
    r"^[\d一二三四五六七八九十百两东南西北]+(?:期|栋|幢|号楼|号|单元|组|区|楼|队|巷|层)$"
)


def _is_topic(term: str, places: list[Place]) -> bool:
    """A word of what the problem is, not of where: no place feature, code, piece of a place name
    ("丽发" of 丽发新城小区) or part of a place ("二期", "五组")."""
    term = term.removeprefix("~")
    if term.startswith("@") or not text.HAN.match(term) or _PLACE_PART.match(term):
        return False
    if text.word_tag(term) in _NAME_TAGS:
        return False
    return not any(term in p.key for p in places)


# --- Clustering --------------------------------------------------------------------------------------


@dataclass
class _Cluster:
    members: list[int]
    centroid: dict[str, float]
    norm2: float
    own: dict[str, set[str]]  # kind → keys of the places its members are about
    topic: dict[str, float] = field(default_factory=dict)  # the centroid's words of the problem
    first: float = math.inf  # the times of its first and last messages (seconds)
    last: float = -math.inf


def _same_place(a: str, b: str) -> bool:
    # "潇楚佳苑" and "潇楚佳苑小区" are one estate; so are a name and a longer match that took a word
    # in front of it ("证明翡翠公园").
    return a in b or b in a


# Kinds of the places fine enough that two reports naming such places, none of them the same, are
# about different places even when the kinds differ ("星沙街道四区的KTV" and "泉星社区的KTV").
FINE_KINDS = (STREET, COMMUNITY, SITE)


def _conflict(own: dict[str, frozenset[str]], cluster_own: dict[str, set[str]]) -> bool:
    """Different places: for some kind, both are about places of that kind, and none is the same; or
    both are about streets, communities or sites and share none of them."""
    for kind, keys in own.items():
        if kind not in CONFLICT_KINDS:
            continue
        theirs = cluster_own.get(kind)
        if theirs and not any(_same_place(a, b) for a in keys for b in theirs):
            return True
    mine = [k for kind in FINE_KINDS for k in own.get(kind, ())]
    theirs = [k for kind in FINE_KINDS for k in cluster_own.get(kind, ())]
    return bool(mine and theirs) and not any(_same_place(a, b) for a in mine for b in theirs)


def _blocking_keys(f: _Features, rarity: dict[str, float], tuning: Tuning) -> list[str]:
    """The message's specific places and its rarest words: what another report of the same problem
    most likely shares with it, and what few unrelated messages share."""
    words = sorted((t for t in f.vector if not t.startswith("@")), key=lambda t: (-rarity[t], t))
    return [_place_feature(key) for key in _own_specific(f)] + words[: tuning.blocking_words]


def _candidates(keys: list[str], index: dict[str, deque[int]], tuning: Tuning) -> list[int]:
    """The clusters sharing most keys with the message (recent first on ties), at most a few."""
    shared: Counter[int] = Counter()
    for key in keys:
        shared.update(index.get(key, ()))
    ranked = sorted(shared, key=lambda c: (-shared[c], -c))
    return ranked[: tuning.candidates]


def _cluster(
    features: list[_Features], order: list[int], times: list[float], tuning: Tuning
) -> list[_Cluster]:
    """Leader clustering in time order. Each message is compared with a bounded number of clusters
    found through capped posting lists, so the whole costs time linear in the number of messages."""
    rarity: dict[str, float] = defaultdict(float)  # a term's largest weight anywhere: its IDF, nearly
    for f in features:
        for t, v in f.vector.items():
            rarity[t] = max(rarity[t], v)
    clusters: list[_Cluster] = []
    index: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=tuning.postings))
    gap = tuning.gap_days * 86400
    for i in order:
        f = features[i]
        keys = _blocking_keys(f, rarity, tuning) if f.vector else []
        best, best_sim, best_dot = None, tuning.similarity, 0.0
        for c in _candidates(keys, index, tuning):
            cluster = clusters[c]
            if times[i] - cluster.last > gap:
                continue  # silent for a year: a new report is a new episode
            dot = sum(v * cluster.centroid.get(t, 0.0) for t, v in f.vector.items())
            sim = dot / math.sqrt(cluster.norm2)
            if (
                sim >= best_sim
                and (best is None or sim > best_sim)
                and _topic_similarity(f, cluster) >= _topic_needed(f, cluster, tuning)
                and not _conflict(f.own, cluster.own)
            ):
                best, best_sim, best_dot = c, sim, dot
        if best is None:
            best = len(clusters)
            clusters.append(_Cluster([], {}, 0.0, defaultdict(set)))
        _join(clusters[best], i, f, best_dot)
        clusters[best].first = min(clusters[best].first, times[i])
        clusters[best].last = max(clusters[best].last, times[i])
        for key in keys:
            posting = index[key]
            if best not in posting:
                posting.append(best)
    return clusters


def _topic_similarity(f: _Features, cluster: _Cluster) -> float:
    """The cosine of the words of the problem alone (no place, code or part of a place): one place
    is not one issue, however much of the whole cosine the place's name carries."""
    shared = [t for t in f.topic if t in cluster.topic]
    if len(shared) < _words_needed(f.own, cluster.own):
        return 0.0
    dot = sum(f.vector[t] * cluster.topic[t] for t in shared)
    mine = math.sqrt(sum(f.vector[t] ** 2 for t in f.topic))
    theirs = math.sqrt(sum(v * v for v in cluster.topic.values()))
    return dot / (mine * theirs)


def _topic_needed(f: _Features, cluster: _Cluster, tuning: Tuning) -> float:
    if _same_fine_place(f.own, cluster.own):
        return tuning.topic_similarity_same_place
    return tuning.topic_similarity


def _same_fine_place(own: dict, other: dict) -> bool:
    mine = [k for kind in FINE_KINDS for k in own.get(kind, ())]
    theirs = [k for kind in FINE_KINDS for k in other.get(kind, ())]
    return any(_same_place(a, b) for a in mine for b in theirs)


def _words_needed(own: dict, other: dict) -> int:
    """Words of the problem two reports must share: one word in common ("免费", "收费") is a
    coincidence between any two reports, but not between two of the same estate, community or street
    ("碧水家园电梯困人", "碧水家园电梯经常故障")."""
    return 1 if _same_fine_place(own, other) else 2


def _join(cluster: _Cluster, i: int, f: _Features, dot: float) -> None:
    cluster.members.append(i)
    for t, v in f.vector.items():
        cluster.centroid[t] = cluster.centroid.get(t, 0.0) + v
    for t in f.topic:
        cluster.topic[t] = cluster.topic.get(t, 0.0) + f.vector[t]
    cluster.norm2 += 2 * dot + f.norm  # |c + v|² = |c|² + 2 c·v + |v|²
    for kind, keys in f.own.items():
        cluster.own[kind].update(keys)


# --- Second pass: one problem in one place, worded differently --------------------------------------

# The kinds of place at which two clusters may be merged: one estate, building or community is small
# enough that two groups of its residents writing about similar things write about one problem. A
# street, district or city is not (two problems of one town share words like 物业, 收费).
MERGE_KINDS = (SITE, COMMUNITY)


def _topic_profile(cluster: _Cluster, features: list[_Features]) -> Counter[str]:
    """The sum of its members' vectors restricted to each one's words of the problem (no places,
    codes, numbers or pieces of a place name): what the cluster is about, whatever the wording of
    where."""
    profile: Counter[str] = Counter()
    for i in cluster.members:
        f = features[i]
        for t in f.topic:
            profile[t] += f.vector[t]
    return profile


def _anchors(cluster: _Cluster) -> list[str]:
    """The cluster's own sites and communities (their canonical keys: `_canonical_sites`)."""
    return sorted({k for kind in MERGE_KINDS for k in cluster.own.get(kind, ())})


def _merge_at_places(clusters: list[_Cluster], features: list[_Features], tuning: Tuning) -> list[_Cluster]:
    """Merge clusters about one site or community whose problem words are similar.

    The first pass compares one message with a centroid, so several wordings of one problem
    ("暖气不热", "暖气片冰凉", "供暖温度不达标") can each start their own cluster: a message shares too
    few words with another wording to reach `similarity`. A cluster is a better witness than a
    message — its profile holds all the words its members use — and a shared estate is strong
    evidence, so two clusters sharing one are linked when the cosine of their problem words alone is
    at least `merge_similarity`. Links are taken best first (single linkage over first-pass clusters,
    which are coherent already); a cluster of one message is a leaf, never a bridge: a message about
    two problems at once joins the closer one only. Places must not conflict (`_conflict`).

    Each cluster is compared with the clusters in the capped lists of its own sites and communities,
    so the links are at most `postings` per place and cluster: linear time (and a sort).
    """
    profiles = [_topic_profile(c, features) for c in clusters]
    gap = tuning.gap_days * 86400
    norms = [math.sqrt(sum(v * v for v in p.values())) for p in profiles]
    index: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=tuning.postings))
    links: list[tuple[float, int, int]] = []
    for i, cluster in enumerate(clusters):  # in the order they were made: of their first message
        anchors = _anchors(cluster)
        if norms[i]:
            for j in sorted({j for key in anchors for j in index.get(key, ())}):
                if len(cluster.members) == len(clusters[j].members) == 1:
                    continue  # two messages the first pass found too different: no cluster vouches
                if max(cluster.first, clusters[j].first) - min(cluster.last, clusters[j].last) > gap:
                    continue  # a year apart: separate episodes
                dot = sum(v * profiles[j].get(t, 0.0) for t, v in profiles[i].items())
                sim = dot / (norms[i] * norms[j])
                if sim >= tuning.merge_similarity:
                    links.append((sim, j, i))
            for key in anchors:
                index[key].append(i)
    root = list(range(len(clusters)))
    own = [{kind: set(keys) for kind, keys in c.own.items()} for c in clusters]
    joined: set[int] = set()  # one-message clusters already in a group

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for _, j, i in sorted(links, key=lambda link: (-round(link[0], 9), link[1], link[2])):
        single = [k for k in (i, j) if len(clusters[k].members) == 1]
        if any(k in joined for k in single):
            continue
        a, b = sorted((find(j), find(i)))  # the older group keeps its number
        if a == b or _conflict(own[b], own[a]):
            continue
        root[b] = a
        for kind, keys in own[b].items():
            own[a].setdefault(kind, set()).update(keys)
        joined.update(single)
    merged: dict[int, _Cluster] = {}
    for i, cluster in enumerate(clusters):
        group = find(i)
        if group == i:
            merged[i] = cluster
        else:
            _absorb(merged[group], cluster)  # the root is older: made already
    return list(merged.values())


def _absorb(cluster: _Cluster, other: _Cluster) -> None:
    dot = sum(v * cluster.centroid.get(t, 0.0) for t, v in other.centroid.items())
    cluster.members.extend(other.members)
    for t, v in other.centroid.items():
        cluster.centroid[t] = cluster.centroid.get(t, 0.0) + v
    cluster.norm2 += 2 * dot + other.norm2
    cluster.first, cluster.last = min(cluster.first, other.first), max(cluster.last, other.last)
    for t, v in other.topic.items():
        cluster.topic[t] = cluster.topic.get(t, 0.0) + v
    for kind, keys in other.own.items():
        cluster.own[kind].update(keys)


# --- Issues ------------------------------------------------------------------------------------------


def _naive(moment: dt.datetime) -> dt.datetime:
    """Comparable times: aware ones in UTC. Mixing aware and naive input is a caller's mistake."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _peak_people(times_and_people: list[tuple[dt.datetime, str]], window: dt.timedelta) -> int:
    """The most distinct people with a message inside any window of the given length (two pointers)."""
    inside: Counter[str] = Counter()
    best = left = 0
    for moment, person in times_and_people:
        inside[person] += 1
        while moment - times_and_people[left][0] > window:
            old = times_and_people[left][1]
            inside[old] -= 1
            if not inside[old]:
                del inside[old]
            left += 1
        best = max(best, len(inside))
    return best


def _person(message: Message) -> str:
    return f"u:{message.user}" if message.user else f"m:{message.id}"


def _issue(cluster: _Cluster, messages: Sequence[Message], features: list[_Features], tuning: Tuning):
    members = sorted(cluster.members, key=lambda i: (_naive(messages[i].created_at), str(messages[i].id)))
    chosen = [messages[i] for i in members]
    people = len({_person(m) for m in chosen})
    if people < tuning.min_people or not _located(members, features):
        return None
    peak = _peak_people(
        [(_naive(m.created_at), _person(m)) for m in chosen], dt.timedelta(days=tuning.window_days)
    )
    support = sum(max(m.supports - m.opposes, 0) for m in chosen)
    return HotIssue(
        title=_summary_title(members, messages, features, cluster),
        keywords=_keywords(cluster, features, members),
        places=_issue_places(members, features),
        count=len(chosen),
        people=people,
        peak_people=peak,
        supports=support,
        start=chosen[0].created_at,
        end=chosen[-1].created_at,
        heat=heat(people, peak, support, tuning),
        message_ids=[m.id for m in chosen],
    )


def _located(members: list[int], features: list[_Features]) -> bool:
    """Whether at least half of the messages name a place finer than a city: a cluster of questions
    about a policy ("公积金贷款怎么办") is a topic for the rising-topics report, not a hot issue."""
    located = sum(1 for i in members if any(p.kind != CITY for p in features[i].places))
    return located * 2 >= len(members)


def _summary_title(members: list[int], messages, features, cluster: _Cluster) -> str:
    """The title of the most central message: a citizen's own summary reads better than keywords."""

    def centrality(i: int) -> float:
        return sum(v * cluster.centroid.get(t, 0.0) for t, v in features[i].vector.items())

    # the most central; of equals, the earliest member (max keeps the first of equal keys)
    best = max(members, key=lambda i: round(centrality(i), 9))
    return fold(messages[best].title) or fold(messages[best].detail)[:40]


def _keywords(cluster: _Cluster, features: list[_Features], members: list[int], n: int = 6) -> list[str]:
    """The heaviest words of the centroid that most members share (places are listed apart)."""
    share: Counter[str] = Counter()
    for i in members:
        share.update(t for t in features[i].topic if not t.startswith("~"))  # no place or its pieces
    ranked = sorted(share, key=lambda t: (-share[t] * cluster.centroid[t], t))
    return ranked[:n]


def _issue_places(members: list[int], features: list[_Features], n: int = 6) -> list[str]:
    """Places several messages name (at least two, and a quarter), broad to specific.

    Of two names where one holds the other ("龙湾国际社区", "上龙湾国际社区"), the more often named one is
    shown: the longer is usually a greedy match that took a word in front of the name.
    """
    mentions: Counter[Place] = Counter()
    for i in members:
        mentions.update(set(features[i].places))
    needed = max(min(2, len(members)), math.ceil(len(members) / 4))
    kept: list[Place] = []
    for place in sorted(mentions, key=lambda p: (-mentions[p], len(p.name), p.name)):
        if mentions[place] < needed or len(kept) == n:
            break
        if not any(_same_place(place.key, other.key) for other in kept):
            kept.append(place)
    kept.sort(key=lambda p: (KIND_ORDER.index(p.kind), -mentions[p], p.name))
    return [p.name for p in kept]


def _order_key(issue: HotIssue):
    return (
        -issue.heat,
        -issue.people,
        -issue.count,
        -_naive(issue.end).timestamp(),
        str(issue.message_ids[0]),
    )


def mine(
    messages: Iterable[Message],
    *,
    top: int | None = None,
    gazetteer: Iterable[str] = (),
    tuning: Tuning = DEFAULT_TUNING,
    workers: int | None = None,
) -> list[HotIssue]:
    """The hot issues among the messages, hottest first (at most `top`).

    `gazetteer` holds known area names that count as places besides those the rules find. `workers`
    is the number of processes that segment text on large inputs (default: the cores, at most 4).
    """
    messages = list(messages)
    clusters, features = _clusters(messages, gazetteer, tuning, workers)
    issues = [_issue(c, messages, features, tuning) for c in clusters]
    ranked = sorted((i for i in issues if i is not None), key=_order_key)
    return ranked[:top] if top is not None else ranked


def clusters(
    messages: Iterable[Message],
    *,
    gazetteer: Iterable[str] = (),
    tuning: Tuning = DEFAULT_TUNING,
    workers: int | None = None,
) -> list[list[str | int]]:
    """Every group the method finds, as message ids, issues or not (one person's reposts, a topic
    without a place): what the benchmarks compare with the hand-made groups."""
    messages = list(messages)
    found, _ = _clusters(messages, gazetteer, tuning, workers)
    return [[messages[i].id for i in c.members] for c in found]


def _clusters(messages: list[Message], gazetteer: Iterable[str], tuning: Tuning, workers: int | None):
    if not messages:
        return [], []
    if len({m.created_at.tzinfo is None for m in messages}) > 1:
        raise ValueError("created_at mixes aware and naive datetimes")
    features = _featurise(messages, Gazetteer(gazetteer) or None, tuning, workers or _default_workers())
    order = sorted(range(len(messages)), key=lambda i: (_naive(messages[i].created_at), str(messages[i].id)))
    times = [_naive(m.created_at).timestamp() for m in messages]
    return _merge_at_places(_cluster(features, order, times, tuning), features, tuning), features


__all__ = [
    "DEFAULT_TUNING",
    "PLACE_RULES",
    "Gazetteer",
    "HotIssue",
    "Message",
    "Tuning",
    "clusters",
    "heat",
    "mine",
    "places_in",
]
