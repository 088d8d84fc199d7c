from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Compound
from portal.scoping import communities_for

from .models import HelpRequest

LINES = 3


class HelpRequestForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=_("community"))
    compound = forms.ModelChoiceField(queryset=None, label=_("compound"))
    building = forms.CharField(label=_("building, unit and room"), max_length=100)
    contact_name = forms.CharField(label=_("contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20)
    urgency = forms.ChoiceField(label=_("urgency"), choices=HelpRequest.Urgency.choices)
    need = forms.CharField(label=_("what is needed (free text)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from donations.models import Item

        communities = communities_for(user)
        self.fields["community"].queryset = communities
        self.fields["compound"].queryset = Compound.objects.filter(
            community__in=communities).select_related("community")
        items = Item.objects.filter(active=True).order_by("name")
        for i in range(LINES):
            self.fields[f"item_{i}"] = forms.ModelChoiceField(
                queryset=items, required=False, label=_("item from the catalogue"))
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                min_value=1, required=False, label=_("quantity"))

    def lines(self):
        return [(self.cleaned_data.get(f"item_{i}"), self.cleaned_data.get(f"quantity_{i}"))
                for i in range(LINES) if self.cleaned_data.get(f"item_{i}")]


def _next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


class AutoAssignForm(forms.Form):
    start = forms.DateField(label=_("from"), initial=_next_monday,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("until"), initial=lambda: _next_monday() + timedelta(days=6),
                          widget=forms.DateInput(attrs={"type": "date"}))
    community = forms.ModelChoiceField(queryset=None, required=False, label=_("community"),
                                       empty_label=_("All my communities"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data
