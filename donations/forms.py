import secrets

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from donations.models import Donor, Item, too_many_pixels_error, validate_photo
from portal.bounds import MAX_QUANTITY
from portal.importexport import ImportFileError, read_upload
from portal.validators import normalize_uscc, validate_uscc
from portal.widgets import DateInput


class DonorForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = [
            "kind",
            "name",
            "credit_code",
            "contact_name",
            "contact_phone",
            "address",
            "public_name_consent",
        ]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "name": _("The full registered name of the firm, or your name."),
            "public_name_consent": _(
                "If unticked, the public board lists your donation as from an anonymous donor."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Needed for a firm (the usual case), so not labelled "optional".
        self.fields["credit_code"].hide_optional = True

    def clean_credit_code(self):
        code = normalize_uscc(self.cleaned_data.get("credit_code"))
        if code:
            validate_uscc(code)
        return code

    def clean(self):
        data = super().clean()
        # One message per field: a malformed code has already said what is wrong with it.
        missing = not data.get("credit_code") and "credit_code" not in self.errors
        if data.get("kind") == Donor.Kind.FIRM and missing:
            self.add_error("credit_code", _("A firm needs its unified social credit code."))
        return data

    def _post_clean(self):
        # Uniqueness and the firm/code rule are checked by the service, which says it better.
        pass


class DonorPreferencesForm(forms.ModelForm):
    """What a representative may change after registration (the name and code need staff)."""

    class Meta:
        model = Donor
        fields = ["contact_name", "contact_phone", "address", "public_name_consent"]


class PhotoField(forms.ImageField):
    """Django's image field, saying "too many pixels" instead of "not an image" when Pillow
    refuses a decompression bomb."""

    def to_python(self, data):
        from PIL import Image

        try:
            return super().to_python(data)
        except forms.ValidationError as error:
            if isinstance(error.__cause__, Image.DecompressionBombError):
                raise too_many_pixels_error() from error
            raise


class PledgeForm(forms.Form):
    # A one-time token per form shown: posting the same form twice makes one pledge
    # (services.pledge finds the first by it).
    submission_key = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{16,64}$")],
    )
    expected_date = forms.DateField(
        label=_("Expected delivery date"),
        required=False,
        widget=DateInput(),
    )
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = secrets.token_urlsafe(24)


class DonorPledgeForm(PledgeForm):
    """The donor's pledge form; `need`: the public need it was opened from (views.pledge_new)."""

    need = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class PledgeLineForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Item"), queryset=Item.objects.filter(active=True), required=False
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, required=False
    )
    lot_number = forms.CharField(label=_("Lot number"), max_length=50, required=False)
    expiry = forms.DateField(label=_("Expiry date"), required=False, widget=DateInput())
    photo = PhotoField(
        label=_("Photo of goods or certificate"), required=False, validators=[validate_photo]
    )

    def clean(self):
        data = super().clean()
        if data.get("item") and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("item"):
            self.add_error("item", _("Choose the item."))
        return data


class BasePledgeLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("item") for form in self.forms):
            raise forms.ValidationError(_("Enter at least one line."))

    def lines(self):
        return [
            {
                key: form.cleaned_data.get(key)
                for key in ("item", "quantity", "lot_number", "expiry", "photo")
            }
            for form in self.forms
            if form.cleaned_data.get("item")
        ]


PledgeLineFormSet = forms.formset_factory(
    PledgeLineForm, formset=BasePledgeLineFormSet, extra=3, max_num=50
)


class PledgeUploadForm(PledgeForm):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_("Columns: 物资名称, 数量, 批号, 有效期至 (the first row holds the headers)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.file_format, self.content = read_upload(upload)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class CancelPledgeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling this pledge?"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
