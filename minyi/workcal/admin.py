"""The holiday override table (节假日调整), with bulk entry of next year's holidays."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from minyi.core.admin_site import calendar_warnings, site
from minyi.workcal.models import HolidayOverride
from minyi.workcal.services import holidays_enter

# A holiday season is a few days to a week; a year is the most anyone needs in one go.
MAX_BULK_DAYS = 366


class HolidayRangeForm(forms.Form):
    """批量录入: the same entry for every day from `first_day` to `last_day`, both included."""

    first_day = forms.DateField(label=_("from"), widget=AdminDateWidget)
    last_day = forms.DateField(label=_("to (included)"), widget=AdminDateWidget)
    is_workday = forms.BooleanField(
        label=_("working day"),
        required=False,
        help_text=_("Ticked: working days (e.g. make-up Saturdays). Unticked: days off (a holiday)."),
    )
    note = forms.CharField(
        label=_("note"),
        max_length=HolidayOverride._meta.get_field("note").max_length,
        required=False,
        help_text=_("For example: 春节, 调休上班"),
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day must not come before the first day."))
            elif (last - first).days + 1 > MAX_BULK_DAYS:
                self.add_error("last_day", _("Enter at most %(n)d days at once.") % {"n": MAX_BULK_DAYS})
        return cleaned

    def days(self) -> list[dt.date]:
        first, last = self.cleaned_data["first_day"], self.cleaned_data["last_day"]
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


@admin.register(HolidayOverride, site=site)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "weekday", "is_workday", "note", "updated_at")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("note",)
    fields = ("day", "is_workday", "note")
    ordering = ("day",)
    list_per_page = 100

    @admin.display(description=_("weekday"))
    def weekday(self, obj: HolidayOverride) -> str:
        return formats.date_format(obj.day, "l")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"calendar_warnings": calendar_warnings(), **(extra_context or {})}
        )

    def get_urls(self):
        return [
            path(
                "bulk/",
                self.admin_site.admin_view(self.bulk_view),
                name="workcal_holidayoverride_bulk",
            ),
            *super().get_urls(),
        ]

    def bulk_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = HolidayRangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created, updated = self._enter_days(request, form)
            count = len(form.days())
            self.message_user(
                request,
                ngettext(
                    "%(count)d day entered: %(created)d new, %(updated)d changed, the rest were unchanged.",
                    "%(count)d days entered: %(created)d new, %(updated)d changed, the rest were unchanged.",
                    count,
                )
                % {"count": count, "created": created, "updated": updated},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:workcal_holidayoverride_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enter a range of days"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/workcal/holidayoverride/bulk_form.html", context)

    def _enter_days(self, request, form: HolidayRangeForm) -> tuple[int, int]:
        created, changed = holidays_enter(
            first_day=form.cleaned_data["first_day"],
            last_day=form.cleaned_data["last_day"],
            is_workday=form.cleaned_data["is_workday"],
            note=form.cleaned_data["note"],
        )
        for override in created:
            self.log_addition(request, override, [{"added": {}}])
        for override in changed:
            self.log_change(request, override, [{"changed": {"fields": ["is_workday", "note"]}}])
        return len(created), len(changed)
