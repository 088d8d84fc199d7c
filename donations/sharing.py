"""The "where it went" link of a pledge: one address a firm can send to its board.

The link carries the pledge's id signed with portal.tokens (its own salt), so nobody can
guess another pledge's link from it, and it shows only what services.where_it_went gives:
counts per item, community and use, never a household, a person or a post's staff. The donor
is named only when it agreed to be named in public (Donor.public_name)."""

from portal import tokens
from portal.links import site_url

TOKEN_KIND = "pledge-where-it-went"  # noqa: S105 - a token salt name, not a secret


def shared_url(pledge):
    return site_url("donations:where_it_went", tokens.sign(TOKEN_KIND, pledge.pk))


def pledge_from_token(token):
    """The pledge a link stands for, or None when the token is forged, altered or of another
    kind, or the pledge is gone."""
    from donations.models import Pledge

    try:
        pk = tokens.verify(TOKEN_KIND, token)
    except tokens.InvalidToken:
        return None
    if not isinstance(pk, int):
        return None
    return Pledge.objects.select_related("donor").filter(pk=pk).first()
