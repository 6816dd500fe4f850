"""Who may see and record visit campaigns (民情走访) — the one place for these rules.

- The centre and leaders (dispatcher, supervisor, leader, administrator) read every campaign, team,
  visit and household. They do not record visits: that is the secretaries' work at the door.
- A visit secretary (民情书记) reads the campaigns of the teams they belong to, with the progress of
  those teams only. Within such a campaign they see their teams' visits and every visit to a
  household in an area assigned to one of their teams in that campaign. Beyond it, they see the
  earlier visits (of any campaign) to the households of the areas their team covers in a campaign
  running today, so that a repeat visit shows what earlier visitors heard; when that campaign
  ends, this history closes again. They record visits only in the areas assigned to their own
  team, and only while the campaign runs (its first to its last day).
- The head of a street or community office (单位负责人 of a unit of the kind street or community,
  with an area) reads the progress, visits and households within the office's area. Heads of other
  units (departments, enterprises) do not, even if their unit has an area: they see the cases they
  handle, not the visits behind them.

Whatever a user may not see is reported as not found, so ids leak nothing. Whether a user may open
the case a problem became is decided by access/cases.py as for any case.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minyi.core import clock
from minyi.core.errors import NotFound, NotPermitted
from minyi.org.models import Area, Unit, User
from minyi.org.roles import Role

READERS = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR)
AREA_READERS = (Role.UNIT_HEAD,)
AREA_READER_UNITS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY)
VIEWERS = (Role.VISIT_SECRETARY, *READERS, *AREA_READERS)


def _models():
    # Imported late: access/ is loaded by apps (cases) that the visits app depends on.
    from minyi.visits import models

    return models


def sees_every_campaign(user) -> bool:
    return user.is_authenticated and user.has_role(*READERS)


def _member_team_ids(user) -> frozenset[int]:
    """The teams the user records for: those they belong to while holding the secretary role.
    Read once per user object (one request)."""
    if not (user.is_authenticated and user.has_role(Role.VISIT_SECRETARY)):
        return frozenset()
    cache = user.__dict__.setdefault("_visit_team_ids", None)
    if cache is None:
        cache = frozenset(_models().Team.objects.filter(members=user).values_list("pk", flat=True))
        user.__dict__["_visit_team_ids"] = cache
    return cache


def _reader_area(user) -> Area | None:
    """The area a street or community office head reads (their unit's area). The head of a
    department or an enterprise whose unit has an area (its field of work) reads nothing here: the
    visits are the offices' own work in their places."""
    if not (user.is_authenticated and user.has_role(*AREA_READERS)):
        return None
    if user.unit_id and user.unit.area_id and user.unit.kind in AREA_READER_UNITS:
        return user.unit.area
    return None


def sees_confidential_problems(user) -> bool:
    """May the user see the confidential problems (every 举报) raised at a door, with their case? The
    centre and the visit secretaries, who heard them, may; a street or community office head reading
    its area's visits may not: the visit names the household, and the office may be the unit the
    report is about (access/personal_data.py, hides_reporter)."""
    return sees_every_campaign(user) or bool(_member_team_ids(user))


def problems_shown_to(user, problems):
    """Of these visit problems (a queryset), those the user may see listed with their visit."""
    return problems if sees_confidential_problems(user) else problems.exclude(case__is_confidential=True)


def may_open_visits(user) -> bool:
    """The 民情走访 menu entry: for those who see at least something of the campaigns."""
    if not user.is_authenticated:
        return False
    return sees_every_campaign(user) or bool(_member_team_ids(user)) or _reader_area(user) is not None


def _member_assignments(user) -> list[tuple[int, str, object, object]]:
    """(campaign id, area path, first day, last day) of every area assigned to one of the user's
    teams. Read once per user object (one request)."""
    teams = _member_team_ids(user)
    if not teams:
        return []
    cache = user.__dict__.get("_visit_assignments")
    if cache is None:
        cache = list(
            _models()
            .Assignment.objects.filter(team_id__in=teams)
            .values_list("campaign_id", "area__path", "campaign__starts_on", "campaign__ends_on")
            .distinct()
        )
        user.__dict__["_visit_assignments"] = cache
    return cache


def _secretary_visits(user, campaign) -> Q:
    """The visits a secretary reads: see the module's docstring. With `campaign`, only within it."""
    teams = _member_team_ids(user)
    if not teams:
        return Q(pk__in=[])
    assignments = _member_assignments(user)
    if campaign is not None:
        paths = sorted({path for c, path, _s, _e in assignments if c == campaign.pk})
        return Q(campaign_id=campaign.pk) & (
            Q(team_id__in=teams) | _within_any("household__area__path", paths)
        )
    q = Q(team_id__in=teams)
    per_campaign: dict[int, set[str]] = {}
    for campaign_id, path, _start, _end in assignments:
        per_campaign.setdefault(campaign_id, set()).add(path)
    for campaign_id, paths in sorted(per_campaign.items()):
        q |= Q(campaign_id=campaign_id) & _within_any("household__area__path", sorted(paths))
    today = clock.today()
    current = sorted({path for _c, path, start, end in assignments if start <= today <= end})
    return q | _within_any("household__area__path", current)


def _within_any(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


# --- campaigns ------------------------------------------------------------------------------------


def campaigns_visible_to(user) -> QuerySet:
    m = _models()
    if sees_every_campaign(user):
        return m.Campaign.objects.all()
    q = Q(pk__in=[])
    teams = _member_team_ids(user)
    if teams:
        q |= Q(teams__in=teams)
    area = _reader_area(user)
    if area is not None:
        q |= Q(assignments__area__path__startswith=area.path)
    return m.Campaign.objects.filter(pk__in=m.Campaign.objects.filter(q).values("pk"))


def access_campaign_by_id(user, campaign_id: int | str):
    """The campaign, if the user may see it; NotFound otherwise (also for ids that do not exist)."""
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no visit campaign %(id)s.") % {"id": campaign_id}) from None
    campaign = campaigns_visible_to(user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(
            _("There is no visit campaign %(id)s, or it is outside your scope.") % {"id": campaign_id}
        )
    return campaign


def assignments_visible_to(user, campaign) -> QuerySet:
    """The campaign's assigned areas whose progress the user reads (every row of the progress
    tables comes from these)."""
    qs = campaign.assignments.select_related("team", "area")
    if sees_every_campaign(user):
        return qs
    q = Q(pk__in=[])
    teams = _member_team_ids(user)
    if teams:
        q |= Q(team_id__in=teams)
    area = _reader_area(user)
    if area is not None:
        q |= Q(area__path__startswith=area.path)
    return qs.filter(q)


def sees_whole_campaign(user) -> bool:
    """Do the user's progress tables hold every team? (Said on the page when they do not.)"""
    return sees_every_campaign(user)


# --- visits and households --------------------------------------------------------------------------


def visits_visible_to(user, campaign=None) -> QuerySet:
    """The visits the user reads. With `campaign`: that campaign's visits as its pages show them
    (for a secretary, without the history of other campaigns' visits)."""
    m = _models()
    visits = m.Visit.objects.all() if campaign is None else m.Visit.objects.filter(campaign=campaign)
    if sees_every_campaign(user):
        return visits
    q = _secretary_visits(user, campaign)
    area = _reader_area(user)
    if area is not None:
        # Not a visit at which a report (举报) was raised: its grid, its day and its minute match the
        # report's case, which the office may see, and the visit names the secretary and the door.
        reports = m.VisitProblem.objects.filter(case__is_confidential=True).values("visit_id")
        q |= Q(household__area__path__startswith=area.path) & ~Q(pk__in=reports)
    return visits.filter(q)


def access_visit_by_id(user, visit_id: int | str):
    try:
        pk = int(visit_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no visit %(id)s.") % {"id": visit_id}) from None
    visit = (
        visits_visible_to(user)
        .filter(pk=pk)
        .select_related("campaign", "team", "household__area", "secretary")
        .first()
    )
    if visit is None:
        raise NotFound(_("There is no visit %(id)s, or it is outside your scope.") % {"id": visit_id})
    return visit


def can_see_visit(user, visit) -> bool:
    return visits_visible_to(user).filter(pk=visit.pk).exists()


def households_visible_to(user) -> QuerySet:
    """The households the user reads: for a secretary, those with a visit they may read (a household
    exists only from its first visit on)."""
    m = _models()
    if sees_every_campaign(user):
        return m.Household.objects.all()
    q = Q(pk__in=[])
    if _member_team_ids(user):
        q |= Q(pk__in=m.Visit.objects.filter(_secretary_visits(user, None)).values("household_id"))
    area = _reader_area(user)
    if area is not None:
        q |= Q(area__path__startswith=area.path)
    return m.Household.objects.filter(q)


def access_household_by_id(user, household_id: int | str):
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no household %(id)s.") % {"id": household_id}) from None
    household = households_visible_to(user).filter(pk=pk).select_related("area").first()
    if household is None:
        raise NotFound(_("There is no household %(id)s, or it is outside your scope.") % {"id": household_id})
    return household


# --- recording ------------------------------------------------------------------------------------


def recording_assignments(user, campaign) -> QuerySet:
    """The areas in which the user may record visits of this campaign: those of their own teams."""
    return campaign.assignments.filter(team_id__in=_member_team_ids(user)).select_related(
        "team", "area", "area__parent"
    )


# Visits made on the last days are often typed up afterwards (paper forms, no signal in a village):
# they may be entered for a week after the campaign ends, dated within it; then its figures are final.
LATE_ENTRY_DAYS = 7


def _outside_period(campaign) -> str:
    """Why no visit of the campaign can be recorded today ('' while it runs or in the week after).
    A visit must lie in the period and not in the future, so before the first day no date would do."""
    today = clock.today()
    if today < campaign.starts_on:
        return _("“%(campaign)s” starts on %(start)s: visits are recorded from then until %(end)s.") % {
            "campaign": campaign.name,
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }
    last = campaign.ends_on + dt.timedelta(days=LATE_ENTRY_DAYS)
    if today > last:
        return _("“%(campaign)s” ended on %(end)s; its visits could be entered until %(last)s.") % {
            "campaign": campaign.name,
            "end": campaign.ends_on.isoformat(),
            "last": last.isoformat(),
        }
    return ""


def may_record(user, campaign) -> bool:
    return not _outside_period(campaign) and recording_assignments(user, campaign).exists()


def recording_closed(user, campaign) -> str:
    """For a member of one of the campaign's teams: why they may not record now, outside the
    campaign's period ('' while it runs, and for everyone else)."""
    reason = _outside_period(campaign)
    if reason and user.has_role(Role.VISIT_SECRETARY) and recording_assignments(user, campaign).exists():
        return reason
    return ""


def check_may_record(user: User, campaign) -> list:
    """The assignments the user records in (ordered by place), or NotPermitted saying why none."""
    if not user.has_role(Role.VISIT_SECRETARY):
        raise NotPermitted(_("Only visit secretaries record visits: ask the administrator for the role."))
    assignments = list(recording_assignments(user, campaign).order_by("area__path"))
    if not assignments:
        raise NotPermitted(
            _("You are not a member of a team of “%(campaign)s”: ask the administrator to add you to one.")
            % {"campaign": campaign.name}
        )
    reason = _outside_period(campaign)
    if reason:
        raise NotPermitted(reason)
    return assignments


def check_record(user: User, campaign, area: Area):
    """The assignment (and so the team) a visit by `user` to a household in `area` counts for, or
    NotPermitted saying why not."""
    assignments = check_may_record(user, campaign)
    for assignment in assignments:
        if area.is_within(assignment.area):
            return assignment
    raise NotPermitted(
        _("%(area)s is not assigned to your team in “%(campaign)s”. Your team visits: %(areas)s.")
        % {
            "area": area.name,
            "campaign": campaign.name,
            "areas": "、".join(a.area.name for a in assignments),
        }
    )
