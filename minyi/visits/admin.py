"""Visit campaigns as administrators set them up: the campaign and its teams, each team's members
and assigned areas. Visits and the problems raised are written by the secretaries through the
console (visits/services.py): the admin only shows them."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minyi.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, site
from minyi.visits.models import Assignment, Campaign, Household, Team, Visit, VisitProblem


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ("name", "unit")
    autocomplete_fields = ("unit",)
    show_change_link = True


@admin.register(Campaign, site=site)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "team_count")
    search_fields = ("name",)
    date_hierarchy = "starts_on"
    fields = ("name", "starts_on", "ends_on", "note")
    inlines = [TeamInline]

    @admin.display(description=_("teams"))
    def team_count(self, obj: Campaign) -> int:
        return obj.teams.count()


class AssignmentFormSet(BaseInlineFormSet):
    """A team's assigned areas, saved together. Each row is checked against the other teams' stored
    assignments (Assignment.clean) and, here, against the other rows of the same page: a community
    and one of its grids typed on one page would otherwise each pass, being checked only against
    what was stored before, and their households would be counted twice."""

    def full_clean(self) -> None:
        # Rows of this page are checked among themselves below, with the areas as now typed: their
        # stored areas (which this page may be changing) are not held against them.
        together = frozenset(pk for pk in (form.instance.pk for form in self.initial_forms) if pk)
        for form in self.forms:
            form.instance.checked_together = together
        # The campaign's row stays locked until the admin's transaction commits, so that another
        # administrator saving assignments of the same campaign checks them after these are stored.
        Campaign.lock(self.instance.campaign_id)
        super().full_clean()

    def clean(self) -> None:
        super().clean()
        rows = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            area = form.cleaned_data.get("area")
            if area is None:
                continue
            for other in rows:
                if area.is_within(other) or other.is_within(area):
                    raise ValidationError(
                        gettext(
                            "%(area)s and %(other)s overlap: assign either the community or its grids, "
                            "not both."
                        )
                        % {"area": area.name, "other": other.name}
                    )
            rows.append(area)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentFormSet
    extra = 1
    fields = ("area", "households")
    autocomplete_fields = ("area",)


@admin.register(Team, site=site)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "unit")
    list_filter = ("campaign",)
    search_fields = ("name", "campaign__name")
    fields = ("campaign", "name", "unit", "members")
    autocomplete_fields = ("unit", "members")
    list_select_related = ("campaign", "unit")
    inlines = [AssignmentInline]

    def get_readonly_fields(self, request, obj=None):
        # A team's visits and assignments belong to its campaign: moving the team to another
        # campaign would carry them into a campaign whose period and places they were not made for.
        return ("campaign",) if obj is not None else ()


class VisitProblemInline(ReadOnlyInline):
    model = VisitProblem
    fields = ("position", "text", "case")


@admin.register(Visit, site=site)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("visited_on", "household", "team", "secretary", "campaign")
    list_filter = ("campaign",)
    search_fields = ("household__address", "people_met")
    list_select_related = ("household", "team", "secretary", "campaign")
    inlines = [VisitProblemInline]


@admin.register(Household, site=site)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("address", "area", "created_at")
    search_fields = ("address",)
    list_select_related = ("area",)
