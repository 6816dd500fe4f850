"""The progress of a visit campaign: coverage and problems per team, community and grid.

- **Households assigned** (应走访户数): an assigned area's household count (`Assignment.households`,
  by default the area's). A grid inside an assigned community counts its own `Area.households`.
- **Households visited** (已走访户数): distinct households with at least one visit of the campaign;
  a second visit to the same door counts once here and once more in **visits** (走访次数).
- **Coverage** (覆盖率) = households visited ÷ households assigned.
- **Problems raised** (反映问题): the problems recorded at the campaign's visits, each a case. Of
  these, **solved** (已办结) are the cases whose handling is closed with a reply — replied, called
  back or archived (`SOLVED`; a case answered on the spot or answered through its master case
  counts too); **pending** (办理中) are the cases still in the loop — open, or merged into a master
  case that has not been replied to yet; the rest were **not taken up** (rejected or withdrawn).

Every function takes the assignments the reader may see (access/visits.py), so the reader's scope
applies; a household lies in exactly one assigned area (assignments of a campaign do not overlap),
so the figures of areas add up to their team's and the campaign's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from minyi.cases.workflow import OPEN, Status
from minyi.org.models import Area
from minyi.visits.models import Assignment, Campaign, Household, Team, Visit, VisitProblem

SOLVED = frozenset({Status.REPLIED, Status.CALLED_BACK, Status.ARCHIVED})
PENDING = OPEN | {Status.MERGED}
NOT_TAKEN_UP = frozenset({Status.REJECTED, Status.WITHDRAWN})


@dataclass
class Figures:
    """The counts of one row: a team, a community, a grid or the whole campaign."""

    assigned: int = 0
    visited: int = 0
    visits: int = 0
    raised: int = 0
    solved: int = 0
    pending: int = 0
    not_taken_up: int = 0

    @property
    def coverage(self) -> float | None:
        return self.visited / self.assigned if self.assigned else None

    @property
    def repeat_visits(self) -> int:
        return self.visits - self.visited

    @property
    def solved_rate(self) -> float | None:
        return self.solved / self.raised if self.raised else None

    def add(self, other: Figures, *, assigned: bool = True) -> None:
        if assigned:
            self.assigned += other.assigned
        self.visited += other.visited
        self.visits += other.visits
        self.raised += other.raised
        self.solved += other.solved
        self.pending += other.pending
        self.not_taken_up += other.not_taken_up


@dataclass
class Row:
    """A named row of a progress table."""

    key: int
    name: str
    figures: Figures
    team: str = ""  # the team that visits it (communities and grids)
    parent: str = ""  # the community of a grid, the street of a community
    members: list[str] = field(default_factory=list)  # the secretaries of a team


@dataclass
class Progress:
    total: Figures
    teams: list[Row]
    communities: list[Row]
    grids: list[Row]


def _per_area(campaign: Campaign) -> dict[int, Figures]:
    """{area id: figures} of the places where the campaign's households lie (two GROUP BY queries)."""
    found: dict[int, Figures] = defaultdict(Figures)
    visits = (
        Visit.objects.filter(campaign=campaign)
        .values("household__area_id")
        .annotate(households=Count("household_id", distinct=True), visits=Count("id"))
        .order_by()
    )
    for row in visits:
        figures = found[row["household__area_id"]]
        figures.visited, figures.visits = row["households"], row["visits"]
    problems = (
        VisitProblem.objects.filter(visit__campaign=campaign)
        .values("visit__household__area_id", "case__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in problems:
        _count_problems(found[row["visit__household__area_id"]], row["case__status"], row["n"])
    return found


def _count_problems(figures: Figures, status: str, n: int) -> None:
    figures.raised += n
    if status in SOLVED:
        figures.solved += n
    elif status in NOT_TAKEN_UP:
        figures.not_taken_up += n
    else:
        figures.pending += n


def campaign_progress(
    *, campaign: Campaign, assignments: QuerySet[Assignment] | Iterable[Assignment]
) -> Progress:
    """Coverage and problems of the given assignments (the reader's), per team, community and grid."""
    assignments = list(assignments)
    per_area = _per_area(campaign)
    paths = dict(Area.objects.filter(pk__in=per_area).values_list("pk", "path"))

    def within(area: Area) -> Figures:
        figures = Figures()
        for area_id, found in per_area.items():
            if paths.get(area_id, "").startswith(area.path):
                figures.add(found)
        return figures

    total = Figures()
    teams: dict[int, Row] = {}
    communities: dict[int, Row] = {}
    grids: dict[int, Row] = {}
    community_ids = {a.area.parent_id for a in assignments if a.area.level == Area.Level.GRID}
    community_ids |= {a.area_id for a in assignments if a.area.level == Area.Level.COMMUNITY}
    names = dict(Area.objects.filter(pk__in=community_ids).values_list("pk", "name"))
    street_names = dict(Area.objects.filter(children__in=community_ids).values_list("pk", "name").distinct())
    community_street = dict(Area.objects.filter(pk__in=community_ids).values_list("pk", "parent_id"))
    for assignment in sorted(assignments, key=lambda a: (a.team.name, a.area.path)):
        area, team = assignment.area, assignment.team
        figures = within(area)
        figures.assigned = assignment.households
        total.add(figures)
        team_row = teams.setdefault(team.pk, Row(team.pk, team.name, Figures()))
        team_row.figures.add(figures)
        community_id = area.pk if area.level == Area.Level.COMMUNITY else area.parent_id
        community = communities.setdefault(
            community_id,
            Row(
                community_id,
                names.get(community_id, ""),
                Figures(),
                team=team.name,
                parent=street_names.get(community_street.get(community_id), ""),
            ),
        )
        community.figures.add(figures)
        if area.level == Area.Level.GRID:
            grids[area.pk] = Row(area.pk, area.name, figures, team=team.name, parent=community.name)
        else:  # the grids of an assigned community, each with its own household count
            for grid in area.children.filter(level=Area.Level.GRID, is_active=True).order_by("path"):
                grid_figures = within(grid)
                grid_figures.assigned = grid.households
                grids[grid.pk] = Row(grid.pk, grid.name, grid_figures, team=team.name, parent=area.name)
    _members(teams)
    return Progress(
        total=total,
        teams=list(teams.values()),
        communities=sorted(communities.values(), key=lambda r: (r.parent, r.name)),
        grids=sorted(grids.values(), key=lambda r: (r.parent, r.name)),
    )


def _members(teams: dict[int, Row]) -> None:
    for team in Team.objects.filter(pk__in=teams).prefetch_related("members"):
        teams[team.pk].members = [str(m) for m in team.members.all().order_by("username")]


def problems_of(visits: QuerySet[Visit]) -> QuerySet[VisitProblem]:
    """The problems raised at these visits, with their cases, newest visit first."""
    return (
        VisitProblem.objects.filter(visit__in=visits)
        .select_related("case", "visit__household__area", "visit__team", "visit__secretary")
        .order_by("-visit__visited_on", "-visit_id", "position")
    )


def household_visits(household: Household, *, visible: QuerySet[Visit]) -> QuerySet[Visit]:
    """Every visit to the household the reader may see, newest first (repeat visits, 回访户)."""
    return (
        visible.filter(household=household)
        .select_related("campaign", "team", "secretary")
        .prefetch_related("problems__case")
        .order_by("-visited_on", "-id")
    )


def other_visits(visit: Visit, *, visible: QuerySet[Visit]) -> QuerySet[Visit]:
    """The other visits to the same household (earlier or later), newest first."""
    return household_visits(visit.household, visible=visible).exclude(pk=visit.pk)


def recent_visits_of(user) -> QuerySet[Visit]:
    """The secretary's own recorded visits, the latest first."""
    return (
        Visit.objects.filter(secretary=user)
        .select_related("campaign", "household__area")
        .annotate(problem_count=Count("problems"))
        .order_by("-created_at", "-id")
    )
