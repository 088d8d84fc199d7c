"""Personal identifiers encrypted at rest, and found again through a keyed hash.

`EncryptedCharField` stores a short text as a Fernet token (AES-128-CBC with an HMAC, from the
`cryptography` package). The keys come from the environment, never from SECRET_KEY:

  FIELD_ENCRYPTION_KEYS  Fernet keys, newest first. New values are encrypted with the first;
                         every key in the list still decrypts, so a key is rotated by putting
                         a new one in front, running `manage.py rotate_field_encryption`, then
                         dropping the old one.
  FIELD_HASH_KEY         the HMAC-SHA256 key of `digest()`: the same value always gives the same
                         digest, so a unique column of digests keeps values unique and lets a
                         lookup find a row without decrypting anything.

An encrypted value cannot be compared in SQL (each encryption is different), so the field
refuses lookups other than "is it empty"; look rows up by their digest instead.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact, IsNull

KEYS_HELP = (
    'Generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class DecryptionError(ValueError):
    """A stored value could not be decrypted with any configured key."""


def check_keys(encryption_keys, hash_key, secret_key=""):
    """The problems with a key configuration, as sentences (empty when it is usable)."""
    problems = []
    if not encryption_keys:
        problems.append(
            "FIELD_ENCRYPTION_KEYS must be set: the key(s) that encrypt ID numbers at rest, "
            "newest first, comma-separated. " + KEYS_HELP
        )
    for position, key in enumerate(encryption_keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes). " + KEYS_HELP
            )
    if not hash_key or len(hash_key) < 32:
        problems.append(
            "FIELD_HASH_KEY must be set to at least 32 random characters: the HMAC key that "
            "keeps ID numbers unique without decrypting them. " + KEYS_HELP
        )
    if secret_key and secret_key in {hash_key, *encryption_keys}:
        problems.append("FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must not be the SECRET_KEY.")
    if hash_key and hash_key in encryption_keys:
        problems.append("FIELD_HASH_KEY must differ from the encryption keys.")
    return problems


@lru_cache(maxsize=1)
def _fernet():
    problems = check_keys(settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY)
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def _clear_cache(*, setting, **kwargs):
    if setting in {"FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"}:
        _fernet.cache_clear()


setting_changed.connect(_clear_cache)


def encrypt(text):
    """A Fernet token (text) for `text`; the empty string stays empty."""
    if not text:
        return ""
    return _fernet().encrypt(str(text).encode()).decode("ascii")


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(
            "A stored value cannot be decrypted: is the key that encrypted it still in "
            "FIELD_ENCRYPTION_KEYS?"
        ) from error


def rotate(token):
    """The same value re-encrypted with the newest key."""
    if not token:
        return ""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def digest(text):
    """HMAC-SHA256 of `text` under FIELD_HASH_KEY (64 hex characters), or None for no text."""
    if not text:
        return None
    _fernet()  # refuses to work half-configured
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, str(text).encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A short text (an ID number) kept encrypted in the database and plain in Python.

    `max_length` limits the plain text (forms and full_clean); the column holds the longer
    token. The only lookups are `=""` and `isnull`, which need no decryption.
    """

    def __init__(self, *args, max_length=None, **kwargs):
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        return models.Field.formfield(
            self,
            **{"form_class": forms.CharField, "max_length": self.plain_max_length, **kwargs},
        )

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EncryptedIsEmpty
        if lookup_name == "isnull":
            return IsNull
        return None


class EncryptedIsEmpty(Exact):
    """`field=""` (or None): the only comparison an encrypted column can answer."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted and cannot be compared in SQL; look the "
                "row up by its digest (portal.encryption.digest) instead."
            )
        return self.rhs

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])
