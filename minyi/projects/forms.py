"""The forms of the projects pages: they only parse input; the services check and write it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.org.models import Unit, User
from minyi.org.roles import Role
from minyi.projects import progress
from minyi.projects.models import Batch, Completion, Progress, Project
from minyi.web.forms import MultipleFileField, MultipleFileInput, TrackingNumberField

LEDGER_MAX_BYTES = 20 * 1024 * 1024


def month_choices(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in reversed(progress.months(first, last))]


def parse_month(text: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


class ReportForm(forms.Form):
    """月调度填报: one sub-item's progress in one month."""

    month = forms.ChoiceField(label=_("Month"))
    percent = forms.IntegerField(
        label=_("Percent done"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )
    done = forms.CharField(label=_("What was done this month"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    completion = forms.ChoiceField(
        label=_("Completed as"),
        required=False,
        choices=[("", _("Not completed yet")), *Completion.choices],
        help_text=_("Only when the sub-item is finished: at 100 %, or concluded or suspended earlier."),
    )
    photos = MultipleFileField(label=_("Photos"), widget=MultipleFileInput(attrs={"accept": "image/*"}))

    def __init__(self, *args, months: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = months


class LedgerFilter(forms.Form):
    batch = forms.ModelChoiceField(
        label=_("Batch"), queryset=Batch.objects.all(), required=False, empty_label=None
    )
    leader = forms.ModelChoiceField(
        label=_("Leading official"),
        queryset=User.objects.filter(grants__role=Role.LEADER).distinct(),
        required=False,
        empty_label=_("All"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        empty_label=_("All"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Progress.choices])

    @classmethod
    def of(cls, request):
        """The filter of a request, showing the latest batch when none is chosen."""
        data = request.GET.copy()
        if not data.get("batch"):
            latest = cls.latest()
            if latest:
                data["batch"] = str(latest.pk)
        return cls(data)

    @staticmethod
    def latest() -> Batch | None:
        return Batch.objects.order_by("-year", "-first_month", "-id").first()

    def batch_or_latest(self) -> Batch | None:
        chosen = self.cleaned_data.get("batch") if self.is_valid() else None
        return chosen or self.latest()

    def narrow(self, projects):
        if not self.is_valid():
            return projects
        data = self.cleaned_data
        if data.get("leader"):
            projects = projects.filter(leader=data["leader"])
        if data.get("unit"):
            unit = data["unit"]
            related = Project.objects.filter(Q(lead_unit=unit) | Q(co_units=unit) | Q(items__unit=unit))
            projects = projects.filter(pk__in=related.values("pk"))
        if data.get("status"):
            projects = projects.filter(status=data["status"])
        return projects


class SummaryFilter(LedgerFilter):
    """The summary's own statuses are those of its month, so it filters by leader and unit only."""

    status = None


class LinkCaseForm(forms.Form):
    tracking_number = TrackingNumberField(label=_("Tracking number"))


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger workbook (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > LEDGER_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split the ledger."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the ledger as an Excel workbook (.xlsx)."))
        return upload
