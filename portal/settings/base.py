"""Settings shared by every environment.

Secure by default: DEBUG is off and everything secret or deployment-specific comes from the
environment (see .env.example). dev.py relaxes, test.py speeds up, production.py insists.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


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
USE_I18N = True
USE_TZ = True

WAGTAIL_SITE_NAME = "卢沟桥街道志愿与捐赠平台"
WAGTAILADMIN_BASE_URL = env("SITE_URL", "http://127.0.0.1:8000")
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
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

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


# --- volunteers ---
# A volunteer may withdraw from a shift up to this many hours before it starts.
VOLUNTEERS_WITHDRAW_CUTOFF_HOURS = int(env("VOLUNTEERS_WITHDRAW_CUTOFF_HOURS", "12"))
# send_shift_reminders reminds people of shifts starting within this many hours.
VOLUNTEERS_REMINDER_HOURS = int(env("VOLUNTEERS_REMINDER_HOURS", "24"))


# --- matching ---
# (volunteers.matching, assistance; docs/matching.md explains every weight.)
# A volunteer is not given more than this many hours of shifts in one ISO week (sign-up,
# ranking and auto-assign all refuse beyond it).
MATCHING_WEEKLY_HOURS_CAP = float(env("MATCHING_WEEKLY_HOURS_CAP", "30"))
# Score weights (all >= 0; unknown keys are an error). A suggestion's score is
#   closeness (same_compound | same_community | elsewhere)
#   + availability * share of the shift inside the volunteer's stated weekly availability
#   + optional_skills * share of the task's skills the volunteer has
#   + fairness * (1 - hours this week / weekly cap)
#   + reliability * share of past shifts attended (those of the last MATCHING_RELIABILITY_DAYS)
#   + party_priority if the post is a party-member post (党员先锋岗) and the volunteer a member.
MATCHING_WEIGHTS = {
    "same_compound": 4.0,
    "same_community": 2.5,
    "elsewhere": 0.0,
    "availability": 2.0,
    "optional_skills": 1.5,
    "fairness": 1.5,
    "reliability": 2.0,
    "party_priority": 3.0,
    "light_load_share": 0.25,
    "reliable_threshold": 0.9,
}
# Reliability counts the shifts that started in the last this many days: recent behaviour, and
# ranking reads a bounded amount of history however long the portal has been running.
MATCHING_RELIABILITY_DAYS = int(env("MATCHING_RELIABILITY_DAYS", "60"))
# Auto-assign stops the solver after this many seconds and keeps the best found so far.
MATCHING_ASSIGN_TIME_LIMIT = float(env("MATCHING_ASSIGN_TIME_LIMIT", "8"))
# An urgent help request not assigned within this many minutes is flagged on the dashboard.
MATCHING_URGENT_MINUTES = int(env("MATCHING_URGENT_MINUTES", "30"))
# Address and phone of a closed help request are anonymised this many days after closing.
ASSISTANCE_RETENTION_DAYS = int(env("ASSISTANCE_RETENTION_DAYS", "30"))


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
