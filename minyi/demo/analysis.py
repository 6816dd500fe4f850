"""The demo's analysis (民意大数据分析): the seed's story — the centre noticed from the hotline that
heating calls were up in one community and forwarded it before it grew — as data, plus what the daily
jobs would have left: a category classifier trained on the demo's handled cases, yesterday's hot
issues and yesterday's surge alerts.

The burst: yesterday, a dozen residents of one estate call about radiators gone cold. Through the
services like every demo case: registered by the operators, accepted and classified by the dispatcher.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from minyi.analysis import jobs, suggestions
from minyi.cases.services import case_apply, case_create
from minyi.core import clock
from minyi.core.errors import MinyiError
from minyi.demo.build import Reference, random_name, random_phone
from minyi.stats import rollups

BURST_COMMUNITY = 0  # the first community of the district (its first compound): the story's estate
BURST_CALLS = 13
TITLES = (
    "{c}暖气不热",
    "{c}{b}栋暖气片冰凉",
    "{c}供暖温度不达标",
    "{c}家里暖气不热，室温太低",
    "{c}暖气时冷时热",
)
BODIES = (
    "来电人反映：{c}{b}栋{u}单元从前天开始暖气不热，室温只有十三四度，家里有老人孩子，请热力公司尽快处理。",
    "市民来电称，{c}{b}栋暖气片摸着冰凉，打热力公司电话一直占线，希望尽快派人检修。",
    "来电人称：{c}这两天整栋楼暖气都不热，室温不到16度，邻居们都在反映，请尽快解决。",
    "市民来电反映，{c}{b}栋供暖温度不达标，晚上只有14度，孩子感冒了，请相关部门督促热力公司处理。",
)


def heating_burst(ref: Reference, rng: random.Random, now: dt.datetime) -> int:
    """Yesterday's calls about one estate's heating; returns how many."""
    grids = [p for p in ref.grids if p.area.depth == 4]
    community = grids[BURST_COMMUNITY].community
    compound = community.compounds[0]
    places = [p for p in grids if p.community.key == community.key]
    yesterday = clock.local(now).replace(hour=8, minute=5, second=0, microsecond=0) - dt.timedelta(days=1)
    operator, dispatcher = ref.users["operator"], ref.users["dispatcher"]
    for i in range(BURST_CALLS):
        moment = yesterday + dt.timedelta(minutes=37 * i + rng.randint(0, 20))
        fill = {"c": compound, "b": rng.randint(1, 12), "u": rng.randint(1, 4)}
        with clock.frozen_at(moment):
            case = case_create(
                actor=operator,
                channel="hotline",
                demand_type="complaint",
                title=rng.choice(TITLES).format(**fill),
                description=rng.choice(BODIES).format(**fill),
                area=rng.choice(places).area,
                requester_name=random_name(rng),
                requester_phone=random_phone(rng),
            )
        with clock.frozen_at(moment + dt.timedelta(minutes=12)):
            case_apply(case_id=case.pk, operation="accept", actor=dispatcher, category="010101")
    return BURST_CALLS


def analyse(now: dt.datetime, say: Callable[[str], None]) -> None:
    """Train the classifier and run the daily jobs for yesterday, as a working worker would have."""
    try:
        version = suggestions.classifier_train_from_db()
        say(f"category classifier v{version.version}: {version.examples} cases, held-out macro-F1 "
            f"{version.held_out_macro_f1} (near-duplicates held out together), shown from "
            f"{version.info.get('min_confidence', 1):.0%} confidence")  # fmt: skip
    except MinyiError as exc:
        say(f"category classifier: {exc.message}")
    done = jobs.run_daily(now=max(now, clock.local(now).replace(hour=jobs.START_HOUR, minute=5)))
    hot, rising = done.get("hot_issues", 0), done.get("surges", 0)
    say(f"analysis of yesterday: {hot} hot issues, {rising} rising topics")
    months = rollups.refresh(now=now, limit=1000)
    say(f"stored measures of {len(months)} closed months")
