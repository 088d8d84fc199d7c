"""Staff sessions: a second factor at the door, and sessions that end.

Everyone who may enter the Wagtail admin (the wagtailadmin.access_admin permission; superusers
have every permission) is "staff" here. For them:

- **A second factor.** allauth's MFA login stage asks anyone who has an authenticator (TOTP app
  or security key) for a code after the SMS code or password. The middleware below holds the
  rest of the door: a staff session in which no second factor has been given (allauth records
  each step of a log-in in the session; MFA steps have method "mfa") reaches nothing but the
  account pages. Staff with no authenticator yet are sent to set one up; staff who have one
  (a session from before they were made staff, say) are asked for a code.
- **Sessions that end.** The session cookie lasts until the browser closes, and the session
  ends STAFF_SESSION_MAX_AGE seconds after the log-in however busy it has been. Volunteers,
  residents and donors keep ACCOUNT_SESSION_REMEMBER.

Tests: tests/conftest.py marks sessions made by `client.force_login` as having passed MFA; tests
marked `mfa_enforced` see the real door (tests/portal/test_mfa.py).
"""

import time

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.roles import ADMIN_ACCESS

# When the session's user logged in (a Unix time), set at every log-in.
LOGIN_AT_SESSION_KEY = "portal_login_at"

# What a staff session without a second factor may still reach: allauth's own account pages
# (setting up an authenticator, giving a code, re-authenticating, verifying an email address,
# logging out), the admin's log-out, and what every page loads.
OPEN_URL_PREFIXES = ("account_", "mfa_")
OPEN_URL_NAMES = {"wagtailadmin_logout", "javascript-catalog", "set_language", "healthz", "readyz"}

# The authenticators that are a second factor (recovery codes only stand in for them).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def is_staff(user):
    return user.is_authenticated and user.has_perm(ADMIN_ACCESS)


def has_second_factor(user):
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def passed_second_factor(request):
    """Whether a second factor was given in this session (at log-in or since)."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


@receiver(user_logged_in, dispatch_uid="portal.accounts.staff.note_login_time")
def note_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = time.time()


@receiver(authenticator_added, dispatch_uid="portal.accounts.staff.count_new_authenticator")
def count_new_authenticator(sender, request, user, authenticator, **kwargs):
    """Setting up a TOTP app or a security key means proving it works (a code from the app, a
    signature from the key), right now and in this session: that is a second factor given, so
    the person goes on without typing another code."""
    if authenticator.type in SECOND_FACTORS and request is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def _open(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 page tells nothing
    name = match.url_name or ""
    return name in OPEN_URL_NAMES or name.startswith(OPEN_URL_PREFIXES)


def _redirect(url_name, request):
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(url_name)}?{query}")


class StaffSessionMiddleware:
    """Holds the door for staff sessions (see the module docstring). Goes after allauth's
    AccountMiddleware, so that its responses pass through SessionMiddleware's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and is_staff(user):
            refused = self.check(request, user)
            if refused is not None:
                return refused
        response = self.get_response(request)
        # After the view: whoever is logged in now (a log-in may just have happened).
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and session is not None
            and is_staff(user)
            and not session.get_expire_at_browser_close()
        ):
            session.set_expiry(0)
        return response

    def check(self, request, user):
        login_at = request.session.get(LOGIN_AT_SESSION_KEY)
        if login_at is None or time.time() - login_at > settings.STAFF_SESSION_MAX_AGE:
            logout(request)
            messages.info(
                request,
                _("For security, staff sessions end %(hours)s hours after logging in.")
                % {"hours": settings.STAFF_SESSION_MAX_AGE // 3600},
            )
            return _redirect("account_login", request)
        if passed_second_factor(request) or _open(request):
            return None
        if has_second_factor(user):
            return _redirect("mfa_reauthenticate", request)
        messages.warning(
            request,
            _(
                "Staff accounts need two-factor authentication. Set up an authenticator app "
                "before you continue."
            ),
        )
        return _redirect("mfa_activate_totp", request)
