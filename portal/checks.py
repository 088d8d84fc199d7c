"""Deploy checks: production must not run half-configured.

`manage.py check --deploy` (and `make check-deploy`) reports these as errors, and the WSGI
entry point (portal/wsgi.py) refuses to start with any of them, so a server never runs with
per-process counts (no Redis: rate limits and SMS caps that each process keeps for itself) or
with log-in codes written to the log (the console SMS and email backends).
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Backends that write messages (and so log-in codes) to a log, a file or memory, or drop them.
UNSAFE_SMS_BACKENDS = {"portal.sms.ConsoleBackend", "portal.sms.LocmemBackend"}
UNSAFE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@checks.register(checks.Tags.security, deploy=True)
def check_production_services(app_configs=None, **kwargs):
    errors = []
    if not settings.REDIS_URL:
        errors.append(
            checks.Error(
                "REDIS_URL is not set.",
                hint="Production keeps its cache, sessions, rate limits and SMS caps in Redis, "
                "shared by every process; set REDIS_URL (see .env.example).",
                id="portal.E100",
            )
        )
    if settings.SMS_BACKEND in UNSAFE_SMS_BACKENDS:
        errors.append(
            checks.Error(
                f"SMS_BACKEND is {settings.SMS_BACKEND}, which writes log-in codes to the log "
                "or keeps them in memory instead of sending them.",
                hint="Set SMS_BACKEND=portal.sms.HttpBackend with SMS_API_URL and SMS_API_KEY.",
                id="portal.E101",
            )
        )
    elif settings.SMS_BACKEND == "portal.sms.HttpBackend" and not settings.SMS_API_URL:
        errors.append(
            checks.Error(
                "SMS_API_URL is not set: no text message (log-in codes) can be sent.",
                hint="Set SMS_API_URL and SMS_API_KEY to the SMS gateway's.",
                id="portal.E102",
            )
        )
    if settings.EMAIL_BACKEND in UNSAFE_EMAIL_BACKENDS:
        errors.append(
            checks.Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}, which writes verification codes "
                "to the log or a file, or drops the mail.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
                "EMAIL_HOST (see .env.example).",
                id="portal.E103",
            )
        )
    return errors


def refuse_to_start_half_configured():
    """Called by the WSGI entry point: the deploy checks above, as a refusal to start."""
    if settings.DEBUG:
        return
    errors = check_production_services()
    if errors:
        raise ImproperlyConfigured(
            "Refusing to start: "
            + " ".join(f"[{error.id}] {error.msg} {error.hint}" for error in errors)
        )
