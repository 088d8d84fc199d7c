"""Signed tokens for documents that people verify by scanning a QR code.

A token carries a document kind and a value (a certificate or receipt serial, or a small
dict/list of such). It is signed with SECRET_KEY and a salt per kind, so a token for one kind
never verifies as another, and changing any character of it makes it fail. Tokens use only
URL-safe characters (base64url and ":"), so they go in a URL path as they are:

    url = site_url("donations:verify", sign("receipt", receipt.serial))
    serial = verify("receipt", token)     # InvalidToken if forged, altered or of another kind

A token is the same every time the same value is signed, so a post's poster or a receipt
printed twice carries the same QR code. Tokens meant to age are signed with `expires=True`
(they carry the time of signing) and verified with `max_age`. Tokens signed with a timestamp
before this rule still verify.
"""

from django.core import signing

SALT_PREFIX = "portal.documents."


class InvalidToken(Exception):
    """The token was forged, altered, expired, or made for another kind of document."""


def _salt(kind):
    if not kind or not isinstance(kind, str):
        raise ValueError("a token needs a kind, e.g. 'receipt'")
    return SALT_PREFIX + kind


def sign(kind, value, *, expires=False):
    """A token carrying `value` (anything JSON can hold) for documents of `kind`; with
    `expires`, it also carries the time of signing, for `verify(..., max_age=...)`."""
    if expires:
        return signing.dumps(value, salt=_salt(kind), compress=True)
    return signing.Signer(salt=_salt(kind)).sign_object(value, compress=True)


def verify(kind, token, *, max_age=None):
    """The signed value, or InvalidToken when the token was forged, altered, expired or is
    of another kind. With `max_age` (seconds or a timedelta) only a token signed with
    `expires=True` and no older than that is accepted."""
    salt = _salt(kind)
    if not isinstance(token, str) or not token:
        raise InvalidToken("no token")
    # "payload:signature" is signed without a time, "payload:time:signature" with one
    timed = token.count(":") == 2
    if max_age is not None and not timed:
        raise InvalidToken("this token carries no time to check its age against")
    try:
        if timed:
            return signing.loads(token, salt=salt, max_age=max_age)
        return signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError) as error:
        raise InvalidToken(str(error)) from error
