"""allauth adapter: mainland mobile numbers stored on the User, codes sent through portal.sms."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from portal.security_log import SecurityLogAdapterMixin
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


class AccountAdapter(SecurityLogAdapterMixin, DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        kwargs.pop("validators", None)
        return MobileField(**kwargs)

    def clean_phone(self, phone):
        phone = normalize_mobile(phone)
        validate_mobile(phone)
        return phone

    @sensitive_variables("code")
    def send_verification_code_sms(self, user, phone, code, **kwargs):
        # portal.sms.send_sms counts the message against the number's cap and raises
        # SMSLimitExceeded (the 429 page, portal.limits) when it is reached.
        send_sms(
            phone,
            gettext(
                "Your verification code is %(code)s. It is valid for 15 minutes. Do not share it."
            )
            % {"code": code},
        )

    def send_unknown_account_sms(self, phone, **kwargs):
        send_sms(
            phone, gettext("This mobile number has no account yet. Sign up on the portal to join.")
        )

    def send_account_already_exists_sms(self, phone):
        send_sms(
            phone, gettext("This mobile number already has an account; log in with a code instead.")
        )

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

    def get_login_stages(self):
        # Ours waives email verification for accounts that came in by phone (see stages.py).
        return [
            "portal.accounts.stages.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def save_user(self, request, user, form, commit=True):
        # Messages (SMS, mail) later go out in the language the person signed up in.
        language = get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        # allauth names the site after the request's host ("Hello from 127.0.0.1:8000!"); we
        # have no django.contrib.sites, so give its mails the portal's own name.
        context = {"current_site": portal_site(), **context}
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject):
        prefix = gettext("Lugouqiao Subdistrict")
        return f"[{prefix}] {subject}"

    def login(self, request, user):
        super().login(request, user)
        set_admin_language(user)

    def get_reauthentication_methods(self, user):
        # The first method is the one @reauthentication_required sends people to: for anyone
        # with an authenticator (all staff) the code from their app, rather than allauth's
        # default order (password, then an SMS code). The others stay offered on that page.
        methods = super().get_reauthentication_methods(user)
        return sorted(methods, key=lambda method: not method["id"].startswith("mfa_"))


def portal_site():
    """The portal as allauth's mail templates expect a Site: a name and a domain."""
    return SimpleNamespace(
        name=gettext("Lugouqiao Subdistrict Volunteer and Donation Portal"),
        domain=urlsplit(settings.SITE_URL).netloc,
        url=settings.SITE_URL,
    )


def set_admin_language(user):
    """A member of staff sees the Wagtail admin in their own language, Chinese unless they chose
    otherwise, rather than in whatever their browser asks for: the Wagtail profile made at their
    first log-in carries User.language. They can change it on the admin's account page."""
    if not user.has_perm("wagtailadmin.access_admin"):
        return
    from wagtail.users.models import UserProfile

    UserProfile.objects.get_or_create(
        user=user,
        defaults={"preferred_language": user.language or settings.LANGUAGE_CODE},
    )


def user_display(user):
    """How allauth names a person in its messages ("Successfully signed in as ..."): their
    name, else their mobile number or email, never the generated username (ACCOUNT_USER_DISPLAY)."""
    return str(user)
