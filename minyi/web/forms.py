"""Form pieces the console and the portal share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from minyi.access.personal_data import checked_phone
from minyi.core.errors import InvalidInput


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
