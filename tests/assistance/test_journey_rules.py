"""Issue 12: a delivery closes its request (a coordinator reopens it, audited), the volunteer
sees where to collect the goods once assigned, every way of recording a request checks the
phone, and the on-call roster (备勤) puts the nearest volunteer on call first at night."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from assistance import on_call, services
from assistance.models import HelpRequest, OnCallNight
from portal import roles
from portal.models import AuditEvent
from tests.factories import CompoundFactory, VolunteerProfileFactory, make_user

from . import test_assistance as base

_notify_at_once, milk, stock, volunteer = (
    base._notify_at_once,
    base.milk,
    base.stock,
    base.volunteer,
)
_record = base._record

pytestmark = pytest.mark.django_db


def _night(hour=2):
    """A moment of tonight's night (Beijing time): 02:00 tomorrow by default."""
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), tz) + timedelta(
        hours=hour
    )


# --- 3. a delivery closes the request -----------------------------------------------------------


def test_the_volunteers_delivered_closes_the_request(
    client, community, compound, coordinator, milk, stock, volunteer
):
    request = _record(community, compound, coordinator, milk)
    services.assign_volunteer(request, volunteer, by=coordinator)
    client.force_login(volunteer.user)
    response = client.post(f"/assistance/requests/{request.pk}/delivered/")
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CLOSED
    assert request.closed_at == request.delivered_at
    # she lands on her deliveries page, not on a page she may no longer see
    assert response.url == "/assistance/duty/"
    assert "已送达" in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="assistance.request.delivered").count() == 1


def test_a_coordinator_reopens_with_a_reason_and_it_is_audited(
    client, community, compound, coordinator, milk, volunteer
):
    request = _record(community, compound, coordinator, milk)
    services.assign_volunteer(request, volunteer, by=coordinator)
    services.mark_delivered(request, by=volunteer.user)
    client.force_login(coordinator)
    client.post(f"/admin/assistance/{request.pk}/", {"action": "reopen", "reason": ""})
    request.refresh_from_db()
    assert request.status == "closed"  # no reason, nothing changes
    client.post(f"/admin/assistance/{request.pk}/", {"action": "reopen", "reason": "没收到"})
    request.refresh_from_db()
    assert request.status == "assigned" and request.closed_at is None
    event = AuditEvent.objects.get(action="assistance.request.reopen")
    assert event.details["reason"] == "没收到" and event.user == coordinator
    # the volunteer sees the address again, to deliver once more
    client.force_login(volunteer.user)
    assert client.get(f"/assistance/requests/{request.pk}/").status_code == 200


def test_an_anonymised_request_is_not_reopened(community, compound, coordinator, milk):
    request = _record(community, compound, coordinator, milk)
    services.mark_delivered(request, by=coordinator)
    services.anonymise(HelpRequest.objects.filter(pk=request.pk))
    request.refresh_from_db()
    with pytest.raises(services.AssistanceError):
        services.reopen_request(request, by=coordinator, reason="再送一次")


def test_the_volunteer_sees_where_to_collect_only_once_assigned(
    client, community, compound, coordinator, milk, stock, volunteer
):
    community.phone = "010-63812002"
    community.save()
    request = _record(community, compound, coordinator, milk)
    services.fulfil_from_stock(request, by=coordinator)
    client.force_login(volunteer.user)
    assert client.get(f"/assistance/requests/{request.pk}/").status_code == 404
    services.assign_volunteer(request, volunteer, by=coordinator)
    page = client.get(f"/assistance/requests/{request.pk}/").content.decode()
    assert "取货地点" in page and stock.name in page and "010-63812002" in page


# --- 9. the contact phone -------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["123", "12345678901", "010-123", "abc"])
def test_a_coordinator_cannot_record_a_bad_phone(client, community, compound, coordinator, phone):
    client.force_login(coordinator)
    response = client.post(
        "/admin/assistance/new/",
        {
            "community": community.pk,
            "compound": compound.pk,
            "building": "1号楼101",
            "contact_phone": phone,
            "urgency": "urgent",
            "need": "奶粉",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["contact_phone"]
    assert "带区号的固定电话" in response.content.decode()
    assert not HelpRequest.objects.exists()
    with pytest.raises(services.AssistanceError) as refused:
        services.record_request(
            community=community,
            compound=compound,
            building="1号楼101",
            contact_phone=phone,
            need="奶粉",
            by=coordinator,
        )
    assert refused.value.code == "phone"


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("(010)6381-1234", "010-63811234"),
        ("+86 138 0000 1111", "13800001111"),
        ("63811234", "63811234"),
    ],
)
def test_mobile_and_landline_are_accepted_and_normalised(
    community, compound, coordinator, typed, stored
):
    request = services.record_request(
        community=community,
        compound=compound,
        building="1号楼101",
        contact_phone=typed,
        need="奶粉",
        by=coordinator,
    )
    assert request.contact_phone == stored


# --- 9. the on-call roster --------------------------------------------------------------------------


def test_nights_run_from_evening_to_morning():
    tz = timezone.get_current_timezone()
    day = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)
    assert on_call.night_of(midnight + timedelta(hours=2)) == day - timedelta(days=1)
    assert on_call.night_of(midnight + timedelta(hours=12)) is None
    assert on_call.night_of(midnight + timedelta(hours=22)) == day


def test_a_volunteer_marks_her_nights_on_her_page(client, volunteer):
    client.force_login(volunteer.user)
    page = client.get("/assistance/duty/").content.decode()
    assert "我的备勤" in page and 'type="checkbox"' in page
    nights = on_call.nights_ahead()
    client.post("/assistance/duty/", {"night": [nights[0].isoformat(), nights[3].isoformat()]})
    assert set(OnCallNight.objects.values_list("night", flat=True)) == {nights[0], nights[3]}
    client.post("/assistance/duty/", {"night": [nights[3].isoformat(), "2001-01-01", "x"]})
    assert set(OnCallNight.objects.values_list("night", flat=True)) == {nights[3]}


def test_urgent_requests_at_night_go_to_the_nearest_on_call_volunteer(
    community, compound, coordinator, milk, volunteer
):
    neighbour_compound = CompoundFactory(community=community, name="民岳家园二区")
    same_community = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="near"),
        community=community,
        compound=neighbour_compound,
    )
    same_compound = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="door"), community=community, compound=compound
    )
    night = on_call.night_of(_night())
    for profile in (same_community, same_compound):
        OnCallNight.objects.create(profile=profile, night=night)
    request = _record(community, compound, coordinator, milk)
    suggestions = services.suggest_volunteers(request, by=coordinator, now=_night())
    # on call first, the same compound before the same community; then the others (volunteer
    # lives in the same compound but is not on call)
    assert [s.profile for s in suggestions[:3]] == [same_compound, same_community, volunteer]
    assert [s.on_call for s in suggestions[:3]] == [True, True, False]
    # in the daytime nobody is on call: matching's order alone
    day = _night(hour=14)
    assert not any(s.on_call for s in services.suggest_volunteers(request, by=coordinator, now=day))
    services.offer_to_on_call(request, by=coordinator, now=_night())
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_volunteer == same_compound


def test_no_one_on_call_is_said_plainly(community, compound, coordinator, milk, volunteer):
    request = _record(community, compound, coordinator, milk)
    with pytest.raises(services.AssistanceError) as refused:
        services.offer_to_on_call(request, by=coordinator, now=_night())
    assert refused.value.code == "no_on_call"
