"""The problem registers (问题台账) in the admin: for administrators to look up and correct entries.
Units keep their registers in the console (/console/problems/); status changes belong there, where
they are recorded.

The admin keeps the register's rules: a problem's identity (unit, number, year, sequence) is fixed,
so numbering stays gapless and unique and the history stays with its problem; problems are entered
in the console only and never deleted; a category, a problem's category and a measure's problems
stay within one unit; and every change bumps the version, so a form open in the console meanwhile
gets a conflict instead of undoing the correction.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minyi.core import clock
from minyi.core.admin_site import site
from minyi.core.errors import InvalidInput
from minyi.problems import services
from minyi.problems.models import Measure, Problem, ProblemCategory, ProblemEvent


@admin.register(ProblemCategory, site=site)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "position", "is_active")
    list_filter = ("unit", "is_active")
    search_fields = ("name",)

    def get_readonly_fields(self, request, obj=None):
        # Moving a category to another unit would file that unit's problems under a foreign list.
        return ("unit",) if obj is not None else ()


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None):
        return False


class ProblemAdminForm(forms.ModelForm):  # the admin supplies the model and fields
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:  # only the problem's own unit's list is offered
            self.fields["category"].queryset = ProblemCategory.objects.filter(unit=self.instance.unit_id)

    def clean(self):
        data = super().clean()
        problem = self.instance
        category = data.get("category")
        if category is not None and category.unit_id != problem.unit_id:
            self.add_error("category", _("Choose a category of the problem's own unit."))
        found_on = data.get("found_on")
        if found_on is not None:
            try:
                services.check_found_on(
                    found_on,
                    case=data.get("case"),
                    number=problem.number,
                    year=problem.year,
                    rectified_on=problem.rectified_on,
                )
            except InvalidInput as exc:
                self.add_error("found_on", exc.message)
        return data


@admin.register(Problem, site=site)
class ProblemAdmin(admin.ModelAdmin):
    form = ProblemAdminForm
    list_display = ("number", "title", "unit", "category", "source", "status", "found_on")
    list_filter = ("unit", "status", "source")
    search_fields = ("number", "title", "description", "case__tracking_number")
    raw_id_fields = ("case",)
    readonly_fields = (
        "unit",
        "number",
        "year",
        "sequence",
        "status",
        "status_note",
        "rectified_on",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    )
    inlines = [ProblemEventInline]

    # A problem is entered in the console (numbered under the unit's lock, with its first event) and
    # is never deleted: its number would be drawn again and its history lost.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_at = clock.now()
        obj.version += 1
        super().save_model(request, obj, form, change)


class MeasureAdminForm(forms.ModelForm):  # the admin supplies the model and fields
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.unit_id and "problems" in self.fields:
            self.fields["problems"].queryset = Problem.objects.filter(unit=self.instance.unit_id)

    def clean(self):
        data = super().clean()
        # The widget offers the unit's problems only once the unit is known; this holds for a new
        # measure too, and for a request not made through the widget.
        unit = data.get("unit") or (self.instance.unit if self.instance.unit_id else None)
        foreign = [p.number for p in data.get("problems") or () if unit is not None and p.unit_id != unit.pk]
        if foreign:
            self.add_error(
                "problems",
                ValidationError(
                    _("A measure addresses problems of its own unit only: remove %(numbers)s.")
                    % {"numbers": "、".join(foreign)}
                ),
            )
        return data


@admin.register(Measure, site=site)
class MeasureAdmin(admin.ModelAdmin):
    form = MeasureAdminForm
    list_display = ("title", "unit", "responsible", "due_on", "done_on")
    list_filter = ("unit",)
    search_fields = ("title", "responsible")
    filter_horizontal = ("problems",)

    def get_readonly_fields(self, request, obj=None):
        stamps = ("created_by", "created_at", "updated_at", "version")
        return ("unit", *stamps) if obj is not None else stamps  # its problems are of that unit

    def save_model(self, request, obj, form, change):
        now = clock.now()
        if not change:
            obj.created_by, obj.created_at = request.user, now
        obj.updated_at = now
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
