"""The problem registers (问题台账) in the admin: for administrators to look up and correct entries.
Units keep their registers in the console (/console/problems/); status changes belong there, where
they are recorded."""

from __future__ import annotations

from django.contrib import admin

from minyi.core.admin_site import site
from minyi.problems.models import Measure, Problem, ProblemCategory, ProblemEvent


@admin.register(ProblemCategory, site=site)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "position", "is_active")
    list_filter = ("unit", "is_active")
    search_fields = ("name",)


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem, site=site)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "unit", "category", "source", "status", "found_on")
    list_filter = ("unit", "status", "source")
    search_fields = ("number", "title", "description", "case__tracking_number")
    raw_id_fields = ("case",)
    readonly_fields = ("status", "status_note", "rectified_on", "created_by", "created_at", "updated_at")
    inlines = [ProblemEventInline]


@admin.register(Measure, site=site)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "responsible", "due_on", "done_on")
    list_filter = ("unit",)
    search_fields = ("title", "responsible")
    filter_horizontal = ("problems",)
    readonly_fields = ("created_by", "created_at", "updated_at")
