"""The audit trail of volunteering: who verified or rejected whom, attendance confirmed,
corrected or marked no-show, and every export of volunteers' personal data or hours."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests.factories import VolunteerProfileFactory
from volunteers import services
from volunteers.models import AttendanceCorrection, Shift

pytestmark = pytest.mark.django_db


def _only(action):
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def test_verification_and_rejection_from_the_review_page_are_recorded(
    client, settings, coordinator, community
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    pending = VolunteerProfileFactory(community=community, status="pending")
    other = VolunteerProfileFactory(community=community, status="pending")
    client.force_login(coordinator)
    meta = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_USER_AGENT": "Chrome/120"}
    client.post(f"/admin/volunteering/profiles/{pending.pk}/review/", {"action": "approve"}, **meta)
    client.post(
        f"/admin/volunteering/profiles/{other.pk}/review/",
        {"action": "reject", "reason": "社区查无此人"},
        **meta,
    )
    verified, rejected = _only("volunteers.verify"), _only("volunteers.reject")
    assert verified.user == coordinator and verified.object_id == str(pending.pk)
    assert verified.ip_address == "203.0.113.9" and verified.user_agent == "Chrome/120"
    assert list(verified.communities.all()) == [community]
    assert rejected.object_id == str(other.pk) and rejected.details == {"reason": "社区查无此人"}


def test_a_refused_decision_records_nothing(coordinator, other_community):
    stranger = VolunteerProfileFactory(community=other_community, status="pending")
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied: not her community
        services.verify_profile(stranger, coordinator)
    assert not AuditEvent.objects.filter(action="volunteers.verify").exists()


def test_attendance_confirmed_corrected_and_no_show_are_recorded(
    coordinator, volunteer, shift, community
):
    signup = services.sign_up(volunteer, shift)
    absent = services.sign_up(VolunteerProfileFactory(community=community), shift)
    now = timezone.now()
    Shift.objects.filter(pk=shift.pk).update(
        start=now - timedelta(hours=6), end=now - timedelta(hours=1)
    )
    shift.refresh_from_db()
    services.mark_no_show(absent, coordinator)
    attendance = services.confirm_attendance(signup, coordinator)
    services.correct_attendance(
        attendance, coordinator, shift.start, shift.end - timedelta(hours=1), "提前离岗"
    )
    assert _only("volunteers.attendance.no_show").object_id == str(absent.pk)
    confirmed = _only("volunteers.attendance.confirm")
    assert confirmed.user == coordinator and confirmed.details["minutes"] == 300
    corrected = _only("volunteers.attendance.correct")
    assert corrected.object_id == str(attendance.pk)
    assert corrected.details["reason"] == "提前离岗"
    assert corrected.details["correction"] == AttendanceCorrection.objects.get().pk
    old_out = shift.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert corrected.details["old_check_out_at"].startswith(old_out)
    assert list(corrected.communities.all()) == [community]


def test_every_export_of_volunteers_data_is_recorded(client, coordinator, volunteer, community):
    client.force_login(coordinator)
    today = timezone.localdate()
    period = {"start": today.replace(day=1), "end": today}
    downloads = [
        ("/admin/volunteering/export/volunteers.xlsx", {}),
        ("/admin/volunteering/export/attendance.xlsx", period),
        ("/admin/volunteering/party-report/", {**period, "format": "xlsx"}),
        ("/admin/volunteering/party-report/", {**period, "format": "pdf"}),
        (reverse("volunteers_profiles:export"), {"format": "csv"}),
        (reverse("volunteers_attendance:export"), {"format": "xlsx"}),
    ]
    for url, query in downloads:
        assert client.get(url, query).status_code == 200
    events = list(AuditEvent.objects.filter(action="export.personal_data").order_by("pk"))
    assert [e.path for e in events] == [url for url, _query in downloads]
    assert all(e.user == coordinator for e in events)
    volunteers = events[0]
    assert volunteers.details["rows"] == 1 and volunteers.details["format"] == "xlsx"
    assert volunteers.details["model"] == "volunteers.volunteerprofile"
    assert list(volunteers.communities.all()) == [community]
    # The party report's screen (no download) is not an export.
    client.get("/admin/volunteering/party-report/", period)
    assert AuditEvent.objects.filter(action="export.personal_data").count() == len(downloads)
