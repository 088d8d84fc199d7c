"""A declined invitation (shift or help-request delivery) is offered to the next best at once,
never to the one who declined and never twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import HelpRequest
from portal import roles
from tests.factories import ShiftFactory, TaskFactory, VolunteerProfileFactory, make_user
from volunteers import services as volunteers
from volunteers.models import Signup


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))


@pytest.fixture
def shift(community, compound):
    start = (timezone.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    task = TaskFactory(community=community, compound=compound)
    return ShiftFactory(task=task, start=start, end=start + timedelta(hours=4), places=1)


def _volunteer(community, compound=None, name="v"):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username=name), community=community, compound=compound
    )


def test_declined_shift_place_is_offered_to_the_next_best(
    community, compound, shift, coordinator, django_capture_on_commit_callbacks
):
    best = _volunteer(community, compound, "best")
    runner_up = _volunteer(community, name="runner")
    invitation = volunteers.invite(shift, best, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        volunteers.decline_invitation(best, invitation)
    invitations = Signup.objects.filter(shift=shift, status="invited")
    assert [s.profile for s in invitations] == [runner_up]
    assert invitations.get().invited_by == coordinator
    assert Signup.objects.get(shift=shift, profile=best).status == "declined"


def test_no_double_invitation_and_never_the_decliner(
    community, compound, shift, coordinator, django_capture_on_commit_callbacks
):
    shift.places = 2
    shift.save()
    first = _volunteer(community, compound, "first")
    second = _volunteer(community, compound, "second")
    third = _volunteer(community, name="third")
    volunteers.invite(shift, second, coordinator)
    invitation = volunteers.invite(shift, first, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        volunteers.decline_invitation(first, invitation)
    # One place came free: one new invitation, to someone not yet on the shift.
    invited = set(
        Signup.objects.filter(shift=shift, status="invited").values_list("profile", flat=True)
    )
    assert invited == {second.pk, third.pk}
    # Offering again finds no open place: nobody is invited twice.
    assert volunteers.offer_after_decline(invitation.pk) == []
    assert Signup.objects.filter(shift=shift).count() == 3


def test_nobody_left_means_no_invitation(
    community, compound, shift, coordinator, django_capture_on_commit_callbacks
):
    only = _volunteer(community, compound, "only")
    invitation = volunteers.invite(shift, only, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        volunteers.decline_invitation(only, invitation)
    assert list(Signup.objects.filter(shift=shift).values_list("status", flat=True)) == ["declined"]


def test_declined_delivery_goes_to_the_next_volunteer(
    client, community, compound, coordinator, django_capture_on_commit_callbacks
):
    near = _volunteer(community, compound, "near")
    far = _volunteer(community, name="far")
    request = services.record_request(
        community=community,
        compound=compound,
        building="2-1-302",
        contact_phone="13800001111",
        need="买菜",
        by=coordinator,
    )
    services.assign_volunteer(request, near, by=coordinator)
    invitation = Signup.objects.get(profile=near)
    with django_capture_on_commit_callbacks(execute=True):
        volunteers.decline_invitation(near, invitation)
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_volunteer == far
    assert Signup.objects.get(shift=request.delivery_shift, profile=far).status == "invited"
    # The decliner no longer sees the address; the new volunteer does.
    client.force_login(near.user)
    assert client.get(f"/assistance/requests/{request.pk}/").status_code == 404
    client.force_login(far.user)
    assert "2-1-302" in client.get(f"/assistance/requests/{request.pk}/").content.decode()


def test_declined_delivery_with_nobody_left_goes_back_to_new(
    community, compound, coordinator, django_capture_on_commit_callbacks
):
    only = _volunteer(community, compound, "only")
    request = services.record_request(
        community=community,
        compound=compound,
        building="2-1-302",
        contact_phone="13800001111",
        need="买菜",
        by=coordinator,
    )
    services.assign_volunteer(request, only, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        volunteers.decline_invitation(only, Signup.objects.get(profile=only))
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.NEW and request.assigned_volunteer is None
