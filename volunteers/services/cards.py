"""The volunteer e-card: its number, the signed token its QR code carries, and what a gate
post learns by scanning it (valid or not, masked name, community, on duty now).

The token (portal.tokens, kind "volunteers.card") carries only the profile's id and the card's
version, signed with a salt of its own and a time: it expires after
VOLUNTEERS_CARD_TOKEN_DAYS days, and issuing the card again (reissue_card) makes every older
token invalid at once. The URL carries no personal data.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal import audit, tokens

from ..models import Signup, VolunteerCard, VolunteerProfile

CARD_SIGNING_KIND = "volunteers.card"
FIRST_VERSION = 1


def mask_name(name):
    """李晓红 -> 李**: what a gate post sees of the name."""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def star_level_for(profile):
    """The volunteer's star level (helper "hours" adds star levels); None until wired, and the
    card then shows no stars."""
    try:
        from . import stars  # noqa: PLC0415 - present once star levels exist
    except ImportError:
        return None
    return getattr(stars, "star_level_for", lambda _profile: None)(profile)


def volunteer_number(profile):
    """The number printed on the card: the subdistrict's prefix and the profile's id."""
    return f"{settings.VOLUNTEERS_CARD_PREFIX}{profile.pk:07d}"


def card_version(profile):
    """The card's version; a volunteer who never had a card issued again holds version 1
    (no row until then, so showing the card writes nothing)."""
    card = VolunteerCard.objects.filter(profile=profile).only("version").first()
    return card.version if card is not None else FIRST_VERSION


def card_token(profile):
    return tokens.sign(
        CARD_SIGNING_KIND, {"p": profile.pk, "v": card_version(profile)}, expires=True
    )


def reissue_card(profile):
    """A new card: every QR code shown or printed before stops working."""
    with transaction.atomic():
        card, created = VolunteerCard.objects.get_or_create(
            profile=profile, defaults={"version": FIRST_VERSION + 1}
        )
        if not created:
            VolunteerCard.objects.filter(pk=card.pk).update(version=F("version") + 1)
            card.refresh_from_db()
        audit.record("volunteers.card.reissue", user=profile.user, obj=card)
    return card


@dataclass
class GateCheck:
    """What the gate page shows; `valid` False says nothing more about the person."""

    valid: bool
    masked_name: str = ""
    community: str = ""
    number: str = ""
    teams: list = field(default_factory=list)
    on_duty: list = field(default_factory=list)  # the shifts held right now
    star_level: object = None


def read_card(token, *, now=None):
    """The gate's answer for a scanned card token."""
    now = now or timezone.now()
    try:
        value = tokens.verify(
            CARD_SIGNING_KIND, token, max_age=timedelta(days=settings.VOLUNTEERS_CARD_TOKEN_DAYS)
        )
        profile_id, version = int(value["p"]), int(value["v"])
    except (tokens.InvalidToken, KeyError, TypeError, ValueError):
        return GateCheck(valid=False)
    profile = (
        VolunteerProfile.objects.select_related("community")
        .filter(pk=profile_id, status=VolunteerProfile.Status.VERIFIED)
        .first()
    )
    if profile is None or card_version(profile) != version:
        return GateCheck(valid=False)
    from .teams import teams_of

    on_duty = list(
        Signup.objects.holding()
        .filter(
            profile=profile,
            shift__start__lte=now,
            shift__end__gt=now,
            shift__cancelled_at__isnull=True,
        )
        .select_related("shift__task__post", "shift__task__compound")
    )
    return GateCheck(
        valid=True,
        masked_name=mask_name(profile.real_name),
        community=profile.community.name,
        number=volunteer_number(profile),
        teams=[team.name for team in teams_of(profile)],
        on_duty=[signup.shift for signup in on_duty],
        star_level=star_level_for(profile),
    )
