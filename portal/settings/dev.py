"""Local development: the embedded SQLite set-up that `make run` brings up."""

from .base import *  # noqa: F403
from .base import PRIVATE_STORAGE, env, env_list

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-not-for-production")  # noqa: S105
ALLOWED_HOSTS = ["*"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": PRIVATE_STORAGE,
}

# Identity: fixed, published, non-secret keys so `make run` works out of the box; never use
# them for real data (production.py refuses to start without its own).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [
    "U4n4KhjpNfQCigc2CkSQmmeYtwHez_G_RxF9R8I3j-w="  # dev only, published
]
FIELD_HASH_KEY = env("FIELD_HASH_KEY", "dev-only-not-secret-field-hash-key-0123456789")
# make run serves http://localhost:8000: let security keys (WebAuthn) work there. (Browsers
# refuse WebAuthn on a bare IP address such as 127.0.0.1.)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
