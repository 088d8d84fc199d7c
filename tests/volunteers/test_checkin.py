"""Issue 12, point 4: check-in and check-out are two clear actions naming the shift; a
check-out moments after checking in asks first; a mistaken scan can be undone for a few
minutes (audited); check-in only for a shift she holds at that post, around its start."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent
from tests.factories import PostFactory, ShiftFactory, TaskFactory
from volunteers import services, views
from volunteers.models import Attendance, AttendanceCorrection


@pytest.fixture
def now_shift(gate_task):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=5)
    return ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=5), places=2)


def test_a_second_scan_a_minute_later_does_not_check_her_out(volunteer, shift, post):
    services.sign_up(volunteer, shift)
    services.check_in(volunteer.user, post, now=shift.start)
    # the old toggle: a second scan checked her out with 0.0 hours
    with pytest.raises(services.VolunteerError) as error:
        services.check_in(volunteer.user, post, now=shift.start + timedelta(minutes=1))
    assert error.value.code == "already_in"
    with pytest.raises(services.VolunteerError) as error:
        services.check_out(volunteer.user, post, now=shift.start + timedelta(minutes=1))
    assert error.value.code == "too_soon" and "北门值守" in error.value.messages[0]
    attendance = Attendance.objects.get()
    assert attendance.check_out_at is None
    # she really leaves: confirmed
    attendance = services.check_out(
        volunteer.user, post, now=shift.start + timedelta(minutes=2), confirmed=True
    )
    assert attendance.minutes == 2


def test_check_in_only_in_a_window_around_the_start(volunteer, shift, post, settings):
    settings.VOLUNTEERS_CHECK_IN_EARLY_MINUTES = 30
    settings.VOLUNTEERS_CHECK_IN_LATE_MINUTES = 60
    services.sign_up(volunteer, shift)
    with pytest.raises(services.VolunteerError) as error:
        services.check_in(volunteer.user, post, now=shift.start - timedelta(minutes=45))
    assert error.value.code in ("too_early", "no_shift")
    with pytest.raises(services.VolunteerError) as error:
        services.check_in(volunteer.user, post, now=shift.start + timedelta(minutes=90))
    assert error.value.code == "too_late"
    assert not Attendance.objects.filter(check_in_at__isnull=False).exists()
    services.check_in(volunteer.user, post, now=shift.start - timedelta(minutes=20))


def test_check_in_needs_her_place_on_a_shift_at_that_post(volunteer, shift, post, gate_task):
    other_post = PostFactory(compound=post.compound, name="南门")
    services.sign_up(volunteer, shift)
    with pytest.raises(services.VolunteerError) as error:
        services.check_in(volunteer.user, other_post, now=shift.start)
    assert error.value.code == "no_shift"
    # a shift at the post she does not hold
    other = ShiftFactory(task=gate_task, start=shift.start, end=shift.end, places=2)
    services.check_in(volunteer.user, post, now=shift.start)
    assert Attendance.objects.get().signup.shift == shift
    assert not Attendance.objects.filter(signup__shift=other).exists()


def test_undo_a_mistaken_check_out_within_minutes_audited(volunteer, shift, post, settings):
    settings.VOLUNTEERS_SCAN_UNDO_MINUTES = 5
    services.sign_up(volunteer, shift)
    services.check_in(volunteer.user, post, now=shift.start)
    out = shift.start + timedelta(minutes=20)
    services.check_out(volunteer.user, post, now=out)
    which, attendance = services.undo_scan(volunteer.user, post, now=out + timedelta(minutes=2))
    assert which == "out"
    assert attendance.check_out_at is None and attendance.minutes == 0
    correction = AttendanceCorrection.objects.get()
    assert correction.changed_by == volunteer.user and correction.old_check_out_at == out
    assert AuditEvent.objects.filter(action="volunteers.attendance.undo").count() == 1
    # still checked in: at noon she checks out with the right hours
    attendance = services.check_out(volunteer.user, post, now=shift.end)
    assert attendance.hours == 5.0


def test_undo_closes_after_a_few_minutes(volunteer, shift, post, settings):
    settings.VOLUNTEERS_SCAN_UNDO_MINUTES = 5
    services.sign_up(volunteer, shift)
    services.check_in(volunteer.user, post, now=shift.start)
    with pytest.raises(services.VolunteerError) as error:
        services.undo_scan(volunteer.user, post, now=shift.start + timedelta(minutes=6))
    assert error.value.code == "undo_closed"
    assert Attendance.objects.get().check_in_at == shift.start
    # an undone check-in can be made again
    services.undo_scan(volunteer.user, post, now=shift.start + timedelta(minutes=1))
    assert Attendance.objects.get().check_in_at is None
    services.check_in(volunteer.user, post, now=shift.start + timedelta(minutes=2))
    assert Attendance.objects.get().check_in_at == shift.start + timedelta(minutes=2)


def test_the_post_page_has_two_actions_naming_the_shift(client, volunteer, post, now_shift):
    services.sign_up(volunteer, now_shift)
    url = f"/volunteers/checkin/{views.post_token(post)}/"
    client.force_login(volunteer.user)
    page = client.get(url).content.decode()
    assert "北门值守" in page and 'value="in"' in page and 'value="out"' not in page
    page = client.post(url, {"action": "in"}).content.decode()
    assert "已签到" in page and "撤销" in page
    # a second scan a minute later: the page offers check-out, and asks before doing it
    page = client.get(url).content.decode()
    assert 'value="out"' in page and 'value="in"' not in page
    page = client.post(url, {"action": "out"}).content.decode()
    assert "确定" in page or "确认" in page
    assert Attendance.objects.get().check_out_at is None
    page = client.post(url, {"action": "out", "confirmed": "1"}).content.decode()
    assert "已签退" in page
    # undone: checked in again, as before
    response = client.post(url, {"action": "undo"}, follow=True)
    assert "签退已撤销" in response.content.decode()
    assert Attendance.objects.get().check_out_at is None


def test_another_persons_shift_at_the_post_is_not_offered(
    client, volunteer, post, now_shift, community
):
    from tests.factories import VolunteerProfileFactory

    services.sign_up(VolunteerProfileFactory(community=community), now_shift)
    client.force_login(volunteer.user)
    page = client.get(f"/volunteers/checkin/{views.post_token(post)}/").content.decode()
    assert "您现在在这个点位没有班次" in page
    assert TaskFactory  # noqa: B018 - imported for the fixture module's use


def test_date_fields_show_their_dates_in_chinese(client, volunteer):
    """A date input takes only 2026-12-01; the Chinese format 2026/12/01 left the
    certificate's period empty, so downloading it failed with "choose the period"."""
    client.force_login(volunteer.user)
    page = client.get("/volunteers/me/").content.decode()
    first, _last = services.month_bounds(timezone.localdate())
    assert f'value="{first.isoformat()}"' in page
