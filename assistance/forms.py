from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.bounds import MAX_QUANTITY
from portal.forms import choose_the_only_one
from portal.models import Compound
from portal.scoping import communities_for
from portal.validators import validate_phone

from .models import HelpRequest

# Item rows in one request: enough for a week's shopping list, few enough to read on a phone.
MAX_LINES = 10
ITEMS_PREFIX = "items"


class ItemLineForm(forms.Form):
    """One row of a request: a catalogue item and how many. A row left blank is ignored."""

    item = forms.ModelChoiceField(
        queryset=None, required=False, label=_("supplies from the list"), empty_label=_("(none)")
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=99,
        required=False,
        label=_("quantity"),
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _(
                "At most %(limit_value)s of one item; describe larger needs in the free text."
            ),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from donations.models import Item

        self.fields["item"].queryset = Item.objects.filter(active=True).order_by("name")

    def clean(self):
        data = super().clean()
        item, quantity = data.get("item"), data.get("quantity")
        if item and not quantity and "quantity" not in self.errors:
            self.add_error("quantity", _("How many?"))
        if quantity and not item:
            self.add_error("item", _("Choose the item."))
        return data


class StaffItemLineForm(ItemLineForm):
    """The coordinator's row: no upper limit on the quantity (a building's order by phone)."""

    item = forms.ModelChoiceField(
        queryset=None, required=False, label=_("item from the catalogue"), empty_label=_("(none)")
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        required=False,
        label=_("quantity"),
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("The quantity must be at least 1."),
        },
    )


class BaseItemLineFormSet(forms.BaseFormSet):
    """Item rows, all optional: a row kept from an "add another item" round trip is as optional
    as a new one, so no row counts as an "initial" form."""

    default_error_messages = {
        "missing_management_form": _(
            "The list of items was incomplete. Check it and send the form again."
        ),
        "too_many_forms": ngettext_lazy(
            "You can ask for at most %(num)d item in one request.",
            "You can ask for at most %(num)d items in one request.",
            "num",
        ),
    }

    def initial_form_count(self):
        return 0


def _item_formset(form_class):
    return forms.formset_factory(
        form_class,
        formset=BaseItemLineFormSet,
        extra=1,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    )


ItemLineFormSet = _item_formset(ItemLineForm)
StaffItemLineFormSet = _item_formset(StaffItemLineForm)


def _labelled(label, error):
    return _("%(field)s: %(error)s") % {"field": label, "error": error}


# The fields of a help request's form that services.record_request takes as they are.
REQUEST_FIELDS = (
    "community",
    "compound",
    "building",
    "contact_phone",
    "contact_name",
    "need",
    "urgency",
)


class WithItemLines:
    """A form that carries its item rows as a formset (`self.items`): valid only when both
    are, and either an item or the free text `need` must say what is needed.

    `rows` (unbound only) are the rows to show, e.g. what was typed plus one empty row; by
    default one empty row."""

    item_formset = ItemLineFormSet

    def __init__(self, *args, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = self.item_formset(
            self.data if self.is_bound else None, prefix=ITEMS_PREFIX, initial=rows or None
        )
        if rows:
            self.items.extra = len(rows)

    @classmethod
    def with_another_row(cls, data, **kwargs):
        """The form again, unbound (nothing validated, no errors shown), with what was typed
        and one more empty item row, unless MAX_LINES are there. Returns (form, added)."""
        typed = cls(data, **kwargs)
        initial = {name: typed[name].value() for name in typed.fields}
        rows = [{name: row[name].value() for name in row.fields} for row in typed.items]
        added = len(rows) < MAX_LINES
        if added:
            rows.append({})
        form = cls(initial=initial, rows=rows or [{}], **kwargs)
        if added:
            form.items.forms[-1].fields["item"].widget.attrs["autofocus"] = True
        return form, added

    def is_valid(self):
        form_valid = super().is_valid()
        return self.items.is_valid() and form_valid

    def clean(self):
        data = super().clean()
        if (
            self.items.is_valid()
            and not self.lines()
            and not (data.get("need") or "").strip()
            and "need" not in self.errors
        ):
            self.add_error(
                "need", _("Say what is needed: items from the catalogue or a description.")
            )
        return data

    def lines(self):
        """[(item, quantity)] of the filled rows, one per item (a repeated item is added up)."""
        totals = {}
        for row in self.items.forms:
            item, quantity = row.cleaned_data.get("item"), row.cleaned_data.get("quantity")
            if item and quantity:
                previous = totals.get(item.pk, (item, 0))[1]
                totals[item.pk] = (item, previous + quantity)
        return list(totals.values())

    def request_fields(self):
        """What services.record_request takes from a valid form: where, who, what."""
        fields = {name: self.cleaned_data[name] for name in REQUEST_FIELDS}
        return {**fields, "lines": self.lines()}

    def error_summary(self):
        """Every error as (id of the field to jump to, or "" for none, text), in page order:
        the item rows come just before the free text `need`."""
        summary = [("", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            if name == "need":
                summary += self._item_errors()
            summary += [
                (self._anchor(self[name]), _labelled(self[name].label, error))
                for error in self.errors.get(name, [])
            ]
        return summary

    def _item_errors(self):
        summary = [(f"{ITEMS_PREFIX}-rows", str(error)) for error in self.items.non_form_errors()]
        for number, row in enumerate(self.items.forms, start=1):
            for name, errors in row.errors.items():
                label = _("Item %(number)s, %(field)s") % {
                    "number": number,
                    "field": row.fields[name].label,
                }
                summary += [(self._anchor(row[name]), _labelled(label, error)) for error in errors]
        return summary

    @staticmethod
    def _anchor(bound_field):
        # Radio buttons have no single id: jump to the first one.
        return bound_field.id_for_label or f"{bound_field.auto_id}_0"


class HelpRequestForm(WithItemLines, forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=_("community"))
    compound = forms.ModelChoiceField(queryset=None, label=_("compound"))
    building = forms.CharField(label=_("building, unit and room"), max_length=100)
    contact_name = forms.CharField(label=_("contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("A mobile number, or a landline with its area code"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    urgency = forms.ChoiceField(label=_("urgency"), choices=HelpRequest.Urgency.choices)
    need = forms.CharField(
        label=_("what is needed (free text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    item_formset = StaffItemLineFormSet

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = communities_for(user)
        # staff of one community (or a community with one compound) find it chosen already
        choose_the_only_one(self.fields["community"], communities)
        choose_the_only_one(
            self.fields["compound"],
            Compound.objects.filter(community__in=communities).select_related("community"),
        )


class OwnHelpRequestForm(WithItemLines, forms.Form):
    """A resident asks for help on the website (mobile first: few fields, labelled)."""

    community = forms.ModelChoiceField(
        queryset=None, label=_("community"), empty_label=_("Choose your community")
    )
    compound = forms.ModelChoiceField(
        queryset=None, label=_("compound"), empty_label=_("Choose your compound")
    )
    building = forms.CharField(
        label=_("building, unit and room"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 3-2-501")}),
    )
    need = forms.CharField(
        label=_("what is needed (free text)"),
        required=False,
        help_text=_("e.g. milk powder, medicine, vegetables, a ride to hospital"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(
        label=_("urgency"),
        choices=HelpRequest.Urgency.choices,
        initial=HelpRequest.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(label=_("contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("A mobile number, or a landline with its area code"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.models import Community

        self.fields["community"].queryset = Community.objects.order_by("name")
        self.fields["compound"].queryset = Compound.objects.select_related("community")
        self.fields["compound"].label_from_instance = lambda c: f"{c.community.name} · {c.name}"

    def clean(self):
        data = super().clean()
        community, compound = data.get("community"), data.get("compound")
        if community and compound and compound.community_id != community.pk:
            self.add_error("compound", _("This compound is not in the chosen community."))
        return data
