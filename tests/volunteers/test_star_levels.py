"""Issue 14, point 4: star levels by confirmed hours: an application when a threshold is reached,
the subdistrict's review, public notice for working days, the grant, the star certificate with
its verification QR."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal import tokens
from portal.models import AuditEvent
from tests.factories import ShiftFactory, SignupFactory, VolunteerProfileFactory
from volunteers import hours_views
from volunteers.models import Attendance, StarApplication
from volunteers.services import hours, stars


def _serve(profile, task, hours_served, *, status=Attendance.Status.CONFIRMED):
    start = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    shift = ShiftFactory(task=task, start=start, end=start + timedelta(hours=hours_served))
    return Attendance.objects.create(
        signup=SignupFactory(shift=shift, profile=profile),
        check_in_at=start,
        check_out_at=start + timedelta(hours=hours_served),
        status=status,
    )


def test_levels_follow_the_thresholds_in_settings(settings):
    assert stars.thresholds() == [100, 300, 600, 1000, 1500]
    assert stars.level_for_minutes(99 * 60) == 0
    assert stars.level_for_minutes(100 * 60) == 1
    assert stars.level_for_minutes(1499 * 60) == 4
    assert stars.level_for_minutes(2000 * 60) == 5
    settings.VOLUNTEERS_STAR_THRESHOLDS = [10, 20, 30, 40, 50]
    assert stars.level_for_minutes(25 * 60) == 2


def test_notice_ends_after_five_working_days():
    friday = date(2026, 12, 4)
    assert stars.working_days_after(friday, 5) == date(2026, 12, 11)
    monday = date(2026, 12, 7)
    assert stars.working_days_after(monday, 5) == date(2026, 12, 14)


def test_the_notice_skips_public_holidays_and_counts_make_up_working_days():
    # published on Thursday 24 September 2026: 中秋 25-27 Sep and 国庆 1-7 Oct are skipped
    assert stars.working_days_after(date(2026, 9, 24), 5) == date(2026, 10, 9)
    # Sunday 20 September 2026 is a make-up working day (调休上班) and counts
    assert stars.working_days_after(date(2026, 9, 18), 5) == date(2026, 9, 24)
    # 春节 2026: Saturday 14 February is worked, 15-23 February are off
    assert stars.working_days_after(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_the_holidays_come_from_settings(settings):
    friday = date(2026, 12, 4)
    settings.PUBLIC_HOLIDAYS = [("2026-12-07", "2026-12-08")]
    settings.MAKEUP_WORKDAYS = ["2026-12-05"]
    # Sat 5 worked (1), Mon 7 and Tue 8 off, Wed 9 (2) ... Mon 14 (5)
    assert stars.working_days_after(friday, 5) == date(2026, 12, 14)
    settings.PUBLIC_HOLIDAYS, settings.MAKEUP_WORKDAYS = [], []
    assert stars.working_days_after(friday, 5) == date(2026, 12, 11)


def test_publishing_before_national_day_sets_the_notice_past_the_holiday(
    volunteer, gate_task, subdistrict_admin
):
    _serve(volunteer, gate_task, 120)
    stars.apply_for_reached_levels()
    application = stars.publish(
        StarApplication.objects.get(), subdistrict_admin, today=date(2026, 9, 30)
    )
    # Wed 30 Sep; 1-7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13
    assert application.notice_until == date(2026, 10, 13)
    assert stars.grant_due(today=date(2026, 10, 13)) == 0
    assert stars.grant_due(today=date(2026, 10, 14)) == 1


def test_only_confirmed_hours_reach_a_level(volunteer, gate_task):
    _serve(volunteer, gate_task, 60)
    _serve(volunteer, gate_task, 50, status=Attendance.Status.RECORDED)
    assert stars.apply_for_reached_levels() == 0
    _serve(volunteer, gate_task, 45)
    assert stars.apply_for_reached_levels() == 1
    application = StarApplication.objects.get()
    assert application.level == 1 and application.status == StarApplication.Status.PENDING
    assert application.minutes == 105 * 60
    assert stars.apply_for_reached_levels() == 0  # once per level
    assert stars.star_level_for(volunteer) == 0  # not granted yet


def test_confirming_hours_applies_for_the_level(volunteer, gate_task, coordinator):
    attendance = _serve(volunteer, gate_task, 101, status=Attendance.Status.RECORDED)
    hours.confirm([attendance.pk], coordinator)
    assert StarApplication.objects.filter(profile=volunteer, level=1).exists()


def test_review_notice_and_grant(volunteer, gate_task, subdistrict_admin, coordinator, client):
    _serve(volunteer, gate_task, 320)
    stars.apply_for_reached_levels()
    application = StarApplication.objects.get()
    assert application.level == 2  # the highest level reached
    with pytest.raises(PermissionDenied):
        stars.publish(application, coordinator)  # the subdistrict reviews
    friday = date(2026, 12, 4)
    stars.publish(application, subdistrict_admin, today=friday)
    application.refresh_from_db()
    assert application.status == StarApplication.Status.PUBLISHED
    assert application.notice_until == date(2026, 12, 11)

    notice = client.get(reverse("volunteers:star_notice")).content.decode()
    # on notice (the list is of today's notices)
    StarApplication.objects.filter(pk=application.pk).update(
        notice_until=timezone.localdate() + timedelta(days=3)
    )
    notice = client.get(reverse("volunteers:star_notice")).content.decode()
    assert "李**" in notice and "李晓红" not in notice

    assert stars.grant_due(today=timezone.localdate()) == 0  # still on notice
    assert stars.grant_due(today=timezone.localdate() + timedelta(days=4)) == 1
    assert stars.star_level_for(volunteer) == 2
    assert AuditEvent.objects.filter(action="volunteers.stars.grant").exists()


def test_a_rejected_level_is_not_applied_for_again(volunteer, gate_task, subdistrict_admin):
    _serve(volunteer, gate_task, 120)
    stars.apply_for_reached_levels()
    application = StarApplication.objects.get()
    with pytest.raises(Exception):  # noqa: B017 - a reason is needed
        stars.reject(application, subdistrict_admin, "")
    stars.reject(application, subdistrict_admin, "时长有误")
    assert stars.apply_for_reached_levels() == 0
    _serve(volunteer, gate_task, 200)
    assert stars.apply_for_reached_levels() == 1
    assert StarApplication.objects.filter(status="pending").get().level == 2


def test_the_daily_command_grants_after_notice(volunteer, gate_task, subdistrict_admin):
    _serve(volunteer, gate_task, 150)
    call_command("star_levels", stdout=open("/dev/null", "w"))  # noqa: SIM115
    application = StarApplication.objects.get()
    stars.publish(application, subdistrict_admin, today=timezone.localdate() - timedelta(days=10))
    call_command("star_levels", stdout=open("/dev/null", "w"))  # noqa: SIM115
    application.refresh_from_db()
    assert application.status == StarApplication.Status.GRANTED


def _granted(profile, level=1):
    return StarApplication.objects.create(
        profile=profile,
        community=profile.community,
        level=level,
        minutes=level * 6000,
        serial=f"XJTEST{profile.pk}{level}",
        status=StarApplication.Status.GRANTED,
        granted_at=timezone.now(),
    )


def test_star_certificate_is_hers_only_and_verifies(client, volunteer, community):
    application = _granted(volunteer, 3)
    client.force_login(volunteer.user)
    page = client.get(reverse("volunteers:my_page")).content.decode()
    assert "★★★" in page
    response = client.get(reverse("volunteers:star_certificate", args=[application.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    other = VolunteerProfileFactory(community=community)
    client.force_login(other.user)
    response = client.get(reverse("volunteers:star_certificate", args=[application.pk]))
    assert response.status_code == 404

    url = hours_views.star_verify_url(application)
    page = client.get(url).content.decode()
    assert "李**" in page and "李晓红" not in page
    forged = tokens.sign("volunteers.certificate", application.serial)
    assert client.get(reverse("volunteers:star_verify", args=[forged])).status_code == 404
    StarApplication.objects.filter(pk=application.pk).update(status="rejected")
    assert client.get(url).status_code == 404


def test_the_review_screen_is_the_subdistricts(client, volunteer, coordinator, subdistrict_admin):
    application = StarApplication.objects.create(
        profile=volunteer, community=volunteer.community, level=1, minutes=6000, serial="XJ1"
    )
    client.force_login(coordinator)
    url = reverse("volunteers_hours:star_review")
    assert client.get(url).status_code in (302, 403)  # Wagtail sends the refused home
    client.force_login(subdistrict_admin)
    assert "李晓红" in client.get(url).content.decode()
    client.post(url, {"application": application.pk, "action": "publish"})
    application.refresh_from_db()
    assert application.status == StarApplication.Status.PUBLISHED
