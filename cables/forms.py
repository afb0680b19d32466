"""Forms of the curators' side: the admin upload."""

from __future__ import annotations

from typing import Any

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files; empty files pass (ingest rejects them with a reason)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single_clean = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single_clean(None, initial)]
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)]


class CableUploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="Cables as text, HTML, CSV or telegram files, or a .zip archive of them.",
    )
