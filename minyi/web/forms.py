"""Form pieces the console and the portal share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minyi.access.personal_data import checked_phone
from minyi.cases.numbers import EXAMPLE, tracking_number_of
from minyi.core.errors import InvalidInput
from minyi.org.places import picker_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, cleaned to a list (empty when none was chosen). Sizes are checked
    by the services when the case is saved; subclasses add their own checks (portal photos)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        return [single(f, initial) for f in (data if isinstance(data, list | tuple) else [data]) if f]


class PhoneField(forms.CharField):
    """A requester's phone number, checked by the rule of registration (access.personal_data
    .checked_phone: a whole number, however it is typed), so a form shows the error with the others."""

    def to_python(self, value):
        text = super().to_python(value)
        try:
            checked_phone(text)
        except InvalidInput as exc:
            raise ValidationError(exc.message, code="phone") from None
        return text.strip()


class PlaceSelect(forms.Select):
    """The place picker: a select grouped street → community (works without JavaScript, by keyboard
    too), which app.js gives a filter box: a place is found by a piece of its name or of its
    pinyin initials (湖畔, hp), looked up in the words each option carries (`data-place`)."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "data-place-picker": "",
                "data-filter-label": _("Find a place"),
                "data-filter-placeholder": _("Type a name or its pinyin initials, e.g. hp"),
                "data-no-match": _("No place matches “%s”."),
                **(attrs or {}),
            }
        )
        self.words: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        words = self.words.get(str(value))
        if words:
            option["attrs"]["data-place"] = words
        return option


class PlaceField(forms.TypedChoiceField):
    """An area (区/街道/社区/网格) chosen with the place picker; cleaned to the area's id. Its
    places are set by `offer` (each form does, when it is made: the places change in the admin)."""

    widget = PlaceSelect

    def __init__(self, *, blank_label="—", **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)
        self.blank_label = blank_label

    def offer(self, *, only=None, active_only: bool = True, blank: bool = True) -> None:
        """Offer the places (`only`: these area ids; see org.places.picker_choices), after a blank
        choice unless `blank` is False."""
        found = picker_choices(only=only, active_only=active_only)
        self.choices = [("", self.blank_label), *found.choices] if blank else found.choices
        self.widget.words = found.words


class TrackingNumberField(forms.CharField):
    """A tracking number however it is typed (cases/numbers.py: with or without the hyphen, spaces,
    full-width digits), cleaned to its stored form; the field opens a phone's numeric keypad. Text
    that is no tracking number is kept as typed (the look-up then finds no case) or, with `strict`,
    refused with what to fix."""

    def __init__(self, *, strict: bool = False, **kwargs):
        kwargs.setdefault("max_length", 40)  # room for spaces between the twelve digits
        super().__init__(**kwargs)
        self.strict = strict
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "placeholder": EXAMPLE}
        )

    def to_python(self, value):
        text = super().to_python(value)
        number = tracking_number_of(text) if text else None
        if text and number is None and self.strict:
            raise ValidationError(
                _("A tracking number has twelve digits, like %(example)s: check it and type it again.")
                % {"example": EXAMPLE},
                code="tracking_number",
            )
        return number or text
