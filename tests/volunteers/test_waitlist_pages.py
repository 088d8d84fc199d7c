"""Waiting lists where people meet them: full shifts stay on the shift list (已满, how many wait,
排队候补, her own place in the queue), and the coordinator's waiting-list screen of a shift (who,
since when, offers and how they ended; removing an entry with a reason, audited and scoped)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import roles, sms
from portal.models import AuditEvent
from tests.factories import VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import WaitlistEntry
from volunteers.services import waitlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_shift(shift, community):
    holders = VolunteerProfileFactory.create_batch(2, community=community)
    shift.holders = [services.sign_up(p, shift) for p in holders]
    shift.refresh_from_db()
    return shift


def _waiter(community, phone, name):
    return VolunteerProfileFactory(community=community, real_name=name, user=make_user(phone=phone))


def _card(html, shift):
    """The list card of `shift`: from the card holding its link to the next card."""
    start = html.rindex("v-shift-card", 0, html.index(f"/volunteers/shifts/{shift.pk}/"))
    end = html.find("v-shift-card", start + 1)
    return html[start : end if end > 0 else len(html)]


def test_a_full_shift_stays_on_the_list_marked_full_with_its_queue(
    client, full_shift, community, volunteer
):
    services.join_waitlist(_waiter(community, "13600000031", "排队甲"), full_shift)
    client.force_login(volunteer.user)
    card = _card(client.get("/volunteers/shifts/").content.decode(), full_shift)
    assert "已满" in card and "1 人候补" in card
    assert "排队候补" in card
    assert reverse("volunteers:waitlist_join", args=[full_shift.pk]) in card
    # anyone may see it is full; the button then leads to the shift page
    client.logout()
    public = _card(client.get("/volunteers/shifts/").content.decode(), full_shift)
    assert "已满" in public and "1 人候补" in public
    assert reverse("volunteers:waitlist_join", args=[full_shift.pk]) not in public


def test_joining_from_the_list_shows_her_position(client, full_shift, community, volunteer):
    services.join_waitlist(_waiter(community, "13600000032", "排队乙"), full_shift)
    client.force_login(volunteer.user)
    client.post(reverse("volunteers:waitlist_join", args=[full_shift.pk]))
    assert WaitlistEntry.objects.get(profile=volunteer).status == "waiting"
    card = _card(client.get("/volunteers/shifts/").content.decode(), full_shift)
    assert "候补第 2 位" in card and "2 人候补" in card
    assert "排队候补" not in card
    detail = client.get(reverse("volunteers:shift", args=[full_shift.pk])).content.decode()
    assert "候补第 2 位" in detail
    # the one before her is offered a freed place: she moves up
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    card = _card(client.get("/volunteers/shifts/").content.decode(), full_shift)
    assert "候补第 1 位" in card and "1 人候补" in card


def test_positions_and_queue_lengths_follow_the_order_of_joining(full_shift, community):
    waiters = [_waiter(community, f"1360000004{i}", f"队{i}") for i in range(3)]
    for waiter in waiters:
        services.join_waitlist(waiter, full_shift)
    assert waitlist.queue_lengths([full_shift.pk]) == {full_shift.pk: 3}
    positions = [waitlist.live_entries(w, [full_shift.pk])[full_shift.pk].position for w in waiters]
    assert positions == [1, 2, 3]
    services.leave_waitlist(waiters[0], WaitlistEntry.objects.get(profile=waiters[0]))
    assert waitlist.live_entries(waiters[2], [full_shift.pk])[full_shift.pk].position == 2
    assert waitlist.live_entries(waiters[0], [full_shift.pk]) == {}


def test_the_coordinator_sees_the_waiting_list_and_removes_with_a_reason(
    client, full_shift, community, other_community
):
    first = _waiter(community, "13600000033", "候补一")
    second = _waiter(community, "13600000034", "候补二")
    third = _waiter(community, "13600000035", "候补三")
    for waiter in (first, second, third):
        services.join_waitlist(waiter, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    offered = WaitlistEntry.objects.get(profile=first)
    assert offered.status == "offered"
    url = reverse("volunteers_admin:shift_waitlist", args=[full_shift.pk])

    stranger = make_user(roles.COORDINATOR, communities=[other_community], is_staff=True)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"entry": offered.pk, "reason": "x"}).status_code == 404

    coordinator = make_user(roles.COORDINATOR, communities=[community], is_staff=True)
    client.force_login(coordinator)
    people = client.get(reverse("volunteers_admin:shift_people", args=[full_shift.pk]))
    assert url in people.content.decode()
    page = client.get(url).content.decode()
    assert page.index("候补一") < page.index("候补二") < page.index("候补三")
    assert "名额保留至" in page  # the offer and until when

    client.post(url, {"entry": offered.pk, "reason": "  "})
    assert WaitlistEntry.objects.get(pk=offered.pk).status == "offered"  # a reason is needed
    sms.outbox.clear()
    client.post(url, {"entry": offered.pk, "reason": "联系不上"})
    told = [m for m in sms.outbox if m.phone == "13600000033"]
    assert len(told) == 1 and "候补" in told[0].text and "联系不上" in told[0].text
    offered.refresh_from_db()
    assert (offered.status, offered.end_reason) == ("removed", "联系不上")
    # the place held for her goes to the next in line
    assert WaitlistEntry.objects.get(profile=second).status == "offered"
    full_shift.refresh_from_db()
    assert full_shift.taken == full_shift.places
    event = AuditEvent.objects.get(action="volunteers.waitlist.remove")
    assert event.user == coordinator and event.details["reason"] == "联系不上"
    page = client.get(url).content.decode()
    assert "已被社区移出" in page and "联系不上" in page


def test_only_staff_of_the_shift_may_remove_an_entry(full_shift, community, other_community):
    entry = services.join_waitlist(_waiter(community, "13600000036", "候补四"), full_shift)
    stranger = make_user(roles.COORDINATOR, communities=[other_community])
    with pytest.raises(PermissionDenied):
        services.remove_from_waitlist(entry, stranger, "重复报名")
    coordinator = make_user(roles.COORDINATOR, communities=[community])
    services.remove_from_waitlist(entry, coordinator, "重复报名")
    with pytest.raises(services.VolunteerError):
        services.remove_from_waitlist(entry, coordinator, "重复报名")
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "removed"


def test_the_shift_list_in_the_back_office_counts_the_waiting_and_links_the_list(
    client, full_shift, community
):
    for i in range(2):
        services.join_waitlist(_waiter(community, f"1360000005{i}", f"候补{i}"), full_shift)
    coordinator = make_user(roles.COORDINATOR, communities=[community], is_staff=True)
    client.force_login(coordinator)
    html = client.get(reverse("volunteers_shifts:index")).content.decode()
    link = reverse("volunteers_admin:shift_waitlist", args=[full_shift.pk])
    assert f'href="{link}"' in html
    assert html[html.index(f'href="{link}"') :].split(">", 1)[1].lstrip().startswith("2")
    edit = client.get(reverse("volunteers_shifts:edit", args=[full_shift.pk])).content.decode()
    assert link in edit
