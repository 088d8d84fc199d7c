"""Signed tokens for documents that people verify by scanning a QR code.

A token carries a document kind and a value (a certificate or receipt serial, or a small
dict/list of such). It is signed with SECRET_KEY and a salt per kind, so a token for one kind
never verifies as another, and changing any character of it makes it fail. Tokens use only
URL-safe characters (base64url and ":"), so they go in a URL path as they are:

    url = settings.SITE_URL + reverse("donations:verify", args=[sign("receipt", receipt.serial)])
    serial = verify("receipt", token)     # InvalidToken if forged, altered or of another kind
"""

from django.core import signing

SALT_PREFIX = "portal.documents."


class InvalidToken(Exception):
    """The token was forged, altered, expired, or made for another kind of document."""


def _salt(kind):
    if not kind or not isinstance(kind, str):
        raise ValueError("a token needs a kind, e.g. 'receipt'")
    return SALT_PREFIX + kind


def sign(kind, value):
    """A token carrying `value` (anything JSON can hold) for documents of `kind`."""
    return signing.dumps(value, salt=_salt(kind), compress=True)


def verify(kind, token, *, max_age=None):
    """The signed value, or InvalidToken when the token was forged, altered, expired or is
    of another kind. `max_age` (seconds or a timedelta) limits how old the token may be."""
    salt = _salt(kind)
    if not isinstance(token, str) or not token:
        raise InvalidToken("no token")
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError) as error:
        raise InvalidToken(str(error)) from error
