"""The configuration of the measures (考核指标): which rates there are, how each is computed from the
counts of stats/measures.py, how the score weighs them, and how many cases a unit needs in a period to
be ranked by it. Places weigh them differently, so this is a file (minyi/stats/measures.toml by
default, MINYI_MEASURES_FILE to use another), read once and checked whole: a wrong name or weight is an
error that names the file and the key. MINYI_RANKING_MIN_CASES, when set, replaces the file's
minimum.

A rate and the score have the name the district gives them (`label`, Chinese: the reports and the
Chinese interface) and an English name (`label_en`) for the English interface; pages show
`shown_label`, the one of the active language (the label when no English name is given).
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

DEFAULT_FILE = Path(__file__).with_name("measures.toml")
MIN_CASES = 10  # when the file does not say
SAMPLE = "due"  # 应办结: the orders a unit's handling is judged on in the period


def in_language(label: str, label_en: str) -> str:
    """The name to show in the active language: the English one on English pages when there is one."""
    english = (translation.get_language() or "").startswith("en")
    return label_en if english and label_en else label


@dataclass(frozen=True)
class Rate:
    name: str
    label: str  # the district's name (reports, the Chinese interface)
    numerator: str
    denominator: str
    lower_is_better: bool = False
    label_en: str = ""  # the English interface's name; empty: the label

    @property
    def shown_label(self) -> str:
        return in_language(self.label, self.label_en)


@dataclass(frozen=True)
class Share:
    """A rate's weight in the score as a share of all the weights (per cent), as pages explain it."""

    rate: Rate
    percent: float


@dataclass(frozen=True)
class Config:
    rates: dict[str, Rate]
    score_label: str
    weights: dict[str, float]  # rate name → weight
    # The ranking (排名): a unit whose `sample` count of the period is below `min_cases` is not ranked
    # but shown as 样本不足 (insufficient sample): see docs/measures.md.
    min_cases: int = MIN_CASES
    sample: str = SAMPLE
    score_label_en: str = ""

    @property
    def shown_score_label(self) -> str:
        return in_language(self.score_label, self.score_label_en)

    def shares(self) -> list[Share]:
        """The weighed rates in the file's order, each weight as a per cent of their sum (10/30/30/30
        → 10 %, 30 %, 30 %, 30 %; 1/1 → 50 %, 50 %): what the score is, when every rate has data."""
        total = sum(self.weights.values())
        return [Share(self.rates[n], 100 * w / total) for n, w in self.weights.items() if w]


def parse(text: str, source: str, counts: tuple[str, ...]) -> Config:
    """A Config from TOML text; every problem is reported together."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImproperlyConfigured(f"{source}: not valid TOML: {exc}") from None
    problems: list[str] = []
    rates = {}
    for name, spec in (data.get("rates") or {}).items():
        if not isinstance(spec, dict):
            problems.append(f"rates.{name}: must be a table with label, numerator, denominator")
            continue
        for part in ("numerator", "denominator"):
            if spec.get(part) not in counts:
                problems.append(f"rates.{name}.{part} = {spec.get(part)!r}: use one of {', '.join(counts)}")
        problems += _label_problems(spec, f"rates.{name}")
        rates[name] = Rate(
            name,
            str(spec.get("label") or name),
            str(spec.get("numerator")),
            str(spec.get("denominator")),
            bool(spec.get("lower_is_better", False)),
            str(spec.get("label_en") or ""),
        )
    if not rates:
        problems.append("[rates]: define at least one rate")
    score = data.get("score") or {}
    problems += _label_problems(score, "score")
    weights = {}
    for name, weight in (score.get("weights") or {}).items():
        if name not in rates:
            problems.append(f"score.weights.{name}: no such rate (rates: {', '.join(rates)})")
        elif not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
            problems.append(f"score.weights.{name} = {weight!r}: a weight is a number of 0 or more")
        else:
            weights[name] = float(weight)
    if score.get("weights") is not None and not sum(weights.values()) and not problems:
        problems.append("score.weights: at least one weight must be above 0")
    min_cases = score.get("min_cases", MIN_CASES)
    if not isinstance(min_cases, int) or isinstance(min_cases, bool) or min_cases < 1:
        problems.append(f"score.min_cases = {min_cases!r}: a whole number of 1 or more")
    sample = score.get("sample", SAMPLE)
    if sample not in counts:
        problems.append(f"score.sample = {sample!r}: use one of {', '.join(counts)}")
    if problems:
        raise ImproperlyConfigured(f"{source}: " + "; ".join(problems))
    return Config(
        rates,
        str(score.get("label") or "score"),
        weights,
        min_cases,
        str(sample),
        str(score.get("label_en") or ""),
    )


def _label_problems(spec: dict, where: str) -> list[str]:
    return [
        f"{where}.{key} = {spec[key]!r}: a name is text in quotes"
        for key in ("label", "label_en")
        if key in spec and not isinstance(spec[key], str)
    ]


@functools.cache
def _load(path: str) -> Config:
    from minyi.stats.measures import COUNTS

    file = Path(path)
    if not file.is_file():
        raise ImproperlyConfigured(f"MINYI_MEASURES_FILE={path}: there is no such file")
    return parse(file.read_text(encoding="utf-8"), str(file), COUNTS)


def current() -> Config:
    chosen = _load(str(settings.MINYI_MEASURES_FILE or DEFAULT_FILE))
    if settings.MINYI_RANKING_MIN_CASES is not None:
        chosen = dataclasses.replace(chosen, min_cases=settings.MINYI_RANKING_MIN_CASES)
    return chosen
