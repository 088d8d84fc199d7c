"""Signed tokens for documents that people verify by scanning a QR code.

A token carries a document kind and a value (a certificate or receipt serial). It is signed
with SECRET_KEY and a salt per kind, so a token for one kind never verifies as another, and
editing any character of the value or the URL makes it fail.
"""

from django.core import signing

SALT_PREFIX = "portal.documents."


class InvalidToken(Exception):
    pass


def sign(kind, value):
    return signing.dumps(value, salt=SALT_PREFIX + kind, compress=True)


def verify(kind, token, *, max_age=None):
    """The signed value, or InvalidToken when the token was forged, altered or expired."""
    try:
        return signing.loads(token, salt=SALT_PREFIX + kind, max_age=max_age)
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error
