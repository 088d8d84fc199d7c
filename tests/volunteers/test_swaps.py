"""Handing one's place to another volunteer: named by mobile number, eligible, accepted (and
approved when the task says so); the place moves without ever being free."""

import pytest
from django.urls import reverse

from portal import roles
from portal.models import AuditEvent
from tests.factories import VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import Attendance, Signup, SwapOffer
from volunteers.services import swaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def giver(community):
    return VolunteerProfileFactory(community=community, user=make_user(phone="13500000001"))


@pytest.fixture
def receiver(community):
    return VolunteerProfileFactory(community=community, user=make_user(phone="13500000002"))


@pytest.fixture
def place(giver, shift):
    return services.sign_up(giver, shift)


def test_the_place_moves_when_the_receiver_accepts(giver, receiver, place, shift):
    swap = swaps.offer_swap(giver, place, "135 0000 0002")
    assert swap.status == "offered"
    swap = swaps.accept_swap(receiver, swap)
    assert swap.status == "done"
    place.refresh_from_db()
    assert place.status == "withdrawn"
    new = Signup.objects.get(shift=shift, profile=receiver)
    assert new.status == "confirmed" and swap.new_signup == new
    shift.refresh_from_db()
    assert shift.taken == 1


def test_an_unknown_or_ineligible_receiver_gets_one_answer_and_nothing_changes(
    giver, place, shift, other_community
):
    outsider = VolunteerProfileFactory(
        community=other_community, user=make_user(phone="13500000003")
    )
    messages = []
    for number in ("13599999999", outsider.mobile, "not a number", giver.mobile):
        with pytest.raises(services.SignupError) as refused:
            swaps.offer_swap(giver, place, number)
        messages.append(refused.value.messages)
    assert all(m == messages[0] for m in messages)
    assert not SwapOffer.objects.exists()


def test_one_open_handover_per_place(giver, receiver, place, community):
    swaps.offer_swap(giver, place, receiver.mobile)
    other = VolunteerProfileFactory(community=community, user=make_user(phone="13500000004"))
    with pytest.raises(services.SignupError) as refused:
        swaps.offer_swap(giver, place, other.mobile)
    assert refused.value.code == "duplicate"


def test_with_approval_the_place_moves_only_when_a_coordinator_approves(
    giver, receiver, place, shift, community
):
    shift.task.swaps_need_approval = True
    shift.task.save()
    swap = swaps.accept_swap(receiver, swaps.offer_swap(giver, place, receiver.mobile))
    assert swap.status == "accepted"
    assert Signup.objects.get(pk=place.pk).status == "confirmed"
    coordinator = make_user(roles.COORDINATOR, communities=[community])
    swaps.approve_swap(swap, coordinator)
    assert Signup.objects.get(pk=place.pk).status == "withdrawn"
    assert Signup.objects.get(shift=shift, profile=receiver).status == "confirmed"
    assert AuditEvent.objects.filter(action="volunteers.swap.approve").exists()


def test_a_coordinator_of_another_community_cannot_approve(
    giver, receiver, place, shift, other_community
):
    from django.core.exceptions import PermissionDenied

    shift.task.swaps_need_approval = True
    shift.task.save()
    swap = swaps.accept_swap(receiver, swaps.offer_swap(giver, place, receiver.mobile))
    stranger = make_user(roles.COORDINATOR, communities=[other_community])
    with pytest.raises(PermissionDenied):
        swaps.approve_swap(swap, stranger)
    assert SwapOffer.objects.get(pk=swap.pk).status == "accepted"


def test_a_refused_handover_leaves_the_place_with_the_giver(
    giver, receiver, place, shift, community
):
    shift.task.swaps_need_approval = True
    shift.task.save()
    swap = swaps.accept_swap(receiver, swaps.offer_swap(giver, place, receiver.mobile))
    swaps.refuse_swap(swap, make_user(roles.COORDINATOR, communities=[community]))
    assert Signup.objects.get(pk=place.pk).status == "confirmed"
    assert not Signup.objects.filter(profile=receiver).exists()


def test_a_giver_who_withdrew_meanwhile_has_nothing_to_hand_on(giver, receiver, place, shift):
    swap = swaps.offer_swap(giver, place, receiver.mobile)
    services.withdraw(giver, place)
    with pytest.raises(services.SignupError):
        swaps.accept_swap(receiver, swap)
    shift.refresh_from_db()
    assert shift.taken == 0
    assert not Signup.objects.filter(profile=receiver).exists()


def test_hours_stay_with_who_served(giver, receiver, place, shift):
    swap = swaps.accept_swap(receiver, swaps.offer_swap(giver, place, receiver.mobile))
    assert not Attendance.objects.filter(signup=place).exists()
    assert swap.new_signup.profile == receiver  # check-in and hours attach to this sign-up


def test_the_giver_and_receiver_use_their_pages(client, giver, receiver, place):
    client.force_login(giver.user)
    page = client.get(reverse("volunteers:my_page"))
    assert reverse("volunteers:swap_start", args=[place.pk]) in page.content.decode()
    client.post(reverse("volunteers:swap_start", args=[place.pk]), {"mobile": receiver.mobile})
    swap = SwapOffer.objects.get()
    client.force_login(receiver.user)
    page = client.get(reverse("volunteers:my_page"))
    accept = reverse("volunteers:swap_answer", args=[swap.pk, "accept"])
    assert accept in page.content.decode()
    client.post(accept)
    assert SwapOffer.objects.get().status == "done"


def test_nobody_answers_a_handover_that_is_not_theirs(client, giver, receiver, place, community):
    swap = swaps.offer_swap(giver, place, receiver.mobile)
    intruder = VolunteerProfileFactory(community=community, user=make_user(phone="13500000005"))
    client.force_login(intruder.user)
    for action in ("accept", "cancel"):
        answer = client.post(reverse("volunteers:swap_answer", args=[swap.pk, action]))
        assert answer.status_code == 404
    assert client.get(reverse("volunteers:swap_start", args=[place.pk])).status_code == 404
    assert SwapOffer.objects.get().status == "offered"


def test_the_coordinator_approves_in_the_back_office_only_in_their_community(
    client, giver, receiver, place, shift, community, other_community
):
    shift.task.swaps_need_approval = True
    shift.task.save()
    swap = swaps.accept_swap(receiver, swaps.offer_swap(giver, place, receiver.mobile))
    url = reverse("volunteers_admin:handovers")
    stranger = make_user(roles.COORDINATOR, communities=[other_community], is_staff=True)
    client.force_login(stranger)
    assert receiver.real_name not in client.get(url).content.decode()
    assert client.post(url, {"swap": swap.pk, "action": "approve"}).status_code == 404
    coordinator = make_user(roles.COORDINATOR, communities=[community], is_staff=True)
    client.force_login(coordinator)
    assert receiver.real_name in client.get(url).content.decode()
    client.post(url, {"swap": swap.pk, "action": "approve"})
    assert SwapOffer.objects.get(pk=swap.pk).status == "done"
