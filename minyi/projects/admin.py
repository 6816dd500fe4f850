"""The ledger in the admin: for administrators to set up a batch by hand or correct a project, a
sub-item or its plan. Progress is reported in the console (月调度), where it is checked; the figures
kept on projects and sub-items follow from the reports and are not edited here."""

from __future__ import annotations

from django.contrib import admin

from minyi.core.admin_site import site
from minyi.projects.models import Batch, Milestone, Project, SubItem
from minyi.projects.services import refresh_project

KEPT = ("status", "percent", "completion")


class SubItemInline(admin.TabularInline):
    model = SubItem
    extra = 0
    fields = ("number", "name", "unit", "deadline", *KEPT)
    readonly_fields = KEPT
    show_change_link = True


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1


@admin.register(Batch, site=site)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "first_month", "report_day")


@admin.register(Project, site=site)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "batch", "leader", "lead_unit", "deadline", *KEPT)
    list_filter = ("batch", "status", "leader")
    search_fields = ("name", "number")
    filter_horizontal = ("co_units",)
    readonly_fields = KEPT
    inlines = [SubItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_project(form.instance)  # a changed plan or deadline changes the status


@admin.register(SubItem, site=site)
class SubItemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit", "deadline", *KEPT)
    list_filter = ("project__batch", "status", "unit")
    search_fields = ("name", "project__name")
    readonly_fields = (*KEPT, "completed_on")
    inlines = [MilestoneInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_project(form.instance.project)
