from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Compound
from portal.scoping import communities_for
from portal.validators import validate_mobile

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


class OwnHelpRequestForm(forms.Form):
    """A resident asks for help on the website (mobile first: few fields, labelled)."""

    community = forms.ModelChoiceField(queryset=None, label=_("community"),
                                       empty_label=_("Choose your community"))
    compound = forms.ModelChoiceField(queryset=None, label=_("compound"),
                                      empty_label=_("Choose your compound"))
    building = forms.CharField(label=_("building, unit and room"), max_length=100,
                               widget=forms.TextInput(attrs={"placeholder": _("e.g. 3-2-501")}))
    need = forms.CharField(
        label=_("what is needed (free text)"), required=False,
        help_text=_("e.g. milk powder, medicine, vegetables, a ride to hospital"),
        widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("urgency"), choices=HelpRequest.Urgency.choices,
                                initial=HelpRequest.Urgency.NORMAL, widget=forms.RadioSelect)
    contact_name = forms.CharField(label=_("contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"), max_length=20, validators=[validate_mobile],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric",
                                      "autocomplete": "tel"}))
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from donations.models import Item
        from portal.models import Community

        self.fields["community"].queryset = Community.objects.order_by("name")
        self.fields["compound"].queryset = Compound.objects.select_related("community")
        self.fields["compound"].label_from_instance = lambda c: f"{c.community.name} · {c.name}"
        items = Item.objects.filter(active=True).order_by("name")
        for i in range(LINES):
            self.fields[f"item_{i}"] = forms.ModelChoiceField(
                queryset=items, required=False, label=_("supplies from the list"),
                empty_label=_("(none)"))
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                min_value=1, max_value=99, required=False, label=_("quantity"),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def line_fields(self):
        return [(self[f"item_{i}"], self[f"quantity_{i}"]) for i in range(LINES)]

    def clean(self):
        data = super().clean()
        community, compound = data.get("community"), data.get("compound")
        if community and compound and compound.community_id != community.pk:
            self.add_error("compound", _("This compound is not in the chosen community."))
        for i in range(LINES):
            item, quantity = data.get(f"item_{i}"), data.get(f"quantity_{i}")
            if item and not quantity:
                self.add_error(f"quantity_{i}", _("How many?"))
            if quantity and not item and f"quantity_{i}" not in self.errors:
                self.add_error(f"item_{i}", _("Choose the item."))
        line_errors = any(k.startswith(("item_", "quantity_")) for k in self.errors)
        if not line_errors and not self.lines() and not (data.get("need") or "").strip():
            self.add_error("need", _("Say what is needed: items from the catalogue or a "
                                     "description."))
        return data

    def lines(self):
        return [(self.cleaned_data.get(f"item_{i}"), self.cleaned_data.get(f"quantity_{i}"))
                for i in range(LINES)
                if self.cleaned_data.get(f"item_{i}") and self.cleaned_data.get(f"quantity_{i}")]
