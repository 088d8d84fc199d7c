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
# includeSubDomains and preload bind every host under the domain (and, once preloaded, for
# good). The portal usually lives under a gov.cn domain that other offices share, so both are
# opt-in: set them only when the whole domain is served over HTTPS and its owner agrees.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Wagtail's live preview shows the page in a same-origin iframe, so X_FRAME_OPTIONS stays
# SAMEORIGIN (set in base.py); other origins still cannot frame the site.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# --- Identity: field encryption keys (issue 10, point 3) --------------------------------------
# ID numbers are encrypted with keys of their own: refuse to start without valid ones.
from portal.encryption import check_keys  # noqa: E402

from .base import FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY  # noqa: E402

_key_problems = check_keys(FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY, SECRET_KEY)
if _key_problems:
    raise ImproperlyConfigured(" ".join(_key_problems) + " (see .env.example)")
# HSTS for sub-domains and preloading are opt-in (see above), so check --deploy is not asked to
# insist on them.
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# --- logs ---
# One JSON object per line (portal.jsonlog) for the log collector. The console SMS backend
# logs whole messages, codes included: even if it were configured by mistake, its lines stay
# out of production logs.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", "json")  # noqa: F405
LOGGING["loggers"]["portal.sms"] = {"level": "WARNING"}  # noqa: F405

# --- the site's address ---
# Every absolute link (QR codes on receipts and posters, SMS, the sitemap) is made from SITE_URL:
# a production site must say where it lives, over HTTPS.
_site_url = env("SITE_URL", "")
if not _site_url.startswith("https://") or any(
    local in _site_url for local in ("//localhost", "//127.0.0.1")
):
    raise ImproperlyConfigured(
        "SITE_URL must be the site's public https:// address in production (see .env.example)."
    )
