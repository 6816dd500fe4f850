from __future__ import annotations

import datetime as dt

from minyi.cases.history import HistoricCase, create_historic_cases
from minyi.catalog.choices import Channel, DemandType
from tests.analysis.corpus import TOPICS, examples
from tests.conftest import at


def handled_cases(categories: dict, *, per_topic: int = 24, start: str = "2026-03-02 09:00") -> int:
    """Archived historic cases of the corpus' topics, each under the category given for its topic."""
    texts, labels = examples(per_topic)
    moment = at(start)
    items = []
    for n, (text, label) in enumerate(zip(texts, labels, strict=True)):
        received = moment + dt.timedelta(hours=n)
        items.append(
            HistoricCase(
                channel=Channel.HOTLINE,
                demand_type=DemandType.COMPLAINT,
                title=text[:20],
                description=text,
                status="archived",
                received_at=received,
                replied_at=received + dt.timedelta(days=1),
                closed_at=received + dt.timedelta(days=2),
                reply_text="已处理。",
                category=categories[label],
                external_id=f"T{n}",
            )
        )
    return create_historic_cases(items, source="test").created


assert set(TOPICS) == {"heating", "roads", "insurance"}


def heating_alert(world, now, *, category=None):
    """An open surge alert: 16 heating calls in 东城社区 yesterday where 3.1 were expected."""
    from minyi.analysis.models import SurgeAlert

    category = category or world.heating_cat
    return SurgeAlert.objects.create(
        category=category,
        area=world.east_community,
        key=f"c{category.pk}@a{world.east_community.pk}",
        window_days=1,
        start=now.date() - dt.timedelta(days=1),
        end=now.date() - dt.timedelta(days=1),
        observed=16,
        expected=3.1,
        p_value=1e-6,
        explanation="东城社区「供热」：近1天16件，预期3.1件（×5.2）",
        unit=world.heating,
        created_at=now,
    )
