"""Production: PostgreSQL, Redis, a task worker, HTTPS. Refuses to start half-configured."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env, env_bool

DEBUG = False

if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "change")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production (see .env.example)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Wagtail's live preview shows the page in a same-origin iframe, so X_FRAME_OPTIONS stays
# SAMEORIGIN (set in base.py); other origins still cannot frame the site.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# --- logs ---
# One JSON object per line (portal.jsonlog) for the log collector. The console SMS backend
# logs whole messages, codes included: even if it were configured by mistake, its lines stay
# out of production logs.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", "json")  # noqa: F405
LOGGING["loggers"]["portal.sms"] = {"level": "WARNING"}  # noqa: F405
