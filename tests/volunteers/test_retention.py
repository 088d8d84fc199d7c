"""Volunteers' data is kept only while it serves: a profile nobody has used for
VOLUNTEERS_INACTIVE_PROFILE_DAYS is anonymised (hours kept) and an ID number is cleared
VOLUNTEERS_ID_NUMBER_RETENTION_DAYS after the last shift, by the one daily retention job."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.validators import id_number_check_char
from tests.factories import ShiftFactory, SignupFactory, TaskFactory, VolunteerProfileFactory
from volunteers import services
from volunteers.models import Attendance, Signup, VolunteerProfile
from volunteers.services.retention import anonymise_inactive_profiles, clear_stale_id_numbers

ID_NUMBER = "11010519491231002X"
_serial = iter(range(100, 1000))


def _id_number():
    """A valid ID number of its own for each profile (they are unique)."""
    first17 = f"11010519491231{next(_serial):03d}"
    return first17 + id_number_check_char(first17)


@pytest.fixture(autouse=True)
def _periods(settings):
    settings.VOLUNTEERS_INACTIVE_PROFILE_DAYS = 730
    settings.VOLUNTEERS_ID_NUMBER_RETENTION_DAYS = 180


def _ago(days):
    return timezone.now() - timedelta(days=days)


def _profile(community, *, created_days_ago, last_login_days_ago=None, **kwargs):
    kwargs.setdefault("id_number", _id_number())
    profile = VolunteerProfileFactory(community=community, **kwargs)
    VolunteerProfile.objects.filter(pk=profile.pk).update(
        created_at=_ago(created_days_ago),
        updated_at=_ago(created_days_ago),
        verified_at=_ago(created_days_ago),
    )
    if profile.user and last_login_days_ago is not None:
        type(profile.user).objects.filter(pk=profile.user_id).update(
            last_login=_ago(last_login_days_ago)
        )
    return profile


def _served(profile, community, days_ago):
    start = _ago(days_ago)
    shift = ShiftFactory(
        task=TaskFactory(community=community), start=start, end=start + timedelta(hours=4)
    )
    signup = SignupFactory(shift=shift, profile=profile)
    Signup.objects.filter(pk=signup.pk).update(created_at=_ago(days_ago + 1))
    Attendance.objects.create(
        signup=signup,
        check_in_at=shift.start,
        check_out_at=shift.end,
        status=Attendance.Status.CONFIRMED,
    )
    return shift


def test_an_inactive_profile_is_anonymised_and_its_hours_kept(community):
    gone = _profile(community, created_days_ago=1200, last_login_days_ago=800)
    _served(gone, community, days_ago=900)
    user = gone.user
    assert anonymise_inactive_profiles() == 1
    gone.refresh_from_db()
    assert gone.status == "deleted" and gone.user is None
    assert gone.real_name == services.ANONYMOUS_NAME and gone.mobile == ""
    assert gone.id_number == ""
    assert services.minutes_served(gone) == 240  # the hours still count
    user.refresh_from_db()  # the account itself is not this rule's
    assert anonymise_inactive_profiles() == 0


@pytest.mark.parametrize("activity", ["login", "signup", "service", "future_shift", "new"])
def test_any_recent_activity_keeps_the_profile(community, activity):
    profile = _profile(
        community,
        created_days_ago=10 if activity == "new" else 1200,
        last_login_days_ago=5 if activity == "login" else 800,
    )
    if activity == "signup":  # signed up (for a shift since cancelled, say) three days ago
        _served(profile, community, days_ago=900)
        Signup.objects.filter(profile=profile).update(created_at=_ago(3))
    elif activity == "service":
        _served(profile, community, days_ago=100)
    elif activity == "future_shift":
        SignupFactory(
            profile=profile,
            shift=ShiftFactory(task=TaskFactory(community=community)),
        )
        Signup.objects.filter(profile=profile).update(created_at=_ago(900))
    assert anonymise_inactive_profiles() == 0
    profile.refresh_from_db()
    assert profile.status == "verified" and profile.id_number


def test_an_id_number_is_cleared_six_months_after_the_last_shift(community):
    stale = _profile(community, created_days_ago=400, last_login_days_ago=1)
    _served(stale, community, days_ago=200)
    recent = _profile(community, created_days_ago=400, last_login_days_ago=1)
    _served(recent, community, days_ago=30)
    upcoming = _profile(community, created_days_ago=400, last_login_days_ago=1)
    _served(upcoming, community, days_ago=300)
    SignupFactory(profile=upcoming, shift=ShiftFactory(task=TaskFactory(community=community)))
    newcomer = _profile(community, created_days_ago=20)

    assert clear_stale_id_numbers() == 1
    assert clear_stale_id_numbers() == 0
    stale.refresh_from_db()
    assert stale.id_number == "" and stale.real_name and stale.status == "verified"
    for kept in (recent, upcoming, newcomer):
        kept.refresh_from_db()
        assert kept.id_number  # kept


def test_the_daily_job_applies_every_rule_and_reports_counts(community):
    _profile(community, created_days_ago=1200, last_login_days_ago=800)
    stale = _profile(community, created_days_ago=400, last_login_days_ago=1)
    _served(stale, community, days_ago=200)
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().split("\n")[:3] == [
        "help_requests_anonymised: 0",
        "volunteer_profiles_anonymised: 1",
        "id_numbers_cleared: 1",
    ]
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "volunteer_profiles_anonymised: 0" in out.getvalue()
    assert "id_numbers_cleared: 0" in out.getvalue()
