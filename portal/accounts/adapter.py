"""allauth adapter: mainland mobile numbers stored on the User, codes sent through portal.sms."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from portal.sms import send_sms
from portal.validators import normalize_mobile, validate_mobile


class MobileField(forms.CharField):
    """An 11-digit mainland mobile number; +86 and spaces are accepted and stripped."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel",
                    "inputmode": "numeric",
                    "placeholder": _("11-digit mobile number"),
                }
            ),
        )
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        value = normalize_mobile(value)
        validate_mobile(value)
        return value


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        kwargs.pop("validators", None)
        return MobileField(**kwargs)

    def clean_phone(self, phone):
        phone = normalize_mobile(phone)
        validate_mobile(phone)
        return phone

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        send_sms(phone, _t("Your verification code is %(code)s. It is valid for 15 minutes. Do not share it.") % {"code": code})

    def send_unknown_account_sms(self, phone, **kwargs):
        send_sms(phone, _t("This mobile number has no account yet. Sign up on the portal to join."))

    def send_account_already_exists_sms(self, phone):
        send_sms(phone, _t("This mobile number already has an account; log in with a code instead."))

    def set_phone(self, user, phone, verified):
        user.phone = phone
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        if user.phone:
            return user.phone, user.phone_verified
        return None

    def set_phone_verified(self, user, phone):
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone):
        return get_user_model().objects.filter(phone=normalize_mobile(phone)).first()

    def is_open_for_signup(self, request):
        return True
