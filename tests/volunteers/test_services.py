from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from portal import sms
from portal.validators import id_number_check_char
from tests.factories import (
    ShiftFactory,
    SignupFactory,
    TaskFactory,
    UserFactory,
    VolunteerProfileFactory,
)
from volunteers import services
from volunteers.models import (
    Attendance,
    AttendanceCorrection,
    Shift,
    ShiftTemplate,
    Signup,
    Skill,
    Task,
    VolunteerProfile,
)

pytestmark = pytest.mark.django_db


def profile_data(community, compound, **extra):
    return {
        "real_name": "王小明",
        "mobile": "13911112222",
        "community": community,
        "compound": compound,
        "availability": {"0": [["07:00", "12:00"]]},
        "is_party_member": False,
        "work_unit": "",
        "id_number": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "consent": True,
        **extra,
    }


# 1. Join -----------------------------------------------------------------------------------


def test_create_profile_is_pending_with_timestamped_consent(community, compound):
    user = UserFactory()
    skills = list(Skill.objects.all()[:2])
    profile = services.create_profile(user, profile_data(community, compound), skills=skills)
    assert profile.status == VolunteerProfile.Status.PENDING
    assert profile.consent and profile.consent_at is not None
    assert set(profile.skills.all()) == set(skills)


def test_create_profile_without_consent_saves_nothing(community, compound):
    user = UserFactory()
    with pytest.raises(services.VolunteerError):
        services.create_profile(user, profile_data(community, compound, consent=False))
    assert not VolunteerProfile.objects.exists()


def test_invalid_id_number_is_refused_and_valid_one_is_masked(community, compound):
    user = UserFactory()
    with pytest.raises(services.VolunteerError):
        services.create_profile(
            user, profile_data(community, compound, id_number="110101199003070000")
        )
    assert not VolunteerProfile.objects.exists()
    first17 = "11010519491231002"
    valid = first17 + id_number_check_char(first17)
    profile = services.create_profile(user, profile_data(community, compound, id_number=valid))
    assert profile.masked_id_number == "110***********" + valid[-4:]


# 2. Verification, moving, deleting ------------------------------------------------------------


def test_coordinator_verifies_and_volunteer_gets_sms(coordinator, community):
    profile = VolunteerProfileFactory(community=community, status="pending")
    services.verify_profile(profile, coordinator)
    profile.refresh_from_db()
    assert profile.status == "verified" and profile.verified_by == coordinator
    assert len(sms.outbox) == 1
    assert community.name in sms.outbox[0].text and "/volunteers/shifts/" in sms.outbox[0].text


def test_reject_needs_reason_and_notifies_in_recipient_language(coordinator, community):
    profile = VolunteerProfileFactory(community=community, status="pending", user__language="en")
    with pytest.raises(services.VolunteerError):
        services.reject_profile(profile, coordinator, "  ")
    services.reject_profile(profile, coordinator, "请填写真实姓名")
    profile.refresh_from_db()
    assert profile.status == "rejected" and profile.rejection_reason == "请填写真实姓名"
    assert "could not confirm" in sms.outbox[0].text


def test_other_communitys_coordinator_cannot_verify(other_coordinator, community):
    profile = VolunteerProfileFactory(community=community, status="pending")
    with pytest.raises(PermissionDenied):
        services.verify_profile(profile, other_coordinator)


def test_moving_community_sends_volunteer_back_to_pending(volunteer, other_community):
    services.move_community(volunteer, other_community)
    volunteer.refresh_from_db()
    assert volunteer.community == other_community and volunteer.status == "pending"


def test_delete_account_anonymises_but_keeps_hours(volunteer, shift):
    signup = SignupFactory(shift=shift, profile=volunteer)
    Attendance.objects.create(
        signup=signup, check_in_at=shift.start, check_out_at=shift.end, status="confirmed"
    )
    future = ShiftFactory(
        task=shift.task, start=shift.start + timedelta(days=1), end=shift.end + timedelta(days=1)
    )
    services.sign_up(volunteer, future)
    user = volunteer.user
    services.delete_account(user)
    volunteer.refresh_from_db()
    assert volunteer.user is None and volunteer.status == "deleted"
    assert volunteer.real_name == services.ANONYMOUS_NAME
    assert volunteer.mobile == "" and volunteer.id_number == ""
    assert services.minutes_served(volunteer) == 300
    future.refresh_from_db()
    assert future.taken == 0
    assert not type(user).objects.filter(pk=user.pk).exists()


# 3. Tasks, templates, cancelling ------------------------------------------------------------------


def test_template_generates_shifts_and_edits_only_future_unstaffed(gate_task, volunteer):
    today = timezone.localdate()
    template = ShiftTemplate.objects.create(
        task=gate_task,
        weekdays=list(range(7)),
        time_ranges=[["07:00", "12:00"], ["12:00", "19:00"]],
        places=2,
        start_date=today + timedelta(days=1),
        end_date=today + timedelta(days=3),
    )
    assert services.generate_from_template(template) == 6
    assert services.generate_from_template(template) == 0  # idempotent
    staffed = template.shifts.order_by("start").first()
    services.sign_up(volunteer, staffed)
    services.update_template(template, places=3, time_ranges=[["08:00", "12:00"]])
    shifts = list(template.shifts.order_by("start"))
    assert staffed in shifts
    staffed.refresh_from_db()
    # its times stay as agreed; its places follow the template (never below those taken)
    assert staffed.places == 3 and timezone.localtime(staffed.start).hour == 7
    others = [s for s in shifts if s.pk != staffed.pk]
    assert len(others) == 3
    assert all(s.places == 3 and timezone.localtime(s.start).hour == 8 for s in others)


def test_template_edit_moves_a_shift_someone_withdrew_from_in_place(gate_task, volunteer):
    today = timezone.localdate()
    template = ShiftTemplate.objects.create(
        task=gate_task,
        weekdays=list(range(7)),
        time_ranges=[["07:00", "12:00"]],
        places=2,
        start_date=today + timedelta(days=2),
        end_date=today + timedelta(days=2),
    )
    services.generate_from_template(template)
    shift = template.shifts.get()
    signup = services.sign_up(volunteer, shift)
    services.withdraw(volunteer, signup)
    services.update_template(template, time_ranges=[["08:00", "12:00"]])
    # Nobody is on it any more: the same shift (its links keep working) takes the new time;
    # the withdrawn sign-up stays on record.
    signup.refresh_from_db()
    assert signup.status == "withdrawn"
    [moved] = template.shifts.all()
    assert moved.pk == shift.pk and moved.cancelled_at is None
    assert timezone.localtime(moved.start).hour == 8


def test_cancel_shift_releases_places_and_notifies(coordinator, volunteer, shift):
    services.sign_up(volunteer, shift)
    services.cancel_shift(shift, coordinator, "暴雨")
    shift.refresh_from_db()
    assert shift.cancelled_at and shift.taken == 0
    assert Signup.objects.get(shift=shift).status == "cancelled"
    assert any("取消" in m.text for m in sms.outbox)


# 4. Sign-up ------------------------------------------------------------------------------------


def test_full_shift_refuses_with_clear_message(shift, community):
    shift.places = 1
    shift.save()
    first, second = VolunteerProfileFactory.create_batch(2, community=community)
    services.sign_up(first, shift)
    with pytest.raises(services.SignupError) as error:
        services.sign_up(second, shift)
    assert error.value.code == "full"
    assert "这个班次已满" in error.value.messages
    shift.refresh_from_db()
    assert shift.taken == 1


def test_overlapping_shift_is_refused(volunteer, shift):
    services.sign_up(volunteer, shift)
    overlapping = ShiftFactory(
        task=TaskFactory(community=shift.task.community),
        start=shift.start + timedelta(hours=2),
        end=shift.end + timedelta(hours=2),
    )
    with pytest.raises(services.SignupError) as error:
        services.sign_up(volunteer, overlapping)
    assert "与您已报名的班次时间冲突" in error.value.messages
    back_to_back = ShiftFactory(
        task=shift.task, start=shift.end, end=shift.end + timedelta(hours=2)
    )
    services.sign_up(volunteer, back_to_back)


def test_pending_volunteer_cannot_sign_up(shift, community):
    profile = VolunteerProfileFactory(community=community, status="pending")
    with pytest.raises(services.SignupError) as error:
        services.sign_up(profile, shift)
    assert error.value.code == "not_verified"


def test_withdraw_until_cutoff(volunteer, shift, settings):
    signup = services.sign_up(volunteer, shift)
    services.withdraw(volunteer, signup)
    shift.refresh_from_db()
    assert shift.taken == 0
    signup = services.sign_up(volunteer, shift)  # can sign up again
    settings.VOLUNTEERS_WITHDRAW_CUTOFF_HOURS = 72
    with pytest.raises(services.SignupError) as error:
        services.withdraw(volunteer, signup)
    assert error.value.code == "cutoff"


def test_invite_accept_and_decline(coordinator, volunteer, shift, community):
    signup = services.invite(shift, volunteer, coordinator)
    assert signup.status == "invited" and len(sms.outbox) == 1
    shift.refresh_from_db()
    assert shift.taken == 0  # an invitation holds no place until accepted
    services.accept_invitation(volunteer, signup)
    signup.refresh_from_db()
    shift.refresh_from_db()
    assert signup.status == "confirmed" and shift.taken == 1
    other = VolunteerProfileFactory(community=community)
    invitation = services.invite(shift, other, coordinator)
    services.decline_invitation(other, invitation)
    assert Signup.objects.get(pk=invitation.pk).status == "declined"


def test_coordinator_removes_person_and_place_opens(coordinator, volunteer, shift):
    signup = services.sign_up(volunteer, shift)
    services.remove_from_shift(signup, coordinator, "生病")
    shift.refresh_from_db()
    assert shift.taken == 0 and Signup.objects.get(pk=signup.pk).status == "cancelled"


# 5. Check-in and hours ------------------------------------------------------------------------------


def test_check_in_then_out_by_post_qr(volunteer, shift, post):
    signup = services.sign_up(volunteer, shift)
    attendance = services.check_in(volunteer.user, post, now=shift.start - timedelta(minutes=2))
    assert attendance.check_in_at == shift.start - timedelta(minutes=2)
    attendance = services.check_out(volunteer.user, post, now=shift.end - timedelta(minutes=2))
    assert attendance.minutes == 300
    assert attendance.hours == 5.0 and attendance.signup == signup
    with pytest.raises(services.VolunteerError):
        services.check_out(volunteer.user, post, now=shift.end)


def test_check_in_without_shift_at_post_is_refused(volunteer, shift, post):
    with pytest.raises(services.VolunteerError) as error:
        services.check_in(volunteer.user, post, now=shift.start)
    assert error.value.code == "no_shift"


def test_confirm_no_show_and_audited_correction(coordinator, volunteer, shift, community):
    signup = services.sign_up(volunteer, shift)
    absent = services.sign_up(VolunteerProfileFactory(community=community), shift)
    with pytest.raises(services.VolunteerError):
        services.mark_no_show(absent, coordinator)  # not before the shift starts
    now = timezone.now()
    Shift.objects.filter(pk=shift.pk).update(
        start=now - timedelta(hours=6), end=now - timedelta(hours=1)
    )
    shift.refresh_from_db()
    services.mark_no_show(absent, coordinator)
    assert Signup.objects.get(pk=absent.pk).status == "no_show"
    attendance = services.confirm_attendance(signup, coordinator)
    assert attendance.minutes == 300 and attendance.source == "coordinator"
    with pytest.raises(services.VolunteerError):
        services.correct_attendance(attendance, coordinator, shift.start, shift.end, "")
    services.correct_attendance(
        attendance, coordinator, shift.start, shift.end - timedelta(hours=1), "提前离岗"
    )
    attendance.refresh_from_db()
    assert attendance.minutes == 240
    correction = AttendanceCorrection.objects.get()
    assert correction.changed_by == coordinator and correction.reason == "提前离岗"
    assert correction.old_check_out_at == shift.end


def test_hours_by_kind_and_certificate_snapshot(volunteer, shift):
    signup = services.sign_up(volunteer, shift)
    Attendance.objects.create(
        signup=signup, check_in_at=shift.start, check_out_at=shift.end, status="confirmed"
    )
    day = timezone.localtime(shift.start).date()
    first, last = services.month_bounds(day)
    assert services.minutes_by_kind(volunteer, first, last) == {"gate_duty": 300}
    certificate = services.issue_certificate(volunteer, first, last)
    assert certificate.hours == 5.0 and certificate.name == "李晓红"
    assert services.issue_certificate(volunteer, first, last) == certificate
    with pytest.raises(services.VolunteerError):
        services.issue_certificate(volunteer, date(2020, 1, 1), date(2020, 1, 31))


# 8. Party members ------------------------------------------------------------------------------


def test_party_report_groups_members_by_work_unit(volunteer, shift, community):
    member = VolunteerProfileFactory(
        community=community, is_party_member=True, work_unit="丰台区税务局", real_name="赵党员"
    )
    VolunteerProfileFactory(
        community=community, is_party_member=True, work_unit="丰台区税务局", real_name="钱党员"
    )
    signup = services.sign_up(member, shift)
    Attendance.objects.create(
        signup=signup, check_in_at=shift.start, check_out_at=shift.end, status="confirmed"
    )
    day = timezone.localtime(shift.start).date()
    units = services.party_report(VolunteerProfile.objects.all(), day, day)
    assert [u["work_unit"] for u in units] == ["丰台区税务局"]
    assert units[0]["hours"] == 5.0
    assert {m["name"]: m["hours"] for m in units[0]["members"]} == {"赵党员": 5.0, "钱党员": 0}


# 9. Reminders -----------------------------------------------------------------------------------


def test_reminders_are_sent_once(volunteer, shift):
    services.sign_up(volunteer, shift)
    call_command("send_shift_reminders", hours=72, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_shift_reminders", hours=72, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(sms.outbox) == 1
    assert "北门值守" in sms.outbox[0].text
    assert Signup.objects.get().reminded_at is not None


def test_shift_counter_cannot_exceed_places_in_database(shift):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(taken=F("places") + 1)


def test_a_sign_up_refused_at_the_insert_gives_its_place_back(volunteer, shift, monkeypatch):
    """Should the database refuse the new sign-up (its one-live-sign-up constraint, which the
    profile lock keeps from happening), the volunteer hears "already signed up" and the place
    taken a moment before is given back with the rest of the transaction."""
    from django.db import IntegrityError

    def refused(**fields):
        raise IntegrityError("volunteers_signup_one_live_per_shift")

    monkeypatch.setattr(Signup.objects, "create", refused)
    with pytest.raises(services.SignupError) as error:
        services.sign_up(volunteer, shift)
    assert error.value.code == "duplicate"
    shift.refresh_from_db()
    assert shift.taken == 0
    assert not Signup.objects.exists()


def test_task_kinds_cover_the_issue():
    assert {k for k, _ in Task.Kind.choices} == {
        "gate_duty",
        "temperature",
        "disinfection",
        "delivery",
        "phone",
        "data_entry",
        "publicity",
        "other",
    }


def test_lock_contention_is_retried_then_refused_as_busy(monkeypatch, volunteer, shift):
    from types import SimpleNamespace

    from django.db import OperationalError

    calls = []

    def contended(profile, shift):
        calls.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(services.signups, "_sign_up", contended)
    monkeypatch.setattr(
        services.signups.transaction,
        "get_connection",
        lambda *args, **kwargs: SimpleNamespace(in_atomic_block=False),
    )
    with pytest.raises(services.SignupError) as error:
        services.sign_up(volunteer, shift)
    assert error.value.code == "busy" and len(calls) == 2
