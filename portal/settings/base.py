"""Settings shared by every environment.

Secure by default: DEBUG is off and everything secret or deployment-specific comes from the
environment (see .env.example). dev.py relaxes, test.py speeds up, production.py insists.
"""

from pathlib import Path

import dj_database_url

from .env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "content",
    "volunteers",
    "donations",
    "assistance",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.users.apps.PortalUsersAppConfig",  # wagtail.users, with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "allauth",
    "allauth.account",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL picks the engine: a SQLite file by default (the embedded set-up), PostgreSQL in
# production and CI. SQLite gets WAL, a busy timeout and IMMEDIATE transactions so that two
# people saving at once wait for each other instead of failing with "database is locked".
DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"


def database_from_url(url):
    config = dj_database_url.parse(url, conn_max_age=int(env("CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if config["ENGINE"] == "django.db.backends.postgresql":
            # JIT compilation pays off for long analytical queries; a web request's queries run
            # in milliseconds, and the planner's high cost estimate for correlated subqueries
            # (ranking volunteers, say) would make PostgreSQL spend ~25 ms compiling each one.
            config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


DATABASES = {"default": database_from_url(env("DATABASE_URL", DEFAULT_SQLITE_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------------------------
# Redis when REDIS_URL is set (shared by every web process), local memory otherwise.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "portal"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Background tasks ---------------------------------------------------------------------
# In-process by default; production.py switches to the database queue and its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# How people sign up (see portal/accounts/__init__.py for the full story):
# - by mobile number: /accounts/signup/ asks for the number only, an SMS code proves it, and the
#   account exists with no password (journey 1). Later log-ins are by SMS code.
# - by email: /accounts/signup/email/ asks for an email address and a password; the account
#   cannot log in until the emailed code is entered (mandatory verification).
# allauth allows ACCOUNT_EMAIL_VERIFICATION = "mandatory" only when email is a required signup
# field, so the global settings describe the email path (email*) and the phone path's form
# (portal.accounts.forms.PhoneSignupForm) asks for the phone only; the login stage
# portal.accounts.stages.EmailVerificationStage waives email verification for accounts that
# have a mobile number (their number is verified by the phone stage instead).
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "portal.accounts.forms.PhoneSignupForm",
    "login": "portal.accounts.forms.LoginForm",
    "request_login_code": "portal.accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "portal.accounts.forms.ConfirmLoginCodeForm",
    "verify_phone": "portal.accounts.forms.VerifyPhoneForm",
    "confirm_email_verification_code": "portal.accounts.forms.ConfirmEmailVerificationCodeForm",
}
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60  # SMS can take a minute to arrive
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Six digits, like every Chinese verification SMS; allauth's default is letters with a dash.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True  # a code typed on the same page, like SMS
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_DISPLAY = "portal.accounts.adapter.user_display"
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("HTTP_PROTOCOL", "https")
# allauth's limits, spelled out (and slightly tightened for SMS, which costs money) so nobody
# turns them off by accident. Counted in the cache: Redis in production, so every web process
# shares the counts.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key,10/h/key",
    "confirm_email": "1/10s/key",
    "verify_phone": "1/30s/key,3/m/ip",
    "change_phone": "1/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# The per-IP limits must see the visitor's address, not the reverse proxy's (else one busy
# QR-poster morning would lock everybody out): behind nginx set TRUSTED_PROXY_COUNT=1.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
# Staff reset passwords through allauth (rate-limited), not through Wagtail's own views.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Staff log in by SMS code like everybody else: an admin adding an account may leave the
# password empty (the account then has an unusable password). See portal/users/__init__.py.
WAGTAILUSERS_PASSWORD_REQUIRED = False

# SMS goes through one adapter (portal.sms); the console backend logs messages.
SMS_BACKEND = env("SMS_BACKEND", "portal.sms.ConsoleBackend")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", "卢沟桥街道")
SMS_API_URL = env("SMS_API_URL", "")
SMS_API_KEY = env("SMS_API_KEY", "")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "卢沟桥街道志愿与捐赠平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its catalogue in <app>/locale
TIME_ZONE = "Asia/Shanghai"
# Staff see Beijing time; the admin's account page offers no list of 600 English zone names.
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
USE_I18N = True
USE_TZ = True

WAGTAIL_SITE_NAME = "卢沟桥街道志愿与捐赠平台"
# The site's public address, the one source for every absolute link (QR codes, SMS, email,
# PDFs, feeds, sitemap, canonical and og:url, the API). Wagtail's own settings follow it, and
# the default Wagtail Site record is set from it after every migrate (portal.links.sync_site).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILAPI_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "admin_login"  # portal.accounts.views.admin_login -> allauth's login
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "csv", "txt", "png", "jpg"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security (on in every environment; dev.py relaxes what needs HTTPS) ---------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_REFERRER_POLICY = "same-origin"

# --- Documents -----------------------------------------------------------------------------
# The CJK font embedded in every PDF (see portal/fonts/README.md for how it is built).
PDF_FONT_PATH = BASE_DIR / "portal" / "fonts" / "NotoSansSC-GB2312.ttf"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "portal": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}


# --- Retention of personal data ---
# One daily job applies every rule: `manage.py apply_retention` (portal/retention.py). Each
# period is in days; the job is idempotent and prints how many records each rule changed.
#
# Help requests: the contact name, phone, address (building) and need text of a request, its
# link to the resident's account and the notes of the distributions made for it are wiped this
# long after the request is closed (the delivery is done; complaints come within days) ...
ASSISTANCE_RETENTION_DAYS = int(env("ASSISTANCE_RETENTION_DAYS", "30"))
# ... or, for a request never closed, this long after it last moved (recorded, assigned or
# delivered), so a forgotten request does not keep an address for ever.
ASSISTANCE_OPEN_RETENTION_DAYS = int(env("ASSISTANCE_OPEN_RETENTION_DAYS", "90"))
# Volunteer profiles: a profile with no sign-up, no shift, no check-in and no login for this
# long is anonymised as deleting the account does (hours kept, under an anonymous name). Two
# years spans an epidemic season and the yearly recognition (star levels, certificates) that
# follows it; a volunteer can download their certificates before then.
VOLUNTEERS_INACTIVE_PROFILE_DAYS = int(env("VOLUNTEERS_INACTIVE_PROFILE_DAYS", "730"))
# ID numbers serve verification and the duty insurance while a person serves: one is cleared
# this long after the profile's last shift or last change (sign-up, verification, an edit).
VOLUNTEERS_ID_NUMBER_RETENTION_DAYS = int(env("VOLUNTEERS_ID_NUMBER_RETENTION_DAYS", "180"))

# --- Identity: field encryption (issue 10, point 3) -------------------------------------------
# ID numbers are encrypted at rest (portal.encryption) with keys from the environment, never
# SECRET_KEY. FIELD_ENCRYPTION_KEYS: Fernet keys, comma-separated, newest first (the first
# encrypts, all decrypt; rotate with `manage.py rotate_field_encryption`). FIELD_HASH_KEY: the
# HMAC key that keeps ID numbers unique and lets them be looked up without decrypting.
# Generate each with:
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
# Unset here: the site refuses to store an ID number until they are set; production.py refuses
# to start without them.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
FIELD_HASH_KEY = env("FIELD_HASH_KEY", "")

# --- headers, exports and uploads (issue 10: points 7, 8, 9) ----------------------------------
# (portal/security.py holds the middleware; docs/security.md explains each choice.)
from csp.constants import NONCE  # noqa: E402 - this section's own import

MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "portal.security.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "portal.security.PrivateResponseMiddleware",
)
INSTALLED_APPS.append("csp")

# Content-Security-Policy of the public site: our own files only; an inline <script> or <style>
# runs only with the request's nonce ({{ request.csp_nonce }}). Style attributes are allowed
# (Wagtail's responsive embeds size themselves with one; they cannot run code). Editors' video
# embeds are iframes from the provider, hence https: frames.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# The Wagtail admin (under CSP_ADMIN_PATH_PREFIXES) still writes inline <script> (date pickers,
# inline panels) and inline styles, so it gets its own policy with 'unsafe-inline' for those
# (a nonce would switch 'unsafe-inline' off), blob: images for uploads' previews, and same-origin
# frames for the live preview. Everything else stays as strict as the public policy.
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
CSP_ADMIN_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# Browser features nobody's page uses are off. Volunteers scan a post's QR code with their
# phone's own camera app, which opens the check-in page: no page asks for the camera itself.
# A page that one day scans in the browser sends its own header with camera=(self) (the
# middleware leaves a view's own Permissions-Policy alone).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
}
# Staff avatars from Gravatar would tell a US host who works in the admin, and when; the
# dashboard's update check would tell releases.wagtail.org. Neither leaves the site (and the
# admin policy's connect-src would refuse the check anyway).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Spreadsheets out: formulas typed by anyone are never live in the reader's Excel. Our exports
# go through portal.importexport.exports; this covers import-export's own format classes.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Images: no upload may decode to more than this many pixels (a 40-megapixel phone photo is
# 7,700 x 5,200). Pillow's own cap (89 M) would let a 50 KB "decompression bomb" take gigabytes.
IMAGE_MAX_PIXELS = int(env("IMAGE_MAX_PIXELS", str(40_000_000)))
WAGTAILIMAGES_MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS

# Files that are personal (pledge photos) live outside MEDIA_ROOT, in a storage with no URL:
# only a view that checks who asks serves them.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
PRIVATE_STORAGE = {
    "BACKEND": "portal.security.PrivateFileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
}
STORAGES["private"] = PRIVATE_STORAGE


# --- audit trail and logs ---
# (portal.audit, portal.security, portal.jsonlog; docs/security.md, "Logs and the audit trail")
# AuditMiddleware lets services record "from where" (IP, user agent) without a request in hand.
MIDDLEWARE = [*MIDDLEWARE, "portal.audit.AuditMiddleware"]
# Audit events are kept this long (PIPL art. 56 asks for three years of processing records),
# then `manage.py prune_audit_trail` (run daily) deletes them.
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", str(3 * 365)))
# Everything goes to the console (stderr), where the process manager collects it: as plain
# text by default, as one JSON object per line with LOG_FORMAT=json (production's default).
LOG_FORMAT = env("LOG_FORMAT", "text")
LOGGING["formatters"] = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    "json": {"()": "portal.jsonlog.JsonFormatter"},
}
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
LOGGING["loggers"]["portal"]["propagate"] = False
LOGGING["loggers"].update(
    {
        # 4xx and 5xx responses (with the traceback), CSRF failures, bad Host headers.
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # portal.security carries allauth's events (log-ins, failures, codes, rate limits);
        # allauth itself logs little, but what it logs is kept.
        "allauth": {"handlers": ["console"], "level": "INFO", "propagate": False},
    }
)
LOGGING["root"] = {"handlers": ["console"], "level": "WARNING"}


# --- Staff accounts: second factor, session length, re-authentication ---
# (portal/accounts/staff.py tells the whole story.) Everyone who may enter the Wagtail admin
# must use allauth's MFA: a TOTP app (with recovery codes) or a security key / the phone's own
# fingerprint or face unlock (WebAuthn; tests/browser/test_mfa.py drives Chromium's virtual
# authenticator). Passkey-only log-in (MFA_PASSKEY_LOGIN_ENABLED) stays off: the key is a
# second factor, after the SMS code or password.
INSTALLED_APPS += ["allauth.mfa"]
MIDDLEWARE += ["portal.accounts.staff.StaffSessionMiddleware"]
MFA_ADAPTER = "portal.accounts.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "卢沟桥街道"
# One 30-second step either side: phone clocks drift, and a code typed as it changes still works.
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {
    "authenticate": "portal.accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "portal.accounts.forms.MFAReauthenticateForm",
    "activate_totp": "portal.accounts.forms.ActivateTOTPForm",
    "add_webauthn": "portal.accounts.forms.AddWebAuthnForm",
}
# Security keys check the site's address: over plain http (make run, the browser tests) only
# when this is on. Never in production, which is https.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# A staff session ends when the browser closes, and at the latest this long after logging in.
STAFF_SESSION_MAX_AGE = int(env("STAFF_SESSION_MAX_AGE", str(8 * 60 * 60)))
# Exports of personal data ask the person to prove it is still them (password, SMS code or
# authenticator code, whichever they have) unless they did so this many seconds ago.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60


# --- abuse limits (issue 10.7) ---
# Text messages per mobile number (log-in codes and notifications alike), counted in the cache
# (Redis in production, shared by every process): over either cap nothing is sent.
SMS_LIMIT_PER_HOUR = int(env("SMS_LIMIT_PER_HOUR", "6"))
SMS_LIMIT_PER_DAY = int(env("SMS_LIMIT_PER_DAY", "20"))
# Spreadsheet uploads: rows under the header per file. A donor's pledge spreadsheet is small;
# staff import registers. The services hold the same line (a pledge has at most
# DONATIONS_PLEDGE_MAX_LINES lines, however it comes in).
IMPORT_MAX_ROWS_PUBLIC = int(env("IMPORT_MAX_ROWS_PUBLIC", "200"))
IMPORT_MAX_ROWS_STAFF = int(env("IMPORT_MAX_ROWS_STAFF", "20000"))
DONATIONS_PLEDGE_MAX_LINES = int(env("DONATIONS_PLEDGE_MAX_LINES", "200"))
# An xlsx is a zip: a few kilobytes can unpack to gigabytes. Refused above this unpacked size.
IMPORT_MAX_UNCOMPRESSED_BYTES = int(env("IMPORT_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024)))
MIDDLEWARE = [*MIDDLEWARE, "portal.limits.TooManyRequestsMiddleware"]


# --- settings defaults said once (issue 11.3): app code reads settings.X, never a default ---
# The bold face and the supplement (rare hanzi outside GB2312) of the PDF font; a missing
# file is left out of the PDF fonts.
PDF_FONT_BOLD_PATH = PDF_FONT_PATH.with_name(f"{PDF_FONT_PATH.stem}-Bold.ttf")
PDF_FONT_SUPPLEMENT_PATH = PDF_FONT_PATH.with_name("NotoSansSC-Supplement.ttf")


# --- anonymous pages from the cache, health checks (issue 13) ---
# (portal/pagecache.py, portal/health.py; docs/caching.md)
# Whole pages for visitors without a session, from the shared cache (Redis in production).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_ALIAS = "default"
# Wagtail pages: exact invalidation (the content version moves on publish, unpublish, move and
# delete), so they may stay a while ...
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# ... except types that show live figures (by "app_label.modelname").
PAGE_CACHE_SECONDS_BY_TYPE = {"content.homepage": int(env("PAGE_CACHE_HOME_SECONDS", "60"))}
# Shift lists (places left) and the donations board: no exact signal, a short lifetime.
PAGE_CACHE_SHIFTS_SECONDS = int(env("PAGE_CACHE_SHIFTS_SECONDS", "30"))
PAGE_CACHE_BOARD_SECONDS = int(env("PAGE_CACHE_BOARD_SECONDS", "60"))
# What a browser or a proxy in front may keep (Cache-Control: public, max-age).
PAGE_CACHE_MAX_AGE = int(env("PAGE_CACHE_MAX_AGE", "60"))
# Cache keys whose value every stored page remembers: when one moves, the pages are stale.
PAGE_CACHE_VERSION_KEYS = ["content:version"]
PAGE_CACHE_SKIP_PREFIXES = ["/admin/", "/documents/", "/static/", "/media/", "/healthz", "/readyz"]

# Per-person fragments of signed-in pages (portal/fragments.py; docs/caching.md): dropped by the
# events that change them, and kept at most this long for what no event covers (time passing,
# other people's sign-ups taking places).
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE_ENABLED", True)
FRAGMENT_VOLUNTEER_SECONDS = int(env("FRAGMENT_VOLUNTEER_SECONDS", "60"))
FRAGMENT_SHIFTS_SECONDS = int(env("FRAGMENT_SHIFTS_SECONDS", "30"))
FRAGMENT_DONOR_SECONDS = int(env("FRAGMENT_DONOR_SECONDS", "60"))
FRAGMENT_DASHBOARD_SECONDS = int(env("FRAGMENT_DASHBOARD_SECONDS", "30"))
# Wagtail's sidebar menu per person (portal/admin/sidebar.py); 0 builds it on every page.
SIDEBAR_CACHE_SECONDS = int(env("SIDEBAR_CACHE_SECONDS", "120"))
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "portal.pagecache.PageCacheMiddleware",
)
# A caching proxy or CDN in front (nginx, ...): wagtail.contrib.frontend_cache's backends,
# purged by a background task when pages change. FRONTEND_CACHE_PURGE_URL is where the proxy
# accepts PURGE requests (e.g. http://127.0.0.1:8080); unset, nothing is purged.
WAGTAILFRONTENDCACHE = {}
if env("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("FRONTEND_CACHE_PURGE_URL"),
    }
# portal.pagecache.page_urls lists every language's URL itself (the default language has no
# prefix, which Wagtail's own language handling would not produce).
WAGTAILFRONTENDCACHE_LANGUAGES: list = []
# /readyz calls the task worker stale when a task has waited this long and none finished
# meanwhile; 0 leaves the worker out of readiness (portal/health.py).
READYZ_WORKER_STALE_SECONDS = int(env("READYZ_WORKER_STALE_SECONDS", "300"))


# --- background work (issue 13.3) ---
# Spreadsheet imports of more than this many rows are checked and imported by the task worker
# (portal.importexport.jobs; production runs `manage.py db_worker`), with a page that shows
# their progress; smaller ones run in the request.
IMPORT_BACKGROUND_ROWS = int(env("IMPORT_BACKGROUND_ROWS", "300"))

# --- signed-in pages fast (issue 13.2) ---
# A person's permission set comes from the shared cache, not from two queries per request
# (portal/accounts/permissions.py). Listed first: the backends after it find the set already
# on the user. It authenticates nobody; an entry lives at most this long (any change of roles
# or permissions makes every entry stale at once).
AUTHENTICATION_BACKENDS = [
    "portal.accounts.permissions.CachedPermissionsBackend",
    *AUTHENTICATION_BACKENDS,
]
PERMISSIONS_CACHE_SECONDS = int(env("PERMISSIONS_CACHE_SECONDS", "300"))

# The domain's rules (volunteering, matching, supplies): portal/settings/domain.py.
from .domain import *  # noqa: E402, F403
