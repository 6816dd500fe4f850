"""The visit form (走访记录): parses what the secretary typed on the phone; visits/services.py checks it.

The problems raised are repeated fields (`problem_text`, `problem_type`, `problem_urgency`), one set
per row, so that "add another problem" only appends a row (htmx, or a plain submit without
JavaScript) and no row numbering has to be kept in step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.catalog.choices import DemandType, Urgency
from minyi.core import clock
from minyi.org.models import Area
from minyi.visits.services import MAX_PHOTOS, MAX_PROBLEMS, RaisedProblem
from minyi.web.forms import MultipleFileField, MultipleFileInput, PlaceField

# What households raise at the door is mostly a request for help, a complaint or a suggestion.
PROBLEM_TYPES = [
    (t.value, t.label)
    for t in (
        DemandType.HELP,
        DemandType.COMPLAINT,
        DemandType.SUGGESTION,
        DemandType.INQUIRY,
        DemandType.REPORT,
    )
]
DEFAULT_TYPE = DemandType.HELP


@dataclass
class ProblemRow:
    """One row of the form as typed (to show it again after an error)."""

    text: str = ""
    demand_type: str = DEFAULT_TYPE
    urgency: str = Urgency.NORMAL

    @property
    def is_blank(self) -> bool:
        # A row left as it was offered is no problem at all; a row with only its type changed is a
        # problem without text, which the service refuses with a message.
        return not self.text.strip() and self.demand_type == DEFAULT_TYPE and self.urgency == Urgency.NORMAL


def offered_places(assignments) -> set[int]:
    """The places a household of these assignments lies in: the assigned grids, and the grids of the
    assigned communities (a community without grids stands for itself). One query for the grids of
    all communities."""
    assignments = list(assignments)
    communities = [a.area_id for a in assignments if a.area.level != Area.Level.GRID]
    with_grids: dict[int, list[int]] = {}
    for pk, parent_id in Area.objects.filter(
        parent_id__in=communities, level=Area.Level.GRID, is_active=True
    ).values_list("pk", "parent_id"):
        with_grids.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    for assignment in assignments:
        if assignment.area.level == Area.Level.GRID:
            found.add(assignment.area_id)
        else:
            found.update(with_grids.get(assignment.area_id) or [assignment.area_id])
    return found


class VisitForm(forms.Form):
    area = PlaceField(label=_("Grid"))
    address = forms.CharField(
        label=_("Household address"),
        max_length=200,
        help_text=_("Building, unit and door, e.g. 3号楼2单元501."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    # <input type=date> takes ISO dates only, whatever the language shows (Chinese would be 2026/11/25).
    visited_on = forms.DateField(
        label=_("Date of the visit"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    people_met = forms.CharField(
        label=_("People met"),
        max_length=200,
        help_text=_("Who you spoke to, e.g. the householder Zhang and his wife."),
    )
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        required=False,
        help_text=_("For the units to call back about a problem; may be left empty."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Phones offer the camera and the photo library for it (a `capture` attribute would allow the
    # camera alone, one photo at a time, and not a photo taken before the door was opened).
    photos = MultipleFileField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    # A new one with every empty form; sent again with the form after an error, so that the form
    # sent twice is recorded once (visits/services.py).
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, assignments=(), campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "Up to %(n)d photos, e.g. of the problem: taken now or chosen on the phone."
        ) % {"n": MAX_PHOTOS}
        places = offered_places(assignments)
        self.fields["area"].offer(only=places, blank=len(places) > 1)
        today = clock.local(clock.now()).date()
        if "visited_on" not in self.initial:
            self.initial["visited_on"] = today
        if "token" not in self.initial:
            self.initial["token"] = str(uuid.uuid4())
        if campaign is not None:
            # The phone's date picker offers the days a visit may have: in the period, not ahead.
            self.fields["visited_on"].widget.attrs.update(
                min=campaign.starts_on.isoformat(), max=min(campaign.ends_on, today).isoformat()
            )
        self.problem_rows = problem_rows(self.data) if self.is_bound else [ProblemRow()]

    @property
    def may_add_problem(self) -> bool:
        """Is there room for another problem row? (At the limit the button gives way to a note.)"""
        return len(self.problem_rows) < MAX_PROBLEMS

    def visit_fields(self) -> dict:
        """The keyword arguments of `visit_record` (after is_valid)."""
        data = self.cleaned_data
        return {
            "area": data["area"],
            "address": data["address"],
            "visited_on": data["visited_on"],
            "people_met": data["people_met"],
            "phone": data["phone"],
            "notes": data["notes"],
            "token": data.get("token"),
            "photos": data.get("photos") or [],
            "problems": [
                RaisedProblem(text=row.text, demand_type=row.demand_type, urgency=row.urgency)
                for row in self.problem_rows
                if not row.is_blank
            ],
        }


def problem_rows(data) -> list[ProblemRow]:
    """The problem rows posted. All of them: a row beyond the limit is reported by the service
    rather than dropped with what was typed in it (the request's size bounds their number)."""
    texts = data.getlist("problem_text") if hasattr(data, "getlist") else []
    types = data.getlist("problem_type") if hasattr(data, "getlist") else []
    urgencies = data.getlist("problem_urgency") if hasattr(data, "getlist") else []
    rows = []
    for i, text in enumerate(texts):
        rows.append(
            ProblemRow(
                text=text,
                demand_type=types[i] if i < len(types) else DEFAULT_TYPE,
                urgency=urgencies[i] if i < len(urgencies) else Urgency.NORMAL,
            )
        )
    return rows or [ProblemRow()]


URGENCY_CHOICES = [(Urgency.NORMAL.value, Urgency.NORMAL.label), (Urgency.URGENT.value, Urgency.URGENT.label)]
