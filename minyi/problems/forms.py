"""The forms of the register pages: they parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.problems.models import ProblemCategory, ProblemSource, ProblemStatus
from minyi.problems.services import DESCRIPTION_MAX, NOTE_MAX, NUMBERS_MAX, TRANSITIONS
from minyi.web.forms import TrackingNumberField

ANY = [("", _("Any"))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _version_field():
    # The version of the problem or measure the form showed: the service refuses the form as a
    # conflict when someone else changed it meanwhile.
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def _category_choices(unit, *, only_active: bool, keep: int | None = None) -> list[tuple[int, str]]:
    categories = ProblemCategory.objects.filter(unit=unit)
    if only_active:
        categories = [c for c in categories if c.is_active or c.pk == keep]
    return [(c.pk, c.name) for c in categories]


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("A problem number, words of the title or description, or a case's tracking number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + ProblemStatus.choices, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=ANY + ProblemSource.choices, required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = ANY + _category_choices(unit, only_active=False)


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=ProblemSource.choices,
        initial=ProblemSource.REVIEW,
        widget=forms.RadioSelect,
    )
    tracking_number = TrackingNumberField(
        label=_("Tracking number of the case"),
        required=False,
        help_text=_("Only for a problem found in a case: a case your unit may see."),
    )
    found_on = forms.DateField(label=_("Found on"), widget=DATE)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, unit, keep_category: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _category_choices(unit, only_active=True, keep=keep_category)
        self.fields["category"].choices = [("", "—"), *choices]


class ProblemEditForm(ProblemForm):
    """Correcting an entry: the form also carries the version it showed."""

    version = _version_field()


class StatusChoiceField(forms.ChoiceField):
    """Offers the moves allowed from the status shown, but parses any status: a page shown before
    someone else moved the problem then gets the service's conflict, which says what happened,
    instead of "select a valid choice"."""

    def valid_value(self, value) -> bool:
        return value in ProblemStatus.values


class StatusForm(forms.Form):
    status = StatusChoiceField(label=_("New status"))
    on = forms.DateField(
        label=_("Rectified on"),
        required=False,
        widget=DATE,
        help_text=_("For “Rectified”: the day the work was done (today if empty)."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the problem is closed without action: say why."),
    )
    version = _version_field()

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[current]
        self.fields["status"].choices = [(v, label) for v, label in ProblemStatus.choices if v in allowed]


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=200)
    responsible = forms.CharField(label=_("Responsible person"), max_length=50)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=DATE, help_text=_("Leave empty while the measure runs.")
    )
    problems = forms.CharField(
        label=_("Problems addressed"),
        max_length=NUMBERS_MAX * 12,  # the service counts the numbers and says how many may be given
        required=False,
        help_text=_("Problem numbers of your register, separated by commas: 2026-001, 2026-004."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description = forms.CharField(
        label=_("Details"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MeasureEditForm(MeasureForm):
    """Changing a measure: the form also carries the version it showed."""

    version = _version_field()


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=60)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class LinkMeasureForm(forms.Form):
    measure = forms.TypedChoiceField(label=_("Measure"), coerce=int)

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "—")] + [(m.pk, m.title) for m in measures]
