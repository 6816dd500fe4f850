"""The progress of a visit campaign: coverage and problems per team, community and grid.

- **Households assigned** (应走访户数): an assigned area's household count (`Assignment.households`,
  by default the area's). A grid inside an assigned community counts its own `Area.households`
  in its grid row; the community's row counts the assignment's number, not the sum of its grids.
  A community whose grids are assigned one by one counts the sum of those assignments (its grids
  left unassigned count nothing), and names every team that visits one of them.
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
from operator import attrgetter

from django.db.models import Count, Prefetch, Q, QuerySet

from minyi.cases.workflow import OPEN, Status
from minyi.core.trees import path_ids
from minyi.org.models import Area, User
from minyi.org.places import place_tree
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
    team: str = ""  # the team that visits it (communities and grids); of a community, all its teams
    parent: str = ""  # the community of a grid, the street of a community
    members: list[str] = field(default_factory=list)  # the secretaries of a team
    teams: list[str] = field(default_factory=list)  # of a community: every team visiting some of it


@dataclass
class Progress:
    total: Figures
    teams: list[Row]
    communities: list[Row]
    grids: list[Row]


def _per_area(campaign: Campaign) -> dict[str, Figures]:
    """{area path: figures} of the places where the campaign's households lie (two GROUP BY
    queries; the path comes along to find each place's assignment)."""
    found: dict[str, Figures] = defaultdict(Figures)
    visits = (
        Visit.objects.filter(campaign=campaign)
        .values("household__area__path")
        .annotate(households=Count("household_id", distinct=True), visits=Count("id"))
        .order_by()
    )
    for row in visits:
        figures = found[row["household__area__path"]]
        figures.visited, figures.visits = row["households"], row["visits"]
    problems = (
        VisitProblem.objects.filter(visit__campaign=campaign)
        .values("visit__household__area__path", "case__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in problems:
        _count_problems(found[row["visit__household__area__path"]], row["case__status"], row["n"])
    return found


def _count_problems(figures: Figures, status: str, n: int) -> None:
    figures.raised += n
    if status in SOLVED:
        figures.solved += n
    elif status in NOT_TAKEN_UP:
        figures.not_taken_up += n
    else:
        figures.pending += n


class AreaIndex:
    """Which assignment, and which grid row, a place of the campaign's households belongs to.

    Every assigned area and grid row is known by id; a place is looked up by the ids of its path
    (root first, `trees.path_ids`), so each visited place costs a few dictionary look-ups however
    many assignments the campaign has."""

    def __init__(self, assignments: Iterable[Assignment], grids: Iterable[Area] = ()) -> None:
        self.assignments = {a.area_id: a for a in assignments}
        self.grids = {g.pk: g for g in grids}
        for a in self.assignments.values():
            if a.area.level == Area.Level.GRID:
                self.grids[a.area_id] = a.area

    def _first(self, path: str, found: dict):
        # Assignments never overlap, so at most one id of the path is assigned.
        for pk in reversed(path_ids(path)):
            if pk in found:
                return found[pk]
        return None

    def assignment_of(self, path: str) -> Assignment | None:
        return self._first(path, self.assignments)

    def grid_of(self, path: str) -> Area | None:
        return self._first(path, self.grids)


def _grids_of_communities(assignments: list[Assignment]) -> list[Area]:
    """The active grids of the assigned communities (one query)."""
    communities = [a.area_id for a in assignments if a.area.level == Area.Level.COMMUNITY]
    if not communities:
        return []
    return list(
        Area.objects.filter(parent_id__in=communities, level=Area.Level.GRID, is_active=True).order_by("path")
    )


def campaign_progress(
    *, campaign: Campaign, assignments: QuerySet[Assignment] | Iterable[Assignment]
) -> Progress:
    """Coverage and problems of the given assignments (the reader's), per team, community and grid.

    A fixed number of queries, whatever the number of teams, communities and grids: the figures
    per place are two GROUP BY queries, and each place is then added to its assignment (and grid)
    once, found through its path."""
    assignments = list(assignments)
    per_area = _per_area(campaign)
    grids = _grids_of_communities(assignments)
    index = AreaIndex(assignments, grids)

    per_assignment: dict[int, Figures] = defaultdict(Figures)
    per_grid: dict[int, Figures] = defaultdict(Figures)
    for path, found in per_area.items():
        assignment = index.assignment_of(path)
        if assignment is None:  # outside the reader's assignments
            continue
        per_assignment[assignment.pk].add(found)
        grid = index.grid_of(path)
        if grid is not None:
            per_grid[grid.pk].add(found)

    community_ids = {a.area.parent_id for a in assignments if a.area.level == Area.Level.GRID}
    community_ids |= {a.area_id for a in assignments if a.area.level == Area.Level.COMMUNITY}
    community_of = {
        pk: (name, street)
        for pk, name, street in Area.objects.filter(pk__in=community_ids).values_list(
            "pk", "name", "parent__name"
        )
    }
    grids_by_community: dict[int, list[Area]] = defaultdict(list)
    for grid in grids:
        grids_by_community[grid.parent_id].append(grid)

    total = Figures()
    teams: dict[int, Row] = {}
    communities: dict[int, Row] = {}
    rows: dict[int, Row] = {}
    for assignment in sorted(assignments, key=lambda a: (a.team.name, a.area.path)):
        area, team = assignment.area, assignment.team
        figures = Figures()
        figures.add(per_assignment.get(assignment.pk, Figures()))
        figures.assigned = assignment.households
        total.add(figures)
        team_row = teams.setdefault(team.pk, Row(team.pk, team.name, Figures()))
        team_row.figures.add(figures)
        community_id = area.pk if area.level == Area.Level.COMMUNITY else area.parent_id
        name, street = community_of.get(community_id, ("", ""))
        community = communities.setdefault(
            community_id, Row(community_id, name, Figures(), parent=street or "")
        )
        community.figures.add(figures)
        if team.name not in community.teams:
            community.teams.append(team.name)
        if area.level == Area.Level.GRID:
            rows[area.pk] = Row(area.pk, area.name, figures, team=team.name, parent=community.name)
        else:  # the grids of an assigned community, each with its own household count
            for grid in grids_by_community.get(area.pk, ()):
                grid_figures = Figures()
                grid_figures.add(per_grid.get(grid.pk, Figures()))
                grid_figures.assigned = grid.households
                rows[grid.pk] = Row(grid.pk, grid.name, grid_figures, team=team.name, parent=area.name)
    for community in communities.values():
        community.team = "、".join(sorted(community.teams))
    _members(teams)
    places = place_tree()  # rows in the reading order of places (第二网格 before 第十网格)
    return Progress(
        total=total,
        teams=list(teams.values()),
        communities=places.in_order(communities.values(), attrgetter("key")),
        grids=places.in_order(rows.values(), attrgetter("key")),
    )


def campaign_totals(*, campaign: Campaign, assignments: QuerySet[Assignment]) -> Figures:
    """The campaign's total figures over the given assignments, from aggregate queries only (the
    campaign list shows one row per campaign; the rows per place are on the campaign's page).
    The same figures as `campaign_progress(...).total`."""
    visible = list(assignments.values_list("area__path", "households"))
    figures = Figures(assigned=sum(households for _path, households in visible))
    if not visible:
        return figures
    visits = Visit.objects.filter(campaign=campaign)
    if len(visible) < campaign.assignments.count():  # a part of the campaign: its places only
        place = Q(pk__in=[])
        for path, _households in visible:
            place |= Q(household__area__path__startswith=path)
        visits = visits.filter(place)
    counted = visits.aggregate(visited=Count("household_id", distinct=True), visits=Count("id"))
    figures.visited, figures.visits = counted["visited"], counted["visits"]
    for row in (
        VisitProblem.objects.filter(visit__in=visits.values("pk"))
        .values("case__status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        _count_problems(figures, row["case__status"], row["n"])
    return figures


def _members(teams: dict[int, Row]) -> None:
    members = Prefetch("members", queryset=User.objects.order_by("username"))
    for team in Team.objects.filter(pk__in=teams).prefetch_related(members):
        teams[team.pk].members = [str(m) for m in team.members.all()]


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
