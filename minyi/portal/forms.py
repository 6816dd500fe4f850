"""Forms of the citizen portal: raise a demand, look it up, rate the reply.

The forms check what a citizen can fix at once (the place, the photos, how to reach them) and word
it for citizens; the services (`case_create`, `case_apply`) stay the authority and their refusals are
shown next to the field they name (`add_service_error`).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from minyi.catalog.choices import DemandType
from minyi.core import photos
from minyi.core.errors import InvalidInput, MinyiError
from minyi.org.models import Area
from minyi.org.places import in_order
from minyi.web.forms import MultipleFileField, PhoneField, TrackingNumberField

STREET, COMMUNITY, GRID = Area.Level.STREET, Area.Level.COMMUNITY, Area.Level.GRID
EMPTY_LABELS = {
    STREET: _("— choose a street —"),
    COMMUNITY: _("— choose a community —"),
    GRID: _("— choose a grid, if you know it —"),
}
ACCEPTED_PHOTOS = ",".join(f.content_type for f in photos.CITIZEN_FORMATS)


def places_under(parent_id: object, level: int) -> QuerySet[Area]:
    """The active areas of `level` directly under the area `parent_id` (none for a bad id); the
    streets of the district when `level` is STREET."""
    places = Area.objects.filter(level=level, is_active=True)
    if level == STREET:
        return places
    try:
        return places.filter(parent_id=int(parent_id))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return places.none()


def place_choices(parent_id: object, level: int) -> list[tuple[object, str]]:
    """The places of the select, in reading order (第二网格 before 第十网格: org/places.py)."""
    return [("", EMPTY_LABELS[level])] + [(a.pk, a.name) for a in in_order(places_under(parent_id, level))]


class PhotosField(MultipleFileField):
    """Several photos in one input, checked here for count and size, then re-encoded by the one rule
    for photos (core/photos.py: JPEG, PNG or WebP that decodes fully): the form gives the copies."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ACCEPTED_PHOTOS

    def clean(self, data, initial=None):
        files = super().clean(data, initial)
        most, mb = settings.MINYI_PORTAL_MAX_PHOTOS, settings.MINYI_PORTAL_MAX_PHOTO_MB
        if len(files) > most:
            raise ValidationError(
                ngettext(
                    "You chose %(count)d photos, but at most %(most)d photo may be sent: leave some out.",
                    "You chose %(count)d photos, but at most %(most)d photos may be sent: leave some out.",
                    most,
                )
                % {"count": len(files), "most": most},
                code="too_many",
            )
        errors, copies = [], []
        for number, photo in enumerate(files, start=1):
            if photo.size > mb * 1024 * 1024:
                errors.append(
                    ValidationError(
                        _(
                            "“%(name)s” is %(size).1f MB; a photo may be at most %(mb)d MB. "
                            "Choose a smaller photo or take it at a lower resolution."
                        ),
                        params={"name": photo.name, "size": photo.size / 2**20, "mb": mb},
                        code="too_big",
                    )
                )
                continue
            # Stored under a name of our own, re-encoded without EXIF (where the photo was taken).
            stem, citizen = f"photo-{number}", photos.CITIZEN_FORMATS
            try:
                copies.append(photos.photo_copy(photo, field="photos", formats=citizen, stem=stem))
            except InvalidInput as refused:
                errors.append(ValidationError(refused.message, code="not_a_photo"))
        if errors:
            raise ValidationError(errors)
        return copies


class DemandForm(forms.Form):
    """我要反映: what the demand is, where, photos, and how to reach the citizen (or anonymous)."""

    demand_type = forms.ChoiceField(
        label=_("Type of demand"),
        choices=[("", _("— choose —")), *DemandType.choices],
        help_text=_(
            "Inquiry: a question; request for help: you need support; complaint: something went wrong; "
            "report: wrongdoing by a person or an organisation; suggestion; praise."
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("In a few words, e.g. “No heating in building 3 of Xingfu estate”."),
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What, since when, who is affected, and what you would like to be done."),
    )
    street = forms.TypedChoiceField(
        label=_("Street / town"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a street from the list.")},
    )
    community = forms.TypedChoiceField(
        label=_("Community / village"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a community of the street you chose.")},
    )
    grid = forms.TypedChoiceField(
        label=_("Grid"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a grid of the community you chose.")},
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Estate, building, road or landmark, e.g. “Xingfu estate, building 3”."),
    )
    photos = PhotosField(label=_("Photos"))
    requester_name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    requester_phone = PhoneField(
        label=_("Your phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("The handling unit may call you to understand the problem or tell you the result."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        help_text=_(
            "We then keep neither your name nor your phone number; nobody can call you back, and you "
            "follow the demand only with its tracking number and query code."
        ),
    )
    is_confidential = forms.BooleanField(
        label=_("Keep my identity confidential"),
        required=False,
        help_text=_(
            "Only the service centre sees your name and phone, not the unit that handles the demand. "
            "A report of wrongdoing is always kept confidential."
        ),
    )

    # Services name fields by the case's attributes; show their refusals next to the matching field.
    SERVICE_FIELDS = {"attachments": "photos", "area": "street"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        self.fields["street"].choices = place_choices(None, STREET)
        self.fields["community"].choices = place_choices(source.get("street"), COMMUNITY)
        self.fields["grid"].choices = place_choices(source.get("community"), GRID)
        # Choosing a street (community) loads its communities (grids) without reloading the page.
        self.fields["street"].widget.attrs.update(
            {"hx-get": reverse("portal:areas"), "hx-target": "#id_community", "hx-trigger": "change"}
        )
        self.fields["community"].widget.attrs.update(
            {"hx-get": reverse("portal:areas"), "hx-target": "#id_grid", "hx-trigger": "change"}
        )
        most = settings.MINYI_PORTAL_MAX_PHOTOS
        if most == 0:
            del self.fields["photos"]
        else:
            self.fields["photos"].help_text = ngettext(
                "Up to %(most)d photo (JPEG, PNG or WebP), at most %(mb)d MB each.",
                "Up to %(most)d photos (JPEG, PNG or WebP), at most %(mb)d MB each.",
                most,
            ) % {"most": most, "mb": settings.MINYI_PORTAL_MAX_PHOTO_MB}

    def clean(self) -> dict:
        data = super().clean()
        # Each level's choices are the children of the level above, so the three agree.
        chosen = data.get("grid") or data.get("community") or data.get("street")
        data["area"] = Area.objects.filter(pk=chosen).first() if chosen else None
        reachable = data.get("requester_name", "").strip() or data.get("requester_phone")
        fields_fine = not {"requester_name", "requester_phone"} & set(self.errors)
        if not data.get("is_anonymous") and not reachable and fields_fine:
            self.add_error(
                "requester_name",
                _("Give your name or phone number so that we can reach you, or send anonymously."),
            )
        return data

    def case_fields(self) -> dict:
        """The keyword arguments of `case_create` for this demand (besides actor and channel)."""
        data = self.cleaned_data
        anonymous = data["is_anonymous"]
        confidential = data["is_confidential"] or data["demand_type"] == DemandType.REPORT
        # A phone number given under the promise that the handling unit may call (its help text) is
        # the citizen's consent: the case needs contact, so that unit may reveal the number (audited).
        # A confidential demand keeps the number from the units: only the centre calls.
        agreed = bool(data["requester_phone"]) and not anonymous and not confidential
        return {
            "demand_type": data["demand_type"],
            "title": data["title"],
            "description": data["description"],
            "area": data["area"],
            "address": data["address"],
            "requester_name": "" if anonymous else data["requester_name"],
            "requester_phone": "" if anonymous else data["requester_phone"],
            "is_anonymous": anonymous,
            "is_confidential": confidential,
            "needs_contact": agreed,
            "attachments": data.get("photos") or [],
        }

    def add_service_error(self, error: MinyiError) -> None:
        field = self.SERVICE_FIELDS.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, error.message)


class FollowForm(forms.Form):
    """进度查询: the pair the citizen kept when raising the demand."""

    tracking_number = TrackingNumberField(
        label=_("Tracking number"),
        strict=True,
        help_text=_("Twelve digits; the hyphen may be left out."),
    )
    query_code = forms.CharField(
        label=_("Query code"),
        max_length=24,  # six characters, with room for the spaces a person types between them
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("Six letters and digits, shown when you raised the demand."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial.get("tracking_number"):
            # Arrived from the QR code with the number filled in: the code is what remains to type.
            self.fields["query_code"].widget.attrs["autofocus"] = True


STAR_CHOICES = [
    (1, _("1 star: very dissatisfied")),
    (2, _("2 stars: dissatisfied")),
    (3, _("3 stars: so-so")),
    (4, _("4 stars: satisfied")),
    (5, _("5 stars: very satisfied")),
]


class RateForm(forms.Form):
    """满意度评价: one to five stars for the reply."""

    stars = forms.TypedChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose from 1 to 5 stars."),
            "invalid_choice": _("Choose from 1 to 5 stars."),
        },
    )
