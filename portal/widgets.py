"""Form widgets the public site shares.

A browser's date picker (`<input type="date">`) takes its value only as `YYYY-MM-DD` and drops
anything else; Django's DateInput writes the active language's first input format, which for
zh-hans is "2026/12/01", so a date the form already had (a required certificate period, a form
sent back with an error) showed as empty. These always write the ISO form the browser reads;
the value typed back is still parsed by the language's formats, which accept it.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=format)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):  # noqa: A002
        super().__init__(attrs, format=format)
