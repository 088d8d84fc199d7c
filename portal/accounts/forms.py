"""The allauth forms of the two ways in (see portal/accounts/__init__.py).

Each signup form narrows allauth's SignupForm to the fields of its path by overriding
`_get_signup_fields`, the hook allauth itself uses to read ACCOUNT_SIGNUP_FIELDS; everything
else (uniqueness, enumeration prevention, saving, the login stages) stays allauth's.
"""

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from portal.sms import SMSLimitExceeded, quota_left
from portal.validators import MOBILE_RE, normalize_mobile


def unknown_number_error():
    return _("No account has this mobile number yet. Sign up with it below: it takes a minute.")


def check_known_number(form, field, phone, user):
    """A code asked for a number that has no account is refused on the page, with the way to
    sign up, instead of allauth's "we sent you a code" and a text saying there is no account.
    It tells whether a number has an account (docs/security.md: the trade-off); the
    request_login_code rate limits were already counted for the attempt, and no SMS goes out."""
    if phone and user is None and not form.errors.get(field):
        form.add_error(field, unknown_number_error())
        form.unknown_number = True


def check_sms_quota(form, field, phone):
    """Answer on the form when a code could not be sent to `phone` anyway (the number has had
    its share of messages, portal.sms); portal.sms.send_sms still enforces the cap itself."""
    if phone and not quota_left(phone):
        form.add_error(field, str(SMSLimitExceeded()))


class RaceSafeSignupMixin:
    """Two people (or one double tap) signing up with the same number or address at the same
    moment both pass validation; the database's unique constraint stops the second. Treat it
    as allauth treats a number that already has an account (enumeration prevention: "we sent
    you a code"), never as a server error."""

    def try_save(self, request):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            self.account_already_exists = True
            return super().try_save(request)


class PhoneSignupForm(RaceSafeSignupMixin, allauth_forms.SignupForm):
    """Journey 1: a mobile number and nothing else. No password, no email; the SMS code sent by
    the phone verification stage proves the number and logs the person in."""

    def _get_signup_fields(self, kwargs):
        return {"phone": {"required": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("Mobile number")
        self.fields["phone"].help_text = _(
            "We will send a verification code to this number by SMS."
        )

    def clean(self):
        data = super().clean()
        check_sms_quota(self, "phone", data.get("phone"))
        return data


class EmailSignupForm(RaceSafeSignupMixin, allauth_forms.SignupForm):
    """Signing up by email: an address and a password; the account is usable once the code
    emailed to that address has been entered."""

    def _get_signup_fields(self, kwargs):
        return {"email": {"required": True}, "password1": {"required": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].widget.attrs["placeholder"] = "name@example.com"
        self.fields["email"].help_text = _("We will email you a code to confirm the address.")


class LoginForm(allauth_forms.LoginForm):
    """One form for both ways of logging in. Leave the password empty and allauth sends a
    one-time code (by SMS to a mobile number, by email to an address); fill it in (staff,
    people who signed up by email) and it checks the password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Mobile number or email")
        login.widget.attrs.update(
            {"placeholder": _("11-digit mobile number or email"), "autocomplete": "username"}
        )
        password = self.fields.get("password")
        if password is not None:
            password.required = False
            password.help_text = ""

    def clean_login(self):
        # allauth passes the typed text on as the credential: "+86 139 1234 5678" must become
        # the 11 digits stored on the user before the code is sent or the password checked.
        login = super().clean_login()
        if "@" not in login and MOBILE_RE.match(normalize_mobile(login)):
            return normalize_mobile(login)
        return login

    def clean(self):
        data = super().clean()
        login = data.get("login") or ""
        if not data.get("password") and MOBILE_RE.match(login) and not self.errors:
            check_known_number(self, "login", login, getattr(self, "user", None))
            check_sms_quota(self, "login", login)
        return data


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    """Fill in one of the two: a mobile number (SMS) or an email address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.fields["phone"].label = _("Mobile number")
        if "email" in self.fields:
            self.fields["email"].label = _("Or the email address of your account")

    def clean(self):
        data = super().clean()
        phone = data.get("phone")
        if phone and not self.errors:
            check_known_number(self, "phone", phone, getattr(self, "_user", None))
        check_sms_quota(self, "phone", phone)
        return data


class NumericCodeMixin:
    """Codes are six digits (ALLAUTH_USER_CODE_FORMAT): phones show the number pad."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = _("Verification code")
        code.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": _("6 digits")}
        )


class ConfirmLoginCodeForm(NumericCodeMixin, allauth_forms.ConfirmLoginCodeForm):
    pass


class VerifyPhoneForm(NumericCodeMixin, allauth_forms.VerifyPhoneForm):
    pass


class ConfirmEmailVerificationCodeForm(
    NumericCodeMixin, allauth_forms.ConfirmEmailVerificationCodeForm
):
    pass


# --- The second factor (allauth.mfa, MFA_FORMS; see portal/accounts/staff.py) ---------------


class AuthenticatorCodeMixin:
    """A code from the authenticator app (6 digits) or a recovery code (8 digits): the number
    pad on phones, and the spaces some apps show ("123 456") are dropped."""

    code_label = _("Code from your authenticator app")
    code_help = _("Lost your phone? Enter one of your recovery codes instead.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = self.code_label
        code.help_text = self.code_help
        code.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": _("6 digits")}
        )

    def clean_code(self):
        self.cleaned_data["code"] = "".join(self.cleaned_data.get("code", "").split())
        return super().clean_code()


class MFAAuthenticateForm(AuthenticatorCodeMixin, mfa_forms.AuthenticateForm):
    pass


class MFAReauthenticateForm(AuthenticatorCodeMixin, mfa_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(AuthenticatorCodeMixin, totp_forms.ActivateTOTPForm):
    code_help = _("The 6-digit code the app shows after you have added the account.")


class AddWebAuthnForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")
        self.fields["name"].help_text = _(
            'So that you can tell your keys apart, e.g. "office USB key". Then press Add and '
            "touch the key, or use your phone's fingerprint or face unlock."
        )
