"""Issue 14, point 3: hours from scans are recorded; the organiser confirms them (one by one or a
whole shift at once), recorded hours nobody disputed are confirmed after some days, and only
confirmed hours count anywhere."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.models import AuditEvent
from tests.factories import ShiftFactory, SignupFactory, VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import Attendance
from volunteers.services import hours


@pytest.fixture
def past_shift(gate_task):
    start = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    return ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=5), places=5)


def _served(shift, profile, *, hours_served=5, status=Attendance.Status.RECORDED):
    signup = SignupFactory(shift=shift, profile=profile)
    return Attendance.objects.create(
        signup=signup,
        check_in_at=shift.start,
        check_out_at=shift.start + timedelta(hours=hours_served),
        status=status,
    )


def test_a_scan_is_recorded_and_does_not_count_until_confirmed(volunteer, past_shift, coordinator):
    attendance = _served(past_shift, volunteer)
    assert attendance.status == Attendance.Status.RECORDED
    assert services.minutes_served(volunteer) == 0
    assert hours.hours_summary(volunteer) == {"confirmed_hours": 0, "pending_hours": 5.0}
    with pytest.raises(services.VolunteerError):
        services.issue_certificate(volunteer, date(2000, 1, 1), timezone.localdate())

    assert hours.confirm([attendance.pk], coordinator) == 1
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CONFIRMED
    assert attendance.confirmed_by == coordinator and attendance.confirmed_at
    assert services.minutes_served(volunteer) == 300
    assert hours.hours_summary(volunteer) == {"confirmed_hours": 5.0, "pending_hours": 0}
    assert AuditEvent.objects.filter(action="volunteers.hours.confirm").exists()


def test_confirming_a_shift_is_one_update(past_shift, coordinator, community):
    people = VolunteerProfileFactory.create_batch(4, community=community)
    for profile in people:
        _served(past_shift, profile)
    disputed = _served(past_shift, VolunteerProfileFactory(community=community))
    hours.dispute(disputed, coordinator, "她 12 点就走了")
    with CaptureQueriesContext(connection) as queries:
        count = hours.confirm_shift(past_shift, coordinator)
    assert count == 4
    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len([sql for sql in updates if "volunteers_attendance" in sql]) == 1
    assert Attendance.objects.confirmed().count() == 4
    disputed.refresh_from_db()
    assert disputed.status == Attendance.Status.DISPUTED  # decided one by one


def test_only_the_shifts_organiser_may_confirm(
    volunteer, past_shift, other_coordinator, subdistrict_admin
):
    attendance = _served(past_shift, volunteer)
    assert not hours.can_confirm(other_coordinator, attendance)
    assert not hours.can_confirm(volunteer.user, attendance)  # not her own hours
    with pytest.raises(PermissionDenied):
        hours.confirm([attendance.pk], other_coordinator)
    with pytest.raises(PermissionDenied):
        hours.confirm_shift(past_shift, volunteer.user)
    with pytest.raises(PermissionDenied):
        services.confirm_attendance(attendance.signup, other_coordinator)
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.RECORDED
    assert hours.can_confirm(subdistrict_admin, attendance)


def test_the_confirmer_hook_lets_another_organiser_confirm(volunteer, past_shift, monkeypatch):
    leader = make_user(roles.VOLUNTEER, username="leader")
    attendance = _served(past_shift, volunteer)
    assert not hours.can_confirm(leader, attendance)
    monkeypatch.setattr(
        hours,
        "CONFIRMER_RULES",
        [lambda user: Q(pk=past_shift.pk) if user.username == "leader" else None],
    )
    assert hours.can_confirm(leader, attendance)
    assert hours.confirm_shift(past_shift, leader) == 1


def test_recorded_hours_are_confirmed_automatically_unless_disputed(
    volunteer, past_shift, community, settings
):
    settings.VOLUNTEERS_AUTO_CONFIRM_DAYS = 7
    old = _served(past_shift, volunteer)
    objected = _served(past_shift, VolunteerProfileFactory(community=community))
    recent = _served(past_shift, VolunteerProfileFactory(community=community))
    Attendance.objects.filter(pk__in=[old.pk, objected.pk]).update(
        check_in_at=timezone.now() - timedelta(days=9),
        check_out_at=timezone.now() - timedelta(days=8, hours=20),
    )
    hours.dispute(objected, objected.signup.profile.user, "少记了两个小时")  # her own
    call_command("auto_confirm_hours", stdout=open("/dev/null", "w"))  # noqa: SIM115
    statuses = dict(Attendance.objects.values_list("pk", "status"))
    assert statuses[old.pk] == Attendance.Status.CONFIRMED
    assert statuses[objected.pk] == Attendance.Status.DISPUTED
    assert statuses[recent.pk] == Attendance.Status.RECORDED
    assert Attendance.objects.get(pk=old.pk).confirmed_by is None
    assert hours.auto_confirm() == 0  # safe to run again


def test_a_dispute_needs_a_reason_and_her_own_hours(volunteer, past_shift, community):
    attendance = _served(past_shift, volunteer)
    with pytest.raises(services.VolunteerError):
        hours.dispute(attendance, volunteer.user, "  ")
    stranger = VolunteerProfileFactory(community=community)
    with pytest.raises(PermissionDenied):
        hours.dispute(attendance, stranger.user, "不对")
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.RECORDED


def test_a_correction_confirms_and_stays_audited(volunteer, past_shift, coordinator):
    attendance = _served(past_shift, volunteer)
    hours.dispute(attendance, volunteer.user, "我 11 点才到")
    services.correct_attendance(
        attendance,
        coordinator,
        past_shift.start + timedelta(hours=1),
        past_shift.start + timedelta(hours=5),
        "她 11 点到的",
    )
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CONFIRMED and attendance.minutes == 240
    assert attendance.corrections.count() == 1
    assert services.minutes_served(volunteer) == 240


def test_party_report_counts_confirmed_hours_only(past_shift, coordinator, community):
    member = VolunteerProfileFactory(community=community, is_party_member=True, work_unit="丰台区")
    attendance = _served(past_shift, member)
    from volunteers.models import VolunteerProfile

    day = timezone.localdate(past_shift.start)
    report = services.party_report(VolunteerProfile.objects.all(), day, day)
    assert report[0]["minutes"] == 0
    hours.confirm([attendance.pk], coordinator)
    report = services.party_report(VolunteerProfile.objects.all(), day, day)
    assert report[0]["minutes"] == 300


def test_migrated_history_counts_as_confirmed():
    import importlib

    migration = importlib.import_module("volunteers.migrations.0015_attendance_confirmation")
    added = next(
        op
        for op in migration.Migration.operations
        if type(op).__name__ == "AddField" and op.name == "status"
    )
    assert added.field.default == "confirmed"  # rows from before keep counting


def test_the_volunteer_sees_both_totals_and_can_dispute(client, volunteer, past_shift):
    attendance = _served(past_shift, volunteer)
    client.force_login(volunteer.user)
    page = client.get(reverse("volunteers:my_page")).content.decode()
    assert "5.0" in page
    response = client.post(
        reverse("volunteers:dispute_hours", args=[attendance.pk]), {"reason": "时间不对"}
    )
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.DISPUTED


def test_someone_elses_attendance_cannot_be_disputed_by_url(client, past_shift, community):
    attendance = _served(past_shift, VolunteerProfileFactory(community=community))
    intruder = VolunteerProfileFactory(community=community)
    client.force_login(intruder.user)
    response = client.post(
        reverse("volunteers:dispute_hours", args=[attendance.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.RECORDED


def test_the_coordinator_confirms_a_shift_from_its_hours_page(
    client, past_shift, coordinator, community
):
    attendance = _served(past_shift, VolunteerProfileFactory(community=community))
    client.force_login(coordinator)
    url = reverse("volunteers_hours:shift_hours", args=[past_shift.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "confirm_shift"})
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CONFIRMED


def test_another_communitys_shift_hours_page_is_not_found(client, other_shift, coordinator):
    client.force_login(coordinator)
    url = reverse("volunteers_hours:shift_hours", args=[other_shift.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm_shift"}).status_code == 404
