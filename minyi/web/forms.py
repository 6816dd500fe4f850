"""Form pieces the console and the portal share."""

from __future__ import annotations

from django import forms


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
