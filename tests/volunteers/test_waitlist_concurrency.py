"""Waiting lists under real concurrency, on PostgreSQL: places freed, offered, accepted,
declined and lapsing at once never promote two people into one place."""

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from tests.factories import ShiftFactory, TaskFactory, VolunteerProfileFactory
from tests.volunteers.test_concurrency import run_at_once
from volunteers import services
from volunteers.models import Shift, Signup, WaitlistEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _consistent(shift):
    shift.refresh_from_db()
    holding = Signup.objects.holding().filter(shift=shift).count()
    offered = WaitlistEntry.objects.filter(shift=shift, status="offered").count()
    assert shift.taken == holding + offered <= shift.places, (shift.taken, holding, offered)
    assert not (
        Signup.objects.live()
        .filter(shift=shift)
        .values("profile")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    assert not WaitlistEntry.objects.filter(
        Q(status="accepted") & ~Q(signup__shift=shift), shift=shift
    ).exists()


def test_freeing_places_and_newcomers_racing_never_overfill(community):
    shift = ShiftFactory(task=TaskFactory(community=community), places=3)
    holders = VolunteerProfileFactory.create_batch(3, community=community)
    places = [services.sign_up(p, shift) for p in holders]
    waiters = VolunteerProfileFactory.create_batch(6, community=community)
    for profile in waiters:
        services.join_waitlist(profile, shift)
    newcomers = VolunteerProfileFactory.create_batch(6, community=community)
    calls = [lambda s=s: services.withdraw(s.profile, s) for s in places]
    calls += [lambda p=p: services.sign_up(p, shift) for p in newcomers]
    calls += [lambda: services.expire_offers(shift_id=shift.pk) for _ in range(3)]
    results = run_at_once(calls)
    assert "error" not in [kind for kind, _ in results], results
    _consistent(shift)


def test_accept_decline_and_expiry_of_one_offer_racing_end_it_once(community):
    shift = ShiftFactory(task=TaskFactory(community=community), places=1)
    place = services.sign_up(VolunteerProfileFactory(community=community), shift)
    first, second = VolunteerProfileFactory.create_batch(2, community=community)
    entry = services.join_waitlist(first, shift)
    services.join_waitlist(second, shift)
    services.withdraw(place.profile, place)
    entry.refresh_from_db()
    assert entry.status == "offered"
    # lapsing right now: accept (guarded by the expiry), decline and the expiry job all race
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        offer_expires_at=timezone.now() + timedelta(milliseconds=300)
    )
    calls = [lambda: services.accept_offer(first, entry) for _ in range(4)]
    calls += [lambda: services.decline_offer(first, entry) for _ in range(2)]
    calls += [lambda: services.expire_offers(now=timezone.now() + timedelta(seconds=1))] * 2
    results = run_at_once(calls)
    assert "error" not in [kind for kind, _ in results], results
    entry.refresh_from_db()
    assert entry.status in ("accepted", "declined", "expired")
    _consistent(shift)
    assert Signup.objects.filter(shift=shift, profile=first, status="confirmed").count() <= 1
    assert Shift.objects.get(pk=shift.pk).taken == 1  # the place went to first or second


def test_more_places_and_newcomers_racing_go_to_the_list_first_and_never_overfill(community):
    """A coordinator raises the places (directly and through the template) while newcomers
    try the shift and people withdraw: the waiting list gets the new places by the same guarded
    offer, and the count holds."""
    from volunteers.models import ShiftTemplate

    task = TaskFactory(community=community)
    template = ShiftTemplate.objects.create(
        task=task,
        weekdays=list(range(7)),
        time_ranges=[["07:00", "12:00"]],
        places=2,
        start_date=timezone.localdate(),
        end_date=None,
    )
    services.generate_from_template(template)
    shift = template.shifts.filter(start__gt=timezone.now()).order_by("start").first()
    places = [
        services.sign_up(p, shift)
        for p in VolunteerProfileFactory.create_batch(2, community=community)
    ]
    waiters = VolunteerProfileFactory.create_batch(6, community=community)
    for profile in waiters:
        services.join_waitlist(profile, shift)
    newcomers = VolunteerProfileFactory.create_batch(4, community=community)
    calls = [lambda: services.update_template(template, places=4)]
    calls += [lambda: services.update_shift(shift, start=shift.start, end=shift.end, places=5)]
    calls += [lambda s=s: services.withdraw(s.profile, s) for s in places]
    calls += [lambda p=p: services.sign_up(p, shift) for p in newcomers]
    results = run_at_once(calls)
    assert "error" not in [kind for kind, _ in results], results
    _consistent(shift)
    offered = WaitlistEntry.objects.filter(shift=shift, status="offered")
    # the list was served in order: nobody later in the queue got an offer before an earlier one
    order = [w.pk for w in waiters]
    got = sorted(order.index(e.profile_id) for e in offered)
    assert got == list(range(len(got)))
