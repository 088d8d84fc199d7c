from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.adapter import MobileField
from portal.forms import choose_the_only_one
from portal.models import Community, Compound
from portal.scoping import communities_for
from portal.validators import normalize_id_number, normalize_mobile, validate_id_document
from portal.widgets import DateInput

from .models import AVAILABILITY_SLOTS, WEEKDAYS, Skill, Task, VolunteerProfile

SLOT_TIMES = {code: (start, end) for code, _label, start, end in AVAILABILITY_SLOTS}


def availability_choices():
    return [
        (f"{day}-{code}", f"{day_label} {label}")
        for day, day_label in WEEKDAYS
        for code, label, _s, _e in AVAILABILITY_SLOTS
    ]


def availability_to_json(values):
    result = {}
    for value in values:
        day, code = value.split("-")
        result.setdefault(day, []).append(list(SLOT_TIMES[code]))
    return result


def availability_from_json(data):
    by_times = {tuple(times): code for code, times in SLOT_TIMES.items()}
    values = []
    for day, ranges in (data or {}).items():
        for times in ranges:
            code = by_times.get(tuple(times))
            if code:
                values.append(f"{day}-{code}")
    return values


class ProfileForm(forms.ModelForm):
    """The one short form of journey 1: who you are, where you live, what you can do, when."""

    mobile = MobileField()
    community = forms.ModelChoiceField(Community.objects.all(), label=_("Home community"))
    compound = forms.ModelChoiceField(
        Compound.objects.none(),
        label=_("Compound"),
        required=False,
        empty_label=_("Choose your compound"),
    )
    skills = forms.ModelMultipleChoiceField(
        Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What can you do?"),
    )
    availability = forms.MultipleChoiceField(
        choices=availability_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("When are you usually free?"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the community and the subdistrict office keep and use these "
            "details to arrange volunteer work and count my hours. They are not shared "
            "with anyone else, and I can delete my account at any time."
        ),
        error_messages={"required": _("Please agree to the use of your personal data.")},
    )

    class Meta:
        model = VolunteerProfile
        fields = [
            "real_name",
            "mobile",
            "community",
            "compound",
            "skills",
            "availability",
            "is_party_member",
            "work_unit",
            "id_type",
            "id_number",
            "emergency_contact_name",
            "emergency_contact_phone",
        ]
        widgets = {
            "real_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "emergency_contact_phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "numeric"}
            ),
        }
        help_texts = {
            "id_number": _("Optional. Stored safely and shown masked."),
            "work_unit": _("For in-service party members: where you work."),
        }
        labels = {
            "is_party_member": _("I am an in-service party member (reporting to the community)")
        }

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None and not self.is_bound:
            self.initial["community"] = getattr(community, "pk", community)
        if self.instance.pk:
            self.initial.setdefault(
                "availability", availability_from_json(self.instance.availability)
            )
            self.fields.pop("consent")
            if self.instance.id_number:
                # The number is never sent back in full, not even to its owner.
                self.initial["id_number"] = ""
                self.fields["id_number"].help_text = _(
                    "Saved as %(masked)s. Leave empty to keep it."
                ) % {"masked": self.instance.masked_id_number}
        chosen = self.data.get("community") if self.is_bound else self.initial.get("community")
        if hasattr(chosen, "pk"):
            chosen = chosen.pk
        if chosen is None and self.instance.pk:
            chosen = self.instance.community_id
        try:
            self.fields["compound"].queryset = Compound.objects.filter(community_id=int(chosen))
        except (TypeError, ValueError):
            pass
        self.fields["compound"].label_from_instance = lambda c: c.name
        self.fields["id_type"].required = False

    def clean_id_type(self):
        # optional in the form (most people have a resident ID card): empty means that one
        return self.cleaned_data.get("id_type") or VolunteerProfile.IdType.RESIDENT_ID

    def clean_id_number(self):
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if value:
            # the format of the chosen document (id_type is cleaned first: it comes first)
            id_type = self.cleaned_data.get("id_type") or VolunteerProfile.IdType.RESIDENT_ID
            validate_id_document(id_type, value)
        elif self.instance.pk:
            value = (
                VolunteerProfile.objects.filter(pk=self.instance.pk)
                .values_list("id_number", flat=True)
                .first()
                or ""
            )
        return value

    def clean_emergency_contact_phone(self):
        return normalize_mobile(self.cleaned_data.get("emergency_contact_phone"))

    def clean_availability(self):
        return availability_to_json(self.cleaned_data.get("availability") or [])

    def clean(self):
        data = super().clean()
        if data.get("is_party_member") and not data.get("work_unit"):
            self.add_error("work_unit", _("Please tell us your work unit."))
        compound, community = data.get("compound"), data.get("community")
        if compound and community and compound.community_id != community.pk:
            self.add_error("compound", _("This compound is not in the chosen community."))
        return data

    def availability_days(self):
        return [label for _day, label in WEEKDAYS]

    def availability_rows(self):
        """The week grid: one row per time slot, one checkbox per day."""
        value = self["availability"].value() or []
        chosen = set(availability_from_json(value) if isinstance(value, dict) else value)
        return [
            (
                label,
                [
                    (f"{day}-{code}", f"{day_label} {label}", f"{day}-{code}" in chosen)
                    for day, day_label in WEEKDAYS
                ],
            )
            for code, label, _s, _e in AVAILABILITY_SLOTS
        ]


class ShiftFilterForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind of work"),
        required=False,
        choices=[("", _("All kinds"))] + list(Task.Kind.choices),
    )


class CertificateForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period start", "From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must not be before the start date."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RemovalForm(forms.Form):
    """Why a coordinator takes a person off a shift: a short choice, and words of her own
    (required for "other"). `reason()` is the text the person is told and the trail keeps."""

    WHY = [
        ("sick", _("Ill")),
        ("unavailable", _("Cannot come (something came up)")),
        ("unreachable", _("Cannot be reached")),
        ("other", _("Other")),
    ]
    why = forms.ChoiceField(label=_("Reason"), choices=WHY, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Details of the reason"),
        max_length=150,
        required=False,
        help_text=_('Told to the person; required for "Other".'),
    )

    def clean(self):
        data = super().clean()
        if data.get("why") == "other" and not data.get("note", "").strip():
            self.add_error("note", _("Say why the person is taken off the shift."))
        return data

    def reason(self):
        label = str(dict(self.WHY)[self.cleaned_data["why"]])
        note = self.cleaned_data["note"].strip()
        if self.cleaned_data["why"] == "other":
            return note
        return _("%(why)s: %(note)s") % {"why": label, "note": note} if note else label


class PeriodForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period start", "From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())
    work_unit = forms.CharField(label=_("Work unit"), required=False)


def _next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


class AutoAssignForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("period start", "from"), initial=_next_monday, widget=DateInput()
    )
    end = forms.DateField(
        label=pgettext_lazy("period end", "until"),
        initial=lambda: _next_monday() + timedelta(days=6),
        widget=DateInput(),
    )
    community = forms.ModelChoiceField(
        queryset=None, required=False, label=_("community"), empty_label=_("All my communities")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choose_the_only_one(self.fields["community"], communities_for(user))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data
