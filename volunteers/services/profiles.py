"""Volunteer profiles: sign-up, edits, verification by a coordinator, moving community and
deleting the account (anonymised, hours kept)."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.notify import notify

from ..availability import EMPTY_MASK
from ..models import (
    Certificate,
    Signup,
    VolunteerProfile,
)
from .base import ANONYMOUS_NAME, VolunteerError, _ensure_staff, _site_link
from .signups import _end_signup

PROFILE_FIELDS = [
    "real_name",
    "mobile",
    "community",
    "compound",
    "availability",
    "is_party_member",
    "work_unit",
    "id_number",
    "emergency_contact_name",
    "emergency_contact_phone",
]


def _clean(profile):
    try:
        profile.full_clean(exclude=["user", "calendar_token"])
    except ValidationError as error:
        raise VolunteerError(error.message_dict) from error


def create_profile(user, data, skills=()):
    """Make `user` a volunteer of data["community"], pending verification. Needs consent."""
    if not data.get("consent"):
        raise VolunteerError(_("Please agree to the use of your personal data."), code="consent")
    if user is not None and VolunteerProfile.objects.filter(user=user).exists():
        raise VolunteerError(_("You have already signed up as a volunteer."), code="exists")
    profile = VolunteerProfile(
        user=user,
        consent=True,
        consent_at=timezone.now(),
        **{f: data[f] for f in PROFILE_FIELDS if f in data},
    )
    if not profile.is_party_member:
        profile.work_unit = ""
    _clean(profile)
    with transaction.atomic():
        profile.save()
        profile.skills.set(skills)
        if user is not None and profile.mobile and not user.phone:
            user.phone = profile.mobile
            user.save(update_fields=["phone"])
    return profile


def update_profile(profile, data, skills=None):
    """Change the volunteer's own details; a new home community sends them back to pending."""
    new_community = data.get("community")
    with transaction.atomic():
        for field in PROFILE_FIELDS:
            if field in data and field != "community":
                setattr(profile, field, data[field])
        if not profile.is_party_member:
            profile.work_unit = ""
        _clean(profile)
        profile.save()
        if skills is not None:
            profile.skills.set(skills)
        if new_community is not None and new_community.pk != profile.community_id:
            move_community(profile, new_community, data.get("compound"))
    return profile


def _decide(profile, by, *, was, becomes, rejection_reason, refusal, message, **context):
    """Move `profile` from one of `was` to `becomes` (a coordinator's decision), once: a
    conditional UPDATE, so two coordinators deciding at once cannot both succeed."""
    with transaction.atomic():
        updated = VolunteerProfile.objects.filter(pk=profile.pk, status__in=was).update(
            status=becomes,
            verified_by=by,
            verified_at=timezone.now(),
            rejection_reason=rejection_reason,
        )
        if not updated:
            raise VolunteerError(refusal, code="state")
        profile.refresh_from_db()
        if profile.user_id:
            notify(
                profile.user,
                message,
                {
                    "name": profile.real_name,
                    "community": profile.community.name,
                    **context,
                },
            )
    return profile


def verify_profile(profile, by):
    _ensure_staff(by, profile)
    Status = VolunteerProfile.Status
    return _decide(
        profile,
        by,
        was=[Status.PENDING, Status.REJECTED],
        becomes=Status.VERIFIED,
        rejection_reason="",
        refusal=_("This volunteer cannot be verified now."),
        message="volunteers/notify/verified",
        link=_site_link("volunteers:shifts"),
    )


def reject_profile(profile, by, reason):
    _ensure_staff(by, profile)
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("Please give a reason for the rejection."), code="reason")
    Status = VolunteerProfile.Status
    return _decide(
        profile,
        by,
        was=[Status.PENDING, Status.VERIFIED],
        becomes=Status.REJECTED,
        rejection_reason=reason,
        refusal=_("This volunteer cannot be rejected now."),
        message="volunteers/notify/rejected",
        reason=reason,
        link=_site_link("volunteers:profile"),
    )


def move_community(profile, community, compound=None):
    """Move to another home community: the new community verifies them again."""
    if compound is not None and compound.community_id != community.pk:
        raise VolunteerError(_("This compound is not in the chosen community."), code="compound")
    VolunteerProfile.objects.filter(pk=profile.pk).update(
        community=community,
        compound=compound,
        status=VolunteerProfile.Status.PENDING,
        verified_by=None,
        verified_at=None,
        rejection_reason="",
    )
    profile.refresh_from_db()
    return profile


def anonymise_profile(profile):
    """Strip the profile of everything personal and detach it from its user; the hours it
    served (sign-ups, attendance) stay, so the community's totals still add up, and future
    places are released. Runs inside the caller's transaction with the profile locked."""
    future = Signup.objects.filter(
        profile=profile,
        shift__start__gt=timezone.now(),
        status__in=["confirmed", "invited"],
    )
    for signup in future.select_related("shift"):
        _end_signup(signup, Signup.Status.WITHDRAWN)
    profile.skills.clear()
    VolunteerProfile.objects.filter(pk=profile.pk).update(
        user=None,
        real_name=ANONYMOUS_NAME,
        mobile="",
        compound=None,
        availability={},
        availability_mask=EMPTY_MASK,
        id_number="",
        emergency_contact_name="",
        emergency_contact_phone="",
        status=VolunteerProfile.Status.DELETED,
        calendar_token=secrets.token_urlsafe(24),
    )
    Certificate.objects.filter(profile=profile).update(name=ANONYMOUS_NAME)


def delete_account(user):
    """Delete the account. The profile stays, anonymised (anonymise_profile), so the hours it
    served still count in the community's totals."""
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
        if profile is not None:
            anonymise_profile(profile)
        user.delete()
    return profile
