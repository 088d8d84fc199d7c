"""Security events on the `portal.security` logger: log-ins and failed log-ins, wrong codes,
rate limits, password and MFA changes (docs/security.md, "Logs and the audit trail").

allauth writes almost nothing to a logger; it tells through signals (log-in, MFA failures,
password changes) and, for wrong codes (SMS, email, login and reauthentication codes) and rate
limits, through the error it shows. So: receivers for the signals (connected in PortalConfig.ready()), and
`SecurityLogAdapterMixin` on the account adapter for the errors. Each line carries the event,
the user id when known, the client IP (as allauth's rate limits see it) and the request's path;
never what was typed (a code, a password, a phone number or an email address).
"""

import logging

from allauth.account import signals as account_signals
from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from portal import audit

logger = logging.getLogger("portal.security")

# allauth error codes worth a line, and the event each becomes.
LOGGED_ERRORS = {
    "incorrect_code": "code_rejected",
    "incorrect_password": "password_rejected",
    "too_many_login_attempts": "rate_limited",
    "invalid_password_reset": "password_reset_rejected",
}


def security_event(event, request=None, user=None, level=logging.WARNING, **fields):
    request = request if request is not None else audit.current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if candidate is not None and candidate.is_authenticated else None
    logger.log(
        level,
        "security %s",
        event,
        extra={
            "request": request,
            "security_event": event,
            "security_user": getattr(user, "pk", None),
            "security_ip": audit.client_ip(request),
            **{f"security_{key}": value for key, value in fields.items()},
        },
    )


class SecurityLogAdapterMixin:
    """Put before DefaultAccountAdapter: logs the refusals allauth only shows to the user."""

    def validation_error(self, code, *args):
        if code in LOGGED_ERRORS:
            security_event(LOGGED_ERRORS[code], getattr(self, "request", None), code=code)
        return super().validation_error(code, *args)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        message = kwargs.get("message")
        for code in ("rate_limited", "too_many_login_attempts"):
            if message is not None and message == self.error_messages.get(code):
                security_event("rate_limited", request, code=code)
        return super().add_message(request, level, message_template, *args, **kwargs)


@receiver(account_signals.user_logged_in)
def logged_in(sender, request, user, **kwargs):
    security_event("login", request, user, level=logging.INFO)


@receiver(auth_signals.user_logged_out)
def logged_out(sender, request, user, **kwargs):
    security_event("logout", request, user, level=logging.INFO)


@receiver(auth_signals.user_login_failed)
def login_failed(sender, credentials=None, request=None, **kwargs):
    security_event("login_failed", request)  # the credentials are never logged


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def password_changed(sender, request=None, user=None, **kwargs):
    security_event("password_changed", request, user, level=logging.INFO)


@receiver(account_signals.email_changed)
def email_changed(sender, request=None, user=None, **kwargs):
    security_event("email_changed", request, user, level=logging.INFO)


def connect_mfa():
    """MFA's signals, once allauth.mfa is installed (issue 10, point 4)."""
    if not apps.is_installed("allauth.mfa"):
        return
    from allauth.mfa import signals as mfa_signals

    def mfa_failed(sender, request=None, user=None, **kwargs):
        security_event("mfa_failed", request, user)

    def mfa_changed(sender, request=None, user=None, authenticator=None, **kwargs):
        security_event(
            "mfa_changed",
            request,
            user,
            level=logging.INFO,
            authenticator=getattr(authenticator, "type", ""),
        )

    mfa_signals.authentication_failed.connect(mfa_failed, dispatch_uid="portal_mfa_failed")
    for signal in (
        mfa_signals.authenticator_added,
        mfa_signals.authenticator_removed,
        mfa_signals.authenticator_reset,
    ):
        signal.connect(mfa_changed, dispatch_uid=f"portal_mfa_changed_{id(signal)}")
