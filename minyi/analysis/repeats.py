"""Repeat demands (重复件 / 疑似重复件): is a new demand probably the same as an earlier case?

A new demand repeats an earlier one when it raises the same problem at the same place while the
earlier case is still being handled (or recently answered): the dispatcher then merges it into
that case (并单). Three things say so, and this module weighs them without Django, so that the rule
can be measured on labelled pairs (bench/repeats.py) and tested plainly:

- **text**: the cosine of the two demands' keywords (`demand_keywords`: jieba TF-IDF, the title
  counted twice — the same keywords the similar-case index stores) once the words that name the
  place are left out (`place_words`: "幸福小区" gives 幸福 and 小区), and at least MIN_SHARED
  words in common. The place is weighed below, by the area tree: counted again in the text, an
  estate's name would make every other problem of that estate look like a repeat;
- **place**: the narrowest level of the area tree at which the two places coincide (grid,
  community, street), or points closer than NEAR_METRES when both have coordinates. Two places that
  differ at the street or community level, or two demands naming different estates (`refine`), are
  *another place*: the same problem there is a different demand
  (two villages without tap water are two cases), so no text makes it a repeat. A place not known
  on one side ("unknown") is judged by the text alone, at the street's threshold;
- **time**: the earlier case was received at most WINDOW before the new one.

The closer the place, the less text it takes (PLACE_BONUS, as in similar-case search); the same
requester adds SAME_REQUESTER_BONUS. A demand is flagged when its score reaches MIN_SCORE, chosen
on the tune half of the gold pairs (bench/README.md, "Repeats (issue 16)"; docs/analysis/repeats.md).
Whether the earlier case may still be a master (not withdrawn, merged …) is the workflow's rule
(`cases.workflow.may_be_master`), checked by the database side (analysis/repeat_flags.py).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from minyi.analysis import hotspots, text

KEYWORDS_PER_DEMAND = 12
WINDOW = dt.timedelta(days=90)  # an earlier case received longer ago is not flagged as the master
NEAR_METRES = 300.0  # two points this close are one place, whatever their grids
MIN_SHARED = 2  # one shared word is a coincidence
# The highest score at which the flag still finds 95 % of the repeats of the tune split of
# bench/gold/repeat_pairs.csv (bench/repeats.py): the fewest false flags at the recall wanted.
MIN_SCORE = 0.3


# Names of places as citizens write them: an estate, a community, a village, a road …
PLACE_NAME = re.compile(
    r"[\u4e00-\u9fff]{2,5}?(?:小区|花园|家园|社区|村|镇|乡|街道|大道|路|苑|广场|公馆|新城)"
)


class Place(enum.StrEnum):
    """How two demands' places relate, from the closest to the farthest."""

    GRID = "grid"  # 同网格
    NEAR = "near"  # within NEAR_METRES
    COMMUNITY = "community"  # 同社区
    STREET = "street"  # 同街道
    UNKNOWN = "unknown"  # one of them (or both) has no place, or only the district
    OTHER = "other"  # different streets (or districts): another place


PLACE_BONUS = {Place.GRID: 0.15, Place.NEAR: 0.15, Place.COMMUNITY: 0.10, Place.STREET: 0.05}
SAME_REQUESTER_BONUS = 0.10


@dataclass(frozen=True)
class Verdict:
    """Why a new demand is (or is not) a probable repeat of an earlier case."""

    repeat: bool
    score: float  # cosine of the keywords plus the place and requester bonuses
    similarity: float  # the cosine alone (0–1)
    shared: tuple[str, ...]  # the keywords both share, heaviest first
    place: Place
    minutes_apart: int
    same_requester: bool

    def reason(self) -> dict:
        """What the desk shows beside the flag: shared words, place, minutes apart (JSON-able)."""
        return {
            "score": round(self.score, 3),
            "similarity": round(self.similarity, 3),
            "shared": list(self.shared[:6]),
            "place": str(self.place),
            "minutes": self.minutes_apart,
            "same_requester": self.same_requester,
        }


def demand_keywords(title: str, description: str) -> list[tuple[str, float]]:
    """The keywords of a demand; the title counts twice (it names the problem most plainly), and a
    header the description starts with (a visit's) is left out (`text.after_header`)."""
    body = text.after_header(title, description)
    return text.keywords(f"{title}。{title}。{body}", KEYWORDS_PER_DEMAND)


OPENING = 30  # characters of a text searched for the places the hot-issue rules know

# Words of a building's parts, never of a problem ("3号楼" segments as 3 / 号楼).
BUILDING_WORDS = frozenset({"号楼", "栋", "幢", "单元", "号院", "期"})


def place_words(*texts: str, addresses: Sequence[str] = ()) -> frozenset[str]:
    """The words of the place names in these texts (titles, descriptions, addresses, area names):
    those of the names the hot-issue rules find (estates, villages, roads … and names without a known
    suffix that an address starts with, "福寿里12号楼"), and of what the simpler pattern finds."""
    found: set[str] = set(BUILDING_WORDS)
    for value in texts:
        names = [m.group(0) for m in PLACE_NAME.finditer(text.normalise(value))]
        # (the hot-issue rules read greedily: on a whole description they would take problem
        # words for a place's, so only where a text names its place — its opening)
        names += [p.name for p in hotspots.places_in(value[:OPENING])]
        for name in names:
            found.update(text.words(text.normalise(name)))
    for address in addresses:
        if site := hotspots.address_site(address):
            found.update(text.words(text.normalise(site.name)))
    return frozenset(found)


def sites(title: str, address: str = "") -> frozenset[str]:
    """The estates, schools, markets … a demand is about: the sites its title names and the site its
    address starts with (`hotspots.address_site`), without 小区."""
    found = {p.key for p in hotspots.places_in(title) if p.kind == hotspots.SITE}
    if site := hotspots.address_site(address):
        found.add(site.key)
    return frozenset(k.removesuffix("小区") if len(k) > 4 else k for k in found)


def refine(place: Place, sites_a: frozenset[str], sites_b: frozenset[str]) -> Place:
    """Two demands that both name a site, and no common one (neither name holds the other), are
    about another place, whatever their grid: two estates of one community are two places."""
    if place is Place.OTHER or not sites_a or not sites_b:
        return place
    if any(a in b or b in a for a in sites_a for b in sites_b):
        return place
    return Place.OTHER


def similarity(
    new: Mapping[str, float], old: Mapping[str, float], leave_out: frozenset[str] = frozenset()
) -> tuple[float, tuple[str, ...]]:
    """The cosine of two keyword vectors without the words `leave_out`, and the words they share,
    heaviest (in `new`) first."""
    if leave_out:
        new = {w: v for w, v in new.items() if w not in leave_out}
        old = {w: v for w, v in old.items() if w not in leave_out}
    shared = tuple(sorted((w for w in new if w in old), key=lambda w: -new[w]))
    norm = math.sqrt(sum(v * v for v in new.values())) * math.sqrt(sum(v * v for v in old.values()))
    if not shared or not norm:
        return 0.0, shared
    return sum(new[w] * old[w] for w in shared) / norm, shared


def place_match(
    path_a: Sequence[int] | None,
    path_b: Sequence[int] | None,
    point_a: tuple[float, float] | None = None,
    point_b: tuple[float, float] | None = None,
) -> Place:
    """How two places relate. `path_*`: the area's ids from the district down (district, street,
    community, grid), as deep as the place is known; `point_*`: (latitude, longitude) in one datum."""
    if point_a is not None and point_b is not None and metres_between(point_a, point_b) <= NEAR_METRES:
        return Place.NEAR
    if not path_a or not path_b:
        return Place.UNKNOWN
    depth = min(len(path_a), len(path_b))
    common = 0
    while common < depth and path_a[common] == path_b[common]:
        common += 1
    if common < depth and common < 3:  # they differ above the grid: another street or community
        return Place.OTHER
    return {4: Place.GRID, 3: Place.COMMUNITY, 2: Place.STREET}.get(min(common, 4), Place.UNKNOWN)


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def judge(
    *,
    new: Mapping[str, float],
    old: Mapping[str, float],
    place: Place,
    apart: dt.timedelta | None,
    same_requester: bool = False,
    place_names: frozenset[str] = frozenset(),
    min_score: float = MIN_SCORE,
) -> Verdict:
    """Is the new demand (keywords `new`) probably a repeat of the earlier one (`old`), given how
    their places relate and how long after it (`apart`; None: unknown, taken as within the window)
    it came? `place_names`: the words naming their places (`place_words`), left out of the text."""
    cosine, shared = similarity(new, old, place_names)
    score = cosine + PLACE_BONUS.get(place, 0.0) + (SAME_REQUESTER_BONUS if same_requester else 0.0)
    minutes = -1 if apart is None else int(apart.total_seconds() // 60)
    in_window = apart is None or dt.timedelta(0) <= apart <= WINDOW
    repeat = in_window and place is not Place.OTHER and len(shared) >= MIN_SHARED and score >= min_score
    return Verdict(repeat, score, cosine, shared, place, minutes, same_requester)
