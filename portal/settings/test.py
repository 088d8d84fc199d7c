"""Tests: fast hashing, in-memory mail and SMS, tasks run at once."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "portal.sms.LocmemBackend"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# Each test run gets its own cache namespace, whether it uses Redis (CI) or local memory.
if env("REDIS_URL"):
    CACHES["default"]["KEY_PREFIX"] = f"test-{__import__('os').getpid()}"  # noqa: F405
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = WAGTAILAPI_BASE_URL = SITE_URL
# Templates that only the tests and benchmarks use (a sample receipt for the PDF helper).
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
# Identity: fixed, published, non-secret keys (portal.encryption).
FIELD_ENCRYPTION_KEYS = ["Xt9oYP1tL8LmoakGmZSvBF_E5P9KAyfExMSu8v7BIPY="]
FIELD_HASH_KEY = "test-only-not-secret-field-hash-key-0123456789"  # noqa: S105
# Whole-page caching is switched on by the tests that are about it (tests/portal/test_pagecache.py):
# elsewhere a test that changes rows and reads a page again must see its change.
PAGE_CACHE_ENABLED = False
# PostgreSQL: a commit does not wait for the WAL to reach the disk. The test database is thrown
# away after the run, and the transactional tests (browser journeys, concurrency) commit on
# every request, each commit otherwise waiting for an fsync on a shared, busy disk.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()
# Each test's client builds the middleware again, and WhiteNoise would read the whole of
# STATIC_ROOT each time once `collectstatic` has filled it (the benchmarks and `make prod-check`
# do): a third more time for every request-making test. It looks files up when asked instead.
WHITENOISE_AUTOREFRESH = True
