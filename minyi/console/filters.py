"""The rules for narrowing a list of cases, in one place: the case list, its export (and later the
REST API) validate GET parameters with `CaseFilterForm` and apply them with `filter_cases`.

Parameters: status (several), light, unit (lead unit id), area (id; includes the areas below it),
category (code; includes the sub-categories), channel, demand_type, received_from / received_to
(local dates, both included), q (a tracking number, or words in the title, description or address)
and sort. All are optional; an invalid one makes the form invalid with a message on its field.

`PeriodForm` chooses the period of the leader home (this month, last month, this year or dates).
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from minyi.access.personal_data import searchable_for
from minyi.cases.deadlines import Light, light_q
from minyi.cases.models import Case
from minyi.cases.numbers import tracking_number_of
from minyi.cases.workflow import Status
from minyi.catalog.choices import Channel, DemandType
from minyi.catalog.models import Category
from minyi.console import choices
from minyi.org.models import Area
from minyi.stats import periods
from minyi.web.forms import PlaceField

ANY = [("", _("Any"))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

SORTS = {
    "newest": ("-received_at", "-pk"),
    "oldest": ("received_at", "pk"),
    "deadline": (F("handle_due_at").asc(nulls_last=True), "-received_at", "-pk"),
}
SORT_CHOICES = [
    ("newest", _("Newest received first")),
    ("oldest", _("Oldest received first")),
    ("deadline", _("Handling deadline, soonest first")),
]


# Dates people can mean: beyond these the period arithmetic overflows (and nothing is there).
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2199, 12, 31)


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DATE,
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
    )


def _end_not_before_start(form: forms.Form, first: str, last: str) -> None:
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start and end and end < start:
        form.add_error(last, _("This date is before the start date: choose a later one."))


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("A tracking number, or words of the title, description or address."),
        widget=forms.TextInput(attrs={"type": "search", "data-search": True, "autocomplete": "off"}),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    light = forms.ChoiceField(label=_("Deadline light"), choices=ANY + Light.choices, required=False)
    unit = forms.TypedChoiceField(label=_("Lead unit"), coerce=int, required=False, empty_value=None)
    area = PlaceField(label=_("Place"), required=False, blank_label=ANY[0][1])
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=ANY + Channel.choices, required=False)
    demand_type = forms.ChoiceField(label=_("Type"), choices=ANY + DemandType.choices, required=False)
    received_from = _date(_("Received from"))
    received_to = _date(_("Received until"))
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    # Shown at once; the others (and the statuses) behind "More filters", opened when one is used.
    MAIN = ("q", "light", "unit", "sort")
    MORE = ("area", "category", "channel", "demand_type", "received_from", "received_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = ANY + choices.unit_choices()
        # Past cases lie in places no longer in use too.
        self.fields["area"].offer(active_only=False)
        self.fields["category"].choices = ANY + choices.category_choices()

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_area(self) -> Area | None:
        pk = self.cleaned_data["area"]
        return Area.objects.get(pk=pk) if pk else None

    def clean_category(self) -> Category | None:
        code = self.cleaned_data["category"]
        return Category.objects.get(code=code) if code else None

    def clean(self) -> dict:
        cleaned = super().clean()
        _end_not_before_start(self, "received_from", "received_to")
        return cleaned

    def main_fields(self) -> list:
        return [self[name] for name in self.MAIN]

    def more_fields(self) -> list:
        return [self[name] for name in self.MORE]

    def more_used(self) -> bool:
        """Is one of the filters behind "More filters" given (or wrong)?"""
        return any(self.data.get(name) or self.errors.get(name) for name in (*self.MORE, "status"))


BIGRAMS_HOLD = (
    'minyi_case_bigrams("cases_case"."title", "cases_case"."description", "cases_case"."address")'
    " @> minyi_case_bigrams(%s, '', '')"
)
WHITESPACE = re.compile(r"\s+")


def filter_cases(cases: QuerySet[Case], criteria: dict, now: dt.datetime, *, reader) -> QuerySet[Case]:
    """The cases matching the cleaned data of a valid `CaseFilterForm`, in the order it asks for.
    `cases` is the reader's scope (access.cases_visible_to): filters only ever narrow it."""
    q = Q()
    if criteria.get("status"):
        q &= Q(status__in=criteria["status"])
    if criteria.get("light"):
        q &= light_q(criteria["light"], now)
    if criteria.get("unit"):
        q &= Q(lead_unit_id=criteria["unit"])
    if criteria.get("area"):
        q &= Q(area__path__startswith=criteria["area"].path)
    if criteria.get("category"):
        q &= Q(category__path__startswith=criteria["category"].path)
    if criteria.get("channel"):
        # not the confidential cases whose channel the reader may not know (it names the reporter)
        q &= Q(channel=criteria["channel"]) & searchable_for(reader)
    if criteria.get("demand_type"):
        q &= Q(demand_type=criteria["demand_type"])
    if criteria.get("received_from"):
        q &= Q(received_at__gte=periods.local_midnight(criteria["received_from"]))
    if criteria.get("received_to"):
        q &= Q(received_at__lt=periods.local_midnight(criteria["received_to"] + periods.ONE_DAY))
    if (text := criteria.get("q")) and (number := tracking_number_of(text)):
        # A tracking number (however it is typed: cases/numbers.py) is looked up by its index alone:
        # OR-ed with the text search below it would read every case's text (seconds on a million
        # cases) to find one row.
        q &= Q(tracking_number=number)
    elif text:
        q &= Q(title__icontains=text) | Q(description__icontains=text) | Q(address__icontains=text)
        # not in the texts of confidential cases the reader gets without their reporter's traces
        q &= searchable_for(reader)
        if connection.vendor == "postgresql" and len(WHITESPACE.sub("", text)) >= 2:
            # The bigram index (cases migration 0012) narrows a million texts to the candidates
            # that hold every pair of the search's characters; the test above then decides.
            q &= Q(RawSQL(BIGRAMS_HOLD, [text], output_field=BooleanField()))
    return cases.filter(q).order_by(*SORTS[criteria.get("sort") or "newest"])


class PeriodForm(forms.Form):
    """The period of the leader home: ?period=month|last_month|year, or ?start=…&end=… (dates)."""

    PERIODS = {
        "month": (_("This month"), periods.this_month),
        "last_month": (_("Last month"), periods.last_month),
        "year": (_("This year"), periods.this_year),
    }

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(key, label) for key, (label, _f) in PERIODS.items()] + [("dates", _("Dates"))],
        required=False,
    )
    start = _date(_("From"))
    end = _date(_("To"))

    def clean(self) -> dict:
        """A named period wins; otherwise dates given (or period=dates) need both a start and an end."""
        cleaned = super().clean()
        if cleaned.get("period") in self.PERIODS or "period" not in cleaned:
            return cleaned
        if cleaned["period"] == "dates" or self.data.get("start") or self.data.get("end"):
            cleaned["period"] = "dates"
            for name in ("start", "end"):
                if name in cleaned and not cleaned[name]:
                    self.add_error(name, _("Give both dates, or choose a period."))
            _end_not_before_start(self, "start", "end")
        return cleaned

    def chosen(self, now: dt.datetime) -> tuple[str, periods.Period]:
        """(key, period) asked for; this month when nothing (valid) is asked."""
        key = self.cleaned_data.get("period") if self.is_valid() else ""
        if key == "dates":
            return key, periods.days(self.cleaned_data["start"], self.cleaned_data["end"])
        key = key if key in self.PERIODS else "month"
        return key, self.PERIODS[key][1](now)
