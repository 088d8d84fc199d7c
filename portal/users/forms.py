"""The add-user and edit-user forms of the Wagtail admin (see portal/users/__init__.py)."""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.users import forms as wagtail_forms

from portal.accounts.adapter import MobileField

User = get_user_model()


class AccountFieldsMixin(forms.Form):
    """What the portal adds to Wagtail's user forms: the mobile number people log in with, the
    language of their messages, and the rule that an account has a number or an email."""

    phone = MobileField(
        required=False,
        help_text=_(
            "They log in with this number and a code sent by SMS. Give a mobile number, an "
            "email address, or both."
        ),
    )

    error_messages = {
        **wagtail_forms.UserForm.error_messages,
        "duplicate_phone": _("This mobile number already belongs to another account."),
        "duplicate_email": _("This email address already belongs to another account."),
        "no_way_in": _(
            "Give a mobile number or an email address: without one the person cannot log in."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_phone = self.instance.phone
        if "username" in self.fields:  # Wagtail's help text has no Chinese translation
            self.fields["username"].help_text = _(
                "Required. Can be used with a password to log in; letters, digits and "
                "@/./+/-/_ only."
            )
        # A mobile number is enough to log in (the common case), so email is optional here.
        self.fields["email"].required = False
        self.fields["email"].help_text = _("Optional when a mobile number is given.")
        # A name may sit whole in the given-name field (as the demo staff's do): the surname
        # is not forced on every edit.
        self.fields["last_name"].required = False
        self.fields["language"].help_text = _(
            "SMS and email messages are written in this language."
        )

    def others(self):
        users = User._default_manager.all()
        if self.instance.pk is not None:
            users = users.exclude(pk=self.instance.pk)
        return users

    def clean_phone(self):
        # MobileField has already normalised and validated it, as on the phone sign-up form.
        phone = self.cleaned_data.get("phone") or None  # no number is NULL, never "" (unique)
        if phone and self.others().filter(phone=phone).exists():
            raise forms.ValidationError(
                self.error_messages["duplicate_phone"], code="duplicate_phone"
            )
        return phone

    def clean_email(self):
        # Stored lower-case, as allauth's email sign-up stores it (ACCOUNT_UNIQUE_EMAIL).
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email:
            taken = self.others().filter(email__iexact=email).exists()
            if not taken:
                addresses = EmailAddress.objects.filter(email__iexact=email)
                if self.instance.pk is not None:
                    addresses = addresses.exclude(user_id=self.instance.pk)
                taken = addresses.exists()
            if taken:
                raise forms.ValidationError(
                    self.error_messages["duplicate_email"], code="duplicate_email"
                )
        return email

    def clean(self):
        cleaned_data = super().clean()
        has_errors = "phone" in self.errors or "email" in self.errors
        if not has_errors and not cleaned_data.get("phone") and not cleaned_data.get("email"):
            self.add_error(
                "phone", forms.ValidationError(self.error_messages["no_way_in"], code="no_way_in")
            )
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        if self.instance.phone != self.saved_phone:
            # A number typed in by an admin is not proven: the person verifies it by SMS at
            # their first log-in (see portal/users/__init__.py).
            self.instance.phone_verified = False


class UserCreationForm(AccountFieldsMixin, wagtail_forms.UserCreationForm):
    class Meta(wagtail_forms.UserCreationForm.Meta):
        fields = wagtail_forms.UserCreationForm.Meta.fields | {"phone", "language"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People log in by number or email; the username is only a handle, so it may be left
        # for the portal to make up, as a phone sign-up does.
        self.fields["username"].required = False
        self.fields["username"].help_text = _(
            "Optional: made up from the email address or mobile number when left empty. "
            "Letters, digits and @/./+/-/_ only."
        )
        if "password1" in self.fields and not self.fields["password1"].required:
            self.fields["password1"].help_text = _(
                "Optional: staff log in with an SMS code. Leave both password fields empty "
                "unless this person needs a password."
            )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("username") and not self.has_error("username"):
            email = cleaned_data.get("email") or ""
            cleaned_data["username"] = get_adapter().generate_unique_username(
                [email.split("@")[0], cleaned_data.get("phone") or "", "staff"]
            )
        return cleaned_data

    def save(self, commit=True):
        user = super().save(commit=False)
        if not self.cleaned_data.get("password1"):
            # As a phone sign-up: no password at all, not an empty one.
            user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserEditForm(AccountFieldsMixin, wagtail_forms.UserEditForm):
    class Meta(wagtail_forms.UserEditForm.Meta):
        fields = wagtail_forms.UserEditForm.Meta.fields | {"phone", "language"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone:
            status = (
                _("Verified: the person has confirmed this number by SMS.")
                if self.instance.phone_verified
                else _("Not verified yet: it will be confirmed by SMS at their next log-in.")
            )
            self.fields["phone"].help_text = f"{self.fields['phone'].help_text} {status}"
