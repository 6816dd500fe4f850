"""Visit campaigns as administrators set them up: the campaign and its teams, each team's members
and assigned areas. Visits and the problems raised are written by the secretaries through the
console (visits/services.py): the admin only shows them."""

from __future__ import annotations

from django.contrib import admin
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


class AssignmentInline(admin.TabularInline):
    model = Assignment
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
