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
