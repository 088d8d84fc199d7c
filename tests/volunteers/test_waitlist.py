"""Waiting lists of full shifts: the first eligible one is offered a freed place (held for them),
accepts by the SMS link or on their page, and a lapsed offer passes to the next."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal import roles, sms
from tests.factories import SkillFactory, VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import Shift, Signup, WaitlistEntry
from volunteers.services import waitlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_shift(shift, community):
    holders = VolunteerProfileFactory.create_batch(2, community=community)
    signups = [services.sign_up(p, shift) for p in holders]
    shift.refresh_from_db()
    assert shift.places_left == 0
    shift.holders = signups
    return shift


def _waiter(community, phone):
    return VolunteerProfileFactory(community=community, user=make_user(phone=phone))


def test_a_full_shift_takes_a_waiting_list_and_a_shift_with_room_does_not(shift, community):
    first = VolunteerProfileFactory(community=community)
    with pytest.raises(services.SignupError) as refused:
        services.join_waitlist(first, shift)
    assert refused.value.code == "not_full"
    services.sign_up(first, shift)
    services.sign_up(VolunteerProfileFactory(community=community), shift)
    waiter = VolunteerProfileFactory(community=community)
    entry = services.join_waitlist(waiter, shift)
    assert entry.status == "waiting"
    with pytest.raises(services.SignupError) as twice:
        services.join_waitlist(waiter, shift)
    assert twice.value.code == "duplicate"
    with pytest.raises(services.SignupError) as on_it:
        services.join_waitlist(first, shift)
    assert on_it.value.code == "duplicate"


def test_only_those_who_may_take_the_shift_may_wait_for_it(full_shift, community, other_community):
    outsider = VolunteerProfileFactory(community=other_community)
    with pytest.raises(services.SignupError):
        services.join_waitlist(outsider, full_shift)
    assert not WaitlistEntry.objects.exists()


def test_a_freed_place_is_held_for_the_first_waiting_and_texted_with_a_link(full_shift, community):
    first = _waiter(community, "13600000001")
    second = _waiter(community, "13600000002")
    services.join_waitlist(first, full_shift)
    services.join_waitlist(second, full_shift)
    sms.outbox.clear()
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    entry = WaitlistEntry.objects.get(profile=first)
    assert entry.status == "offered"
    assert entry.offer_expires_at > timezone.now()
    assert WaitlistEntry.objects.get(profile=second).status == "waiting"
    full_shift.refresh_from_db()
    assert full_shift.taken == 2  # held: nobody else can take it meanwhile
    with pytest.raises(services.SignupError):
        services.sign_up(VolunteerProfileFactory(community=community), full_shift)
    [message] = sms.outbox
    assert message.phone == "13600000001"
    token = message.text.split("/offer/")[1].rstrip("/")
    assert waitlist.entry_from_token(token) == entry
    assert first.real_name not in token and first.mobile not in token


def test_accepting_turns_the_held_place_into_a_signup_counted_once(full_shift, community):
    waiter = _waiter(community, "13600000003")
    entry = services.join_waitlist(waiter, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    signup = services.accept_offer(waiter, entry)
    assert signup.status == "confirmed"
    entry.refresh_from_db()
    assert entry.status == "accepted" and entry.signup == signup
    full_shift.refresh_from_db()
    assert full_shift.taken == 2
    assert Signup.objects.holding().filter(shift=full_shift).count() == 2
    with pytest.raises(services.SignupError):
        services.accept_offer(waiter, entry)


def test_an_ineligible_first_is_skipped_and_keeps_their_turn(full_shift, community):
    skill = SkillFactory()
    full_shift.task.skills.add(skill)
    first = _waiter(community, "13600000004")
    first.skills.add(skill)
    second = _waiter(community, "13600000005")
    second.skills.add(skill)
    services.join_waitlist(first, full_shift)
    services.join_waitlist(second, full_shift)
    first.skills.clear()  # no longer qualified
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    assert WaitlistEntry.objects.get(profile=first).status == "waiting"
    assert WaitlistEntry.objects.get(profile=second).status == "offered"


def test_a_lapsed_offer_goes_to_the_next_by_the_command(full_shift, community, settings):
    first = _waiter(community, "13600000006")
    second = _waiter(community, "13600000007")
    services.join_waitlist(first, full_shift)
    services.join_waitlist(second, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    entry = WaitlistEntry.objects.get(profile=first)
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("expire_waitlist_offers")
    call_command("expire_waitlist_offers")  # a second run changes nothing
    assert WaitlistEntry.objects.get(profile=first).status == "expired"
    assert WaitlistEntry.objects.get(profile=second).status == "offered"
    full_shift.refresh_from_db()
    assert full_shift.taken == 2
    with pytest.raises(services.SignupError):
        services.accept_offer(first, entry)


def test_a_lapsed_offer_with_nobody_next_frees_the_place(full_shift, community):
    first = _waiter(community, "13600000008")
    entry = services.join_waitlist(first, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(services.SignupError):
        services.accept_offer(first, entry)  # the on-access check passes it on first
    full_shift.refresh_from_db()
    assert full_shift.taken == 1
    services.sign_up(VolunteerProfileFactory(community=community), full_shift)


def test_declining_or_leaving_passes_the_place_on(full_shift, community):
    first = _waiter(community, "13600000009")
    second = _waiter(community, "13600000010")
    entry = services.join_waitlist(first, full_shift)
    services.join_waitlist(second, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    services.decline_offer(first, entry)
    second_entry = WaitlistEntry.objects.get(profile=second)
    assert second_entry.status == "offered"
    services.leave_waitlist(second, second_entry)
    full_shift.refresh_from_db()
    assert full_shift.taken == 1
    with pytest.raises(services.SignupError):
        services.decline_offer(first, entry)


def test_more_places_on_the_shift_go_to_the_waiting_list(full_shift, community):
    coordinator = make_user(roles.COORDINATOR, communities=[community])
    waiter = _waiter(community, "13600000011")
    services.join_waitlist(waiter, full_shift)
    services.update_shift(
        full_shift, by=coordinator, start=full_shift.start, end=full_shift.end, places=3
    )
    assert WaitlistEntry.objects.get(profile=waiter).status == "offered"


def test_more_places_through_the_template_go_to_the_waiting_list_in_order(gate_task, community):
    from volunteers.models import ShiftTemplate

    coordinator = make_user(roles.COORDINATOR, communities=[community])
    template = ShiftTemplate.objects.create(
        task=gate_task,
        weekdays=list(range(7)),
        time_ranges=[["07:00", "12:00"]],
        places=1,
        start_date=timezone.localdate(),
        end_date=None,
    )
    services.generate_from_template(template)
    full = template.shifts.filter(start__gt=timezone.now()).order_by("start").first()
    services.sign_up(VolunteerProfileFactory(community=community), full)
    first = _waiter(community, "13600000021")
    second = _waiter(community, "13600000022")
    third = _waiter(community, "13600000023")
    for waiter in (first, second, third):
        services.join_waitlist(waiter, full)
    services.update_template(template, by=coordinator, places=3)
    status = dict(WaitlistEntry.objects.values_list("profile", "status"))
    assert status == {first.pk: "offered", second.pk: "offered", third.pk: "waiting"}
    full.refresh_from_db()
    assert (full.places, full.taken) == (3, 3)  # the offers hold the new places
    # fewer places again cannot drop below those held
    services.update_template(template, by=coordinator, places=1)
    full.refresh_from_db()
    assert full.places == 3


def test_cancelling_the_shift_closes_its_waiting_list(full_shift, community):
    coordinator = make_user(roles.COORDINATOR, communities=[community])
    waiter = _waiter(community, "13600000012")
    services.join_waitlist(waiter, full_shift)
    services.cancel_shift(full_shift, coordinator, "大风停岗")
    assert WaitlistEntry.objects.get(profile=waiter).status == "closed"


def test_the_sms_link_shows_the_offer_and_accepts_on_post_without_logging_in(
    client, full_shift, community
):
    waiter = _waiter(community, "13600000013")
    entry = services.join_waitlist(waiter, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    url = reverse("volunteers:waitlist_offer", args=[waitlist.offer_token(entry)])
    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    entry.refresh_from_db()
    assert entry.status == "offered"  # opening the link changes nothing
    client.post(url, {"action": "accept"})
    entry.refresh_from_db()
    assert entry.status == "accepted"


def test_a_forged_or_other_kind_of_token_is_not_found(client, full_shift, community):
    from portal import tokens

    waiter = _waiter(community, "13600000014")
    entry = services.join_waitlist(waiter, full_shift)
    for token in (
        "x" + waitlist.offer_token(entry),
        tokens.sign("volunteers.certificate", entry.pk, expires=True),
        tokens.sign("volunteers.waitlist_offer", entry.pk),  # no time in it
    ):
        assert client.get(reverse("volunteers:waitlist_offer", args=[token])).status_code == 404


def test_the_volunteer_joins_and_answers_on_their_pages(client, full_shift, community):
    user = make_user(phone="13600000015")
    waiter = VolunteerProfileFactory(community=community, user=user)
    client.force_login(user)
    page = client.get(reverse("volunteers:shift", args=[full_shift.pk]))
    assert reverse("volunteers:waitlist_join", args=[full_shift.pk]) in page.content.decode()
    client.post(reverse("volunteers:waitlist_join", args=[full_shift.pk]))
    entry = WaitlistEntry.objects.get(profile=waiter)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    page = client.get(reverse("volunteers:my_page"))
    accept = reverse("volunteers:waitlist_answer", args=[entry.pk, "accept"])
    assert accept in page.content.decode()
    client.post(accept)
    assert Signup.objects.filter(profile=waiter, shift=full_shift, status="confirmed").exists()


def test_someone_elses_entry_is_not_found(client, full_shift, community):
    waiter = _waiter(community, "13600000016")
    entry = services.join_waitlist(waiter, full_shift)
    intruder = make_user(phone="13600000017")
    VolunteerProfileFactory(community=community, user=intruder)
    client.force_login(intruder)
    answer = client.post(reverse("volunteers:waitlist_answer", args=[entry.pk, "leave"]))
    assert answer.status_code == 404
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "waiting"


def test_the_offer_never_outlives_the_shift_start(full_shift, community, settings):
    settings.VOLUNTEERS_WAITLIST_OFFER_MINUTES = 60 * 24 * 30
    waiter = _waiter(community, "13600000018")
    services.join_waitlist(waiter, full_shift)
    services.withdraw(full_shift.holders[0].profile, full_shift.holders[0])
    entry = WaitlistEntry.objects.get(profile=waiter)
    assert entry.offer_expires_at == Shift.objects.get(pk=full_shift.pk).start
