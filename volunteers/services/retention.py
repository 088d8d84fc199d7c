"""How long volunteers' personal data is kept (portal.retention runs these every day).

- A profile nobody has used for VOLUNTEERS_INACTIVE_PROFILE_DAYS (no sign-up, no shift, no
  check-in and no login in that time) is anonymised as deleting the account does: name, mobile,
  ID number, emergency contact, compound, skills and availability go; the hours stay, counted
  for the community under an anonymous name.
- An ID number is needed only while the person serves (verification, the duty insurance): it is
  cleared VOLUNTEERS_ID_NUMBER_RETENTION_DAYS after the profile's last shift or the last change
  to the profile (sign-up, verification, an edit), whichever is later.

Both are idempotent: a second run the same day changes nothing and reports 0.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..models import Signup, VolunteerProfile
from .profiles import anonymise_profile


def inactive_profiles(now=None):
    """Profiles, not yet anonymised, with no sign-up made, no shift, no check-in and no login
    since the cut-off, and created before it."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VOLUNTEERS_INACTIVE_PROFILE_DAYS)
    recent = Signup.objects.filter(profile=OuterRef("pk")).filter(
        Q(created_at__gte=cutoff)
        | Q(shift__start__gte=cutoff)
        | Q(attendance__check_in_at__gte=cutoff)
    )
    return (
        VolunteerProfile.objects.exclude(status=VolunteerProfile.Status.DELETED)
        .filter(created_at__lt=cutoff)
        .exclude(user__last_login__gte=cutoff)
        .exclude(Exists(recent))
    )


def anonymise_inactive_profiles(now=None):
    """Anonymise every inactive profile; returns how many."""
    now = now or timezone.now()
    count = 0
    for pk in list(inactive_profiles(now).values_list("pk", flat=True)):
        with transaction.atomic():
            # Checked again under the lock: the person may have come back meanwhile.
            profile = inactive_profiles(now).select_for_update(of=("self",)).filter(pk=pk).first()
            if profile is not None:
                anonymise_profile(profile)
                count += 1
    return count


def stale_id_numbers(now=None):
    """Profiles holding an ID number whose last shift, and last change, are older than the
    cut-off (future shifts count as not yet served, so they keep it)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VOLUNTEERS_ID_NUMBER_RETENTION_DAYS)
    # a place held: served, or was going to (an invitation alone does not count)
    recent = (
        Signup.objects.holding()
        .filter(profile=OuterRef("pk"))
        .filter(Q(shift__start__gte=cutoff) | Q(attendance__check_in_at__gte=cutoff))
    )
    return (
        VolunteerProfile.objects.exclude(status=VolunteerProfile.Status.DELETED)
        .exclude(id_number="")
        .filter(created_at__lt=cutoff, updated_at__lt=cutoff)
        .exclude(verified_at__gte=cutoff)
        .exclude(Exists(recent))
    )


def clear_stale_id_numbers(now=None):
    """Clear the ID number of every profile in stale_id_numbers; returns how many. Each profile
    is saved through the model (id_number = ""), the one way to clear the field however it is
    stored."""
    now = now or timezone.now()
    count = 0
    for pk in list(stale_id_numbers(now).values_list("pk", flat=True)):
        with transaction.atomic():
            profile = stale_id_numbers(now).select_for_update(of=("self",)).filter(pk=pk).first()
            if profile is not None and profile.id_number:
                profile.id_number = ""
                profile.save()
                count += 1
    return count
