"""Visit campaigns (民情走访): the campaign, its teams of visit secretaries (民情书记), the communities and
grids assigned to each team, the households visited and each visit with the problems raised at it.

A household (走访户) is kept apart from its visits so that a second visit to the same door is
recognised: its address is stored as typed and as a normal form (`addresses.address_key`), unique
within its area. Households do not belong to a campaign, so the visits of earlier campaigns stay
visible at the next one. Every problem raised becomes a case (工单) through `cases.services` and
is linked back here (`VisitProblem.case`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minyi.core import clock
from minyi.org.models import Area
from minyi.visits.addresses import address_key

# Campaigns assign communities or grids: the households of a street are counted in its communities.
ASSIGNABLE_LEVELS = (Area.Level.COMMUNITY, Area.Level.GRID)


class Campaign(models.Model):
    """民情走访活动: a period in which teams visit the households of their assigned areas."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("visit campaign")
        verbose_name_plural = _("visit campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A campaign cannot end before it starts.")})

    @staticmethod
    def lock(campaign_id: int | None) -> None:
        """Lock the campaign's row until the transaction ends, so that two administrators saving
        assignments of one campaign at once check for overlaps one after the other (on SQLite the
        admin's transaction holds the write lock already: BEGIN IMMEDIATE)."""
        if campaign_id and transaction.get_connection().in_atomic_block:
            list(Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("pk", flat=True))


class Team(models.Model):
    """走访组: visit secretaries who visit the areas assigned to the team, often led by a street office."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="teams", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("leading unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_teams",
        help_text=_("For example the street office whose secretaries form the team."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visit secretaries"),
        blank=True,
        related_name="visit_teams",
        help_text=_("Only members holding the visit secretary role may record visits."),
    )

    class Meta:
        verbose_name = _("visit team")
        verbose_name_plural = _("visit teams")
        ordering = ["campaign", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A community or grid a team visits, with the households counted there (the coverage's
    denominator; by default the area's own count)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("campaign")
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("team")
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="visit_assignments",
        verbose_name=_("community or grid"),
        limit_choices_to={"level__in": ASSIGNABLE_LEVELS},
    )
    households = models.PositiveIntegerField(
        _("households"), blank=True, help_text=_("Leave empty to take the area's number of households.")
    )

    class Meta:
        verbose_name = _("assigned area")
        verbose_name_plural = _("assigned areas")
        ordering = ["team", "area__path"]
        constraints = [
            # One team per place and campaign: the coverage of a place has one owner.
            models.UniqueConstraint(fields=["campaign", "area"], name="assignment_unique_area"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.area}"

    def _take_campaign_from_team(self) -> None:
        # The campaign is the team's (it is stored for the unique constraint): never chosen apart.
        team = self._team_or_none()
        if team is not None and team.campaign_id:
            self.campaign_id = team.campaign_id

    def clean_fields(self, exclude=None) -> None:
        self._take_campaign_from_team()
        super().clean_fields(exclude)

    # The admin's inline sets this on each of its rows: the ids of the rows it saves together, whose
    # stored areas it may be changing; it checks the rows among themselves (admin.AssignmentFormSet).
    checked_together: frozenset[int] = frozenset()

    def clean(self) -> None:
        self._take_campaign_from_team()
        if not self.area_id:
            return
        if self.area.level not in ASSIGNABLE_LEVELS:
            raise ValidationError({"area": _("Assign a community or a grid, not a street or the district.")})
        if self.households is None:
            self.households = self.area.households
        if self.campaign_id:
            Campaign.lock(self.campaign_id)
            overlapping = (
                Assignment.objects.filter(campaign_id=self.campaign_id)
                .exclude(pk__in={self.pk, *self.checked_together} - {None})
                .select_related("area", "team")
            )
            for other in overlapping:
                if other.area.is_within(self.area) or self.area.is_within(other.area):
                    raise ValidationError(
                        {
                            "area": _(
                                "%(area)s overlaps %(other)s, assigned to %(team)s already: assign each "
                                "household's place to one team only."
                            )
                            % {"area": self.area.name, "other": other.area.name, "team": other.team.name}
                        }
                    )

    def _team_or_none(self) -> Team | None:
        # In the admin's inline on a new team the team is the unsaved parent object.
        try:
            return self.team
        except Team.DoesNotExist:
            return None

    def save(self, *args, **kwargs) -> None:
        self._take_campaign_from_team()
        if self.households is None:
            self.households = self.area.households
        super().save(*args, **kwargs)


class Household(models.Model):
    """走访户: one door, known by its address within a community or grid."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households_visited", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=200)
    address_key = models.CharField(_("normalised address"), max_length=200, editable=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["area__path", "address_key"]
        constraints = [
            models.UniqueConstraint(fields=["area", "address_key"], name="household_unique_address"),
        ]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:
        self.address_key = address_key(self.address)
        super().save(*args, **kwargs)


class Visit(models.Model):
    """走访记录: one visit of a secretary to a household."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="visits", verbose_name=_("campaign")
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="visits", verbose_name=_("team"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("visit secretary"),
    )
    visited_on = models.DateField(_("visited on"))
    people_met = models.CharField(_("people met"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)
    # The one-time token of the form the visit was recorded with: a form sent twice (a double tap,
    # a retry on a bad connection) finds the visit of its first sending instead of recording it
    # again. Empty for visits recorded without the form (the demo).
    token = models.UUIDField(_("form token"), null=True, blank=True, editable=False)
    # Not stored: set by visits.services.visit_record on the visit that a second sending found.
    replayed = False

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["secretary", "token"], name="visit_unique_token")]
        indexes = [
            # progress of a campaign (households visited per area), a household's visits, "my visits"
            models.Index(fields=["campaign", "household"], name="visit_campaign_household"),
            models.Index(fields=["household", "-visited_on"], name="visit_household_date"),
            models.Index(fields=["secretary", "-created_at"], name="visit_secretary_recent"),
            models.Index(fields=["team", "-visited_on"], name="visit_team_date"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.visited_on:%Y-%m-%d}"


class VisitProblem(models.Model):
    """A problem raised at a visit, and the case it became."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="problems", verbose_name=_("visit")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("problem raised"))
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="visit_problem", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("problem raised")
        verbose_name_plural = _("problems raised")
        ordering = ["visit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "position"], name="visitproblem_unique_position")
        ]

    def __str__(self) -> str:
        return self.text[:60]


def _photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{instance.visit.visited_on:%Y/%m}/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    """A photo taken at a visit (the door, the broken lift): stored as the re-encoded copy without
    EXIF that core/photos.py makes, and served only to those who may see the visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    file = models.FileField(_("file"), upload_to=_photo_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.name
