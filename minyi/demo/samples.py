"""The demo's case texts without a database: each template of `texts.CASE_TEXTS` filled for a place of
the demo district as `plans.Planner.plan` fills it (channel opening, title, body, closing), labelled
with its third-level category code and the template it came from.

For measuring the category suggestion on the demo's own texts (bench/suggestion_demo.py,
tests/analysis/test_suggestions.py): which template a text came from lets a measurement keep whole
templates out of training, as a walk-through that words a demand its own way does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import SimpleNamespace

from minyi.demo import district, texts
from minyi.demo.plans import Slots


@dataclass(frozen=True)
class Sample:
    code: str  # third-level category code
    template: tuple[str, int]  # (code, index in CASE_TEXTS[code])
    title: str
    description: str


def _places() -> list[SimpleNamespace]:
    return [
        SimpleNamespace(area=None, community=community, street=street)
        for street in district.STREETS
        for community in street.communities
    ]


def fill(code: str, index: int, rng: random.Random) -> Sample:
    """One text of one template, for a random place, channel and closing."""
    types, title, body = texts.CASE_TEXTS[code][index]
    slots = Slots(rng, rng.choice(_places()))
    demand_type = rng.choice(types.split())
    opening = rng.choice(list(texts.CHANNEL_OPENINGS.values()))
    description = (
        rng.choice(opening) + body.format_map(slots) + rng.choice(texts.DEMAND_CLOSINGS[demand_type])
    )
    return Sample(code, (code, index), title.format_map(slots), description)


def samples(per_template: int, *, seed: int = 0) -> list[Sample]:
    """`per_template` texts of every template of every category, in a reproducible order."""
    rng = random.Random(seed)
    return [
        fill(code, index, rng)
        for code, templates in texts.CASE_TEXTS.items()
        for index in range(len(templates))
        for _ in range(per_template)
    ]
