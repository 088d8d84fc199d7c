"""Volunteer profiles: sign-up, edits, verification by a coordinator, moving community and
deleting the account (anonymised, hours kept).

Identity rule: real name, mobile and ID number are what a coordinator checks. Changing any of
them on a verified profile sends it back to pending (so no certificate is issued in a name
nobody checked), keeps the change in IdentityChange (ID numbers masked) and writes an audit
event; the volunteer's page, the back office and the import all come through update_profile.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.links import site_url
from portal.notify import notify
from portal.validators import mask_id_number, normalize_id_number, normalize_mobile

from ..availability import EMPTY_MASK
from ..models import (
    IDENTITY_FIELDS,
    Certificate,
    IdentityChange,
    Signup,
    VolunteerProfile,
)
from .base import ANONYMOUS_NAME, VolunteerError, _ensure_staff
from .signups import _end_signup

PROFILE_FIELDS = [
    "real_name",
    "mobile",
    "community",
    "compound",
    "availability",
    "is_party_member",
    "work_unit",
    "id_type",
    "id_number",
    "emergency_contact_name",
    "emergency_contact_phone",
]


ID_NUMBER_TAKEN = _(
    "This ID card number is already registered to another volunteer. If it is yours, please "
    "contact your community."
)


def _normalize(data):
    """The identity fields as stored, so "x" and "X" or "+86" are not taken for a change."""
    data = dict(data)
    if "real_name" in data:
        data["real_name"] = (data["real_name"] or "").strip()
    if "mobile" in data:
        data["mobile"] = normalize_mobile(data["mobile"])
    if "id_number" in data:
        data["id_number"] = normalize_id_number(data["id_number"])
    return data


def _clean(profile):
    try:
        profile.full_clean(exclude=["user", "calendar_token", "id_number_hash"])
    except ValidationError as error:
        raise VolunteerError(error.message_dict) from error
    if (
        profile.id_number
        and VolunteerProfile.objects.by_id_number(profile.id_number).exclude(pk=profile.pk).exists()
    ):
        raise VolunteerError({"id_number": [ID_NUMBER_TAKEN]})


def _save(profile):
    """Save, turning a race lost on the unique ID-number hash into the same clear message."""
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as error:
        taken = VolunteerProfile.objects.by_id_number(profile.id_number).exclude(pk=profile.pk)
        if taken.exists():
            raise VolunteerError({"id_number": [ID_NUMBER_TAKEN]}) from error
        raise


def create_profile(user, data, skills=()):
    """Make `user` a volunteer of data["community"], pending verification. Needs consent."""
    if not data.get("consent"):
        raise VolunteerError(_("Please agree to the use of your personal data."), code="consent")
    if user is not None and VolunteerProfile.objects.filter(user=user).exists():
        raise VolunteerError(_("You have already signed up as a volunteer."), code="exists")
    data = _normalize(data)
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
        _save(profile)
        profile.skills.set(skills)
        if user is not None and profile.mobile and not user.phone:
            user.phone = profile.mobile
            user.save(update_fields=["phone"])
    return profile


def update_profile(profile, data, skills=None, *, by=None, request=None):
    """Change a volunteer's details (by the volunteer, a coordinator or an import; `by` is who,
    defaulting to the request's user). A new home community, real name, mobile or ID number
    sends a verified volunteer back to pending; identity changes are kept and audited."""
    if by is None and request is not None and request.user.is_authenticated:
        by = request.user
    data = _normalize(data)
    new_community = data.get("community")
    with transaction.atomic():
        # Work on the row as it is now, locked, so two edits (or an edit and a verification)
        # cannot both miss a change; `profile` is refreshed from it at the end.
        current = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        before = {f: getattr(current, f) for f in IDENTITY_FIELDS}
        for field in PROFILE_FIELDS:
            if field in data and field != "community":
                setattr(current, field, data[field])
        if not current.is_party_member:
            current.work_unit = ""
        _clean(current)
        changed = [f for f in IDENTITY_FIELDS if getattr(current, f) != before[f]]
        unverified = bool(changed) and current.status == VolunteerProfile.Status.VERIFIED
        if unverified:
            _back_to_pending(current)
        _save(current)
        if changed:
            _record_identity_change(current, before, changed, by, request, unverified)
        if skills is not None:
            current.skills.set(skills)
        if new_community is not None and new_community.pk != current.community_id:
            move_community(current, new_community, data.get("compound"))
    profile.refresh_from_db()
    return profile


def _back_to_pending(profile):
    profile.status = VolunteerProfile.Status.PENDING
    profile.verified_by = None
    profile.verified_at = None
    profile.rejection_reason = ""


def _shown(field, value):
    return mask_id_number(value) if field == "id_number" else value


def _record_identity_change(profile, before, changed, by, request, unverified):
    IdentityChange.objects.bulk_create(
        IdentityChange(
            profile=profile,
            field=field,
            old_value=_shown(field, before[field]),
            new_value=_shown(field, getattr(profile, field)),
            changed_by=by,
            unverified=unverified,
        )
        for field in changed
    )
    # The audit event names the fields, never their values.
    audit.record(
        "volunteers.identity.change",
        request=request,
        user=by,
        obj=profile,
        fields=changed,
        sent_back_for_verification=unverified,
    )


def identity_token(profile):
    """A token of the identity details as a coordinator saw them on the review screen; verify
    with it, and a change made meanwhile makes the verification fail instead of approving
    details nobody saw."""
    values = "\x1f".join(str(getattr(profile, f) or "") for f in IDENTITY_FIELDS)
    return salted_hmac("volunteers.identity", f"{profile.pk}\x1f{values}").hexdigest()


def _decide(
    profile, by, *, action, was, becomes, rejection_reason, refusal, message, seen=None, **context
):
    """Move `profile` from one of `was` to `becomes` (a coordinator's decision), once: a
    conditional UPDATE, so two coordinators deciding at once cannot both succeed. With `seen`
    (identity_token of what the coordinator saw), details changed meanwhile refuse it."""
    with transaction.atomic():
        if seen is not None:
            current = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
            if not constant_time_compare(seen, identity_token(current)):
                raise VolunteerError(
                    _(
                        "This volunteer's details changed while you were looking at them; "
                        "please check them again."
                    ),
                    code="changed",
                )
        updated = VolunteerProfile.objects.filter(pk=profile.pk, status__in=was).update(
            status=becomes,
            verified_by=by,
            verified_at=timezone.now(),
            rejection_reason=rejection_reason,
        )
        if not updated:
            raise VolunteerError(refusal, code="state")
        profile.refresh_from_db()
        audit.record(
            action,
            user=by,
            obj=profile,
            **({"reason": rejection_reason} if rejection_reason else {}),
        )
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


def verify_profile(profile, by, seen=None):
    """Verify the volunteer. `seen` is identity_token() of the details the coordinator checked
    (the review screen sends it); without it the details as they are now are verified."""
    _ensure_staff(by, profile)
    Status = VolunteerProfile.Status
    return _decide(
        profile,
        by,
        seen=seen,
        action="volunteers.verify",
        was=[Status.PENDING, Status.REJECTED],
        becomes=Status.VERIFIED,
        rejection_reason="",
        refusal=_("This volunteer cannot be verified now."),
        message="volunteers/notify/verified",
        link=site_url("volunteers:shifts"),
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
        action="volunteers.reject",
        was=[Status.PENDING, Status.VERIFIED],
        becomes=Status.REJECTED,
        rejection_reason=reason,
        refusal=_("This volunteer cannot be rejected now."),
        message="volunteers/notify/rejected",
        reason=reason,
        link=site_url("volunteers:profile"),
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
    future = Signup.objects.expected().filter(profile=profile, shift__start__gt=timezone.now())
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
    # why a coordinator took the person off a shift may say they were ill: not kept
    Signup.objects.filter(profile=profile).exclude(end_reason="").update(end_reason="")
    # The history keeps that details changed, not what they were.
    IdentityChange.objects.filter(profile=profile).update(old_value="", new_value="")
    audit.forget_labels(profile, f"{ANONYMOUS_NAME} #{profile.pk}")


def delete_account(user):
    """Delete the account (portal.personal_data: every app erases its part first). Returns the
    volunteer profile as it stays: anonymised, its hours still counted."""
    from portal import personal_data

    profile = VolunteerProfile.objects.filter(user=user).first()
    personal_data.delete_account(user)
    if profile is not None:
        profile.refresh_from_db()
    return profile


def erase_profile(user):
    """The volunteers' part of deleting an account (portal.personal_data)."""
    profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        anonymise_profile(profile)
    return profile
    return profile
