"""Local development: the embedded SQLite set-up that `make run` brings up."""

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-not-for-production")  # noqa: S105
ALLOWED_HOSTS = ["*"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# make run serves http://localhost:8000: let security keys (WebAuthn) work there. (Browsers
# refuse WebAuthn on a bare IP address such as 127.0.0.1.)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
