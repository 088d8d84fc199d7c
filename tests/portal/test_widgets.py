"""Every date input of the public forms writes its value as YYYY-MM-DD, the only form a browser's
date picker reads (under zh-hans Django's DateInput wrote "2026/12/01", which the browser
dropped, so a required date the form already had looked empty)."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

FORM_MODULES = [
    "portal.accounts.forms",
    "volunteers.forms",
    "donations.forms",
    "assistance.forms",
    "content.forms",
]


def project_forms():
    for name in FORM_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def date_widgets():
    for form in project_forms():
        for field_name, field in form.base_fields.items():
            if isinstance(field.widget, forms.DateInput | forms.DateTimeInput):
                yield f"{form.__name__}.{field_name}", field.widget


WIDGETS = list(date_widgets())


def test_the_project_has_date_inputs_to_check():
    assert len(WIDGETS) >= 5


@pytest.mark.parametrize(("name", "widget"), WIDGETS, ids=[name for name, _ in WIDGETS])
def test_date_inputs_render_iso_dates_in_chinese(name, widget):
    with translation.override("zh-hans"):
        if isinstance(widget, forms.DateTimeInput):
            html = widget.render("x", datetime.datetime(2026, 12, 1, 7, 30))
            assert 'type="datetime-local"' in html and 'value="2026-12-01T07:30"' in html
        else:
            html = widget.render("x", datetime.date(2026, 12, 1))
            assert 'type="date"' in html, f"{name}: {html}"
            assert 'value="2026-12-01"' in html, f"{name}: {html}"


def test_an_iso_date_typed_back_is_accepted_in_chinese():
    with translation.override("zh-hans"):
        field = forms.DateField(widget=WIDGETS[0][1])
        assert field.clean("2026-12-01") == datetime.date(2026, 12, 1)
