"""What other parts of minyi link to a case, shown on its case page: the livelihood project it is
linked to, the visit it came from, the unit problem register entries made from it.

Each part answers for itself in its `links.case_links(user, case)` (and decides there what the user
may see); the case page only lists what they return.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Related:
    kind: str  # what the link is, for people: "民生实事项目", "走访记录" …
    title: str
    url: str
    note: str = ""


def related_to(user, case) -> list[Related]:
    from minyi.problems.links import case_links as problem_links
    from minyi.projects.links import case_links as project_links
    from minyi.visits.links import case_links as visit_links

    return [*project_links(user, case), *visit_links(user, case), *problem_links(user, case)]
